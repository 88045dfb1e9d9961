/// Where "now" comes from. Every component that needs the time takes one, so that tests,
/// scripts and simulations can set it (the CLI reads `COURTSYNC_NOW`).
public protocol TimeSource: Sendable {
    /// The current instant.
    func now() -> Timestamp
}

/// A time source that always answers the same instant.
public struct FixedTimeSource: TimeSource {
    public let instant: Timestamp
    public init(_ instant: Timestamp) { self.instant = instant }
    public func now() -> Timestamp { instant }
}
