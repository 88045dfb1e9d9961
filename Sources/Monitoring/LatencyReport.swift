import Entrustment

/// Sync latency of every node over a window, at one instant (`courtsync report latency`,
/// `/api/v1/latency`).
public struct LatencyReport: Sendable, Codable {
    /// The instant of the report.
    public var asOf: Timestamp
    /// The window the percentiles cover, ending at ``asOf``.
    public var windowSeconds: Double
    /// How long a node may be silent before it is flagged stale.
    public var staleAfterSeconds: Double
    /// One row per node, by node id.
    public var nodes: [NodeLatency]
}

/// The overdue matters at one instant (`courtsync report overdue`, `/api/v1/overdue`).
public struct OverdueReport: Sendable, Codable {
    /// The instant the matters were judged at.
    public var asOf: Timestamp
    /// Most overdue first.
    public var matters: [OverdueMatter]
}
