import Entrustment

/// The machine's clock seen through an ``AcceleratedClock``: simulated time for the demo network,
/// which becomes the machine's clock once it has caught up.
public struct AcceleratedTimeSource: TimeSource {
    /// The simulation.
    public let clock: AcceleratedClock
    private let wall: any TimeSource

    /// Simulated time over `wall` (the machine's clock unless a test gives another).
    public init(_ clock: AcceleratedClock, wall: any TimeSource = SystemTimeSource()) {
        self.clock = clock
        self.wall = wall
    }

    public func now() -> Timestamp { clock.instant(atReal: wall.now()) }
}
