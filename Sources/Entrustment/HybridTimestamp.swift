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
        if now.milliseconds > last.wall {
            last = HybridTimestamp(wall: now.milliseconds, counter: 0)
        } else {
            last = HybridTimestamp(wall: last.wall, counter: last.counter &+ 1)
        }
        return last
    }

    /// Takes in a reading carried by an event from another node, so that later local readings
    /// come after it.
    public mutating func observe(_ remote: HybridTimestamp, now: Timestamp) {
        let wall = max(last.wall, remote.wall, now.milliseconds)
        let counter: UInt32
        if wall == last.wall && wall == remote.wall {
            counter = max(last.counter, remote.counter) &+ 1
        } else if wall == last.wall {
            counter = last.counter &+ 1
        } else if wall == remote.wall {
            counter = remote.counter &+ 1
        } else {
            counter = 0
        }
        last = HybridTimestamp(wall: wall, counter: counter)
    }
}
