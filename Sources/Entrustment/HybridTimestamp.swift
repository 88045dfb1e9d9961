/// A hybrid logical clock reading: physical milliseconds plus a logical counter.
///
/// Ordered by (wall, counter). An event's HLC is never less than the HLC of any event its origin
/// node had seen when it was made, so it respects causality even when clocks drift.
public struct HybridTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch, as seen by the node (never moving backwards).
    public let wall: Int64
    /// Distinguishes readings within one millisecond.
    public let counter: UInt32

    public init(wall: Int64, counter: UInt32) {
        self.wall = wall
        self.counter = counter
    }

    /// The physical part as a timestamp.
    public var timestamp: Timestamp { Timestamp(milliseconds: wall) }

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool {
        (lhs.wall, lhs.counter) < (rhs.wall, rhs.counter)
    }

    /// The next reading after this one: the counter plus one, or, when the counter is exhausted,
    /// the next millisecond (so the clock never wraps back).
    public var successor: HybridTimestamp {
        counter == .max
            ? HybridTimestamp(wall: wall + 1, counter: 0) : HybridTimestamp(wall: wall, counter: counter + 1)
    }

    public var description: String { "\(wall).\(counter)" }
}

/// The hybrid logical clock of one node (Kulkarni et al., 2014), as a value: the caller persists
/// ``last`` between runs.
public struct HybridLogicalClock: Sendable, Hashable {
    /// The latest reading issued or observed.
    public private(set) var last: HybridTimestamp

    public init(last: HybridTimestamp = HybridTimestamp(wall: 0, counter: 0)) {
        self.last = last
    }

    /// A reading for a new local event at physical time `now`.
    public mutating func tick(now: Timestamp) -> HybridTimestamp {
        last = now.milliseconds > last.wall ? HybridTimestamp(wall: now.milliseconds, counter: 0) : last.successor
        return last
    }

    /// Takes in a reading carried by an event from another node, so that later local readings
    /// come after it.
    public mutating func observe(_ remote: HybridTimestamp, now: Timestamp) {
        let wall = max(last.wall, remote.wall, now.milliseconds)
        if wall == last.wall && wall == remote.wall {
            last = max(last, remote).successor
        } else if wall == last.wall {
            last = last.successor
        } else if wall == remote.wall {
            last = remote.successor
        } else {
            last = HybridTimestamp(wall: wall, counter: 0)
        }
    }
}
