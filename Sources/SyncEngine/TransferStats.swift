/// What went over one link in one or more rounds, for logs, `courtsync sync` and the link table.
public struct TransferStats: Sendable, Codable, Equatable {
    /// Change sets sent and received.
    public var setsSent = 0
    public var setsReceived = 0
    /// Events sent, and events received (all of them, then how many were new here).
    public var eventsSent = 0
    public var eventsReceived = 0
    public var eventsStored = 0
    /// Events the other side already held (sent) or this side already held (received).
    public var duplicates = 0
    /// Events put in a quarantine, here or at the remote.
    public var quarantined = 0
    /// Events refused outright (not stored), here or at the remote.
    public var refused = 0
    /// Bytes on the wire (compressed change sets), each way.
    public var bytesSent = 0
    public var bytesReceived = 0
    /// The events' encoded size before compression, each way.
    public var payloadBytesSent = 0
    public var payloadBytesReceived = 0

    public init() {}

    public static func + (lhs: TransferStats, rhs: TransferStats) -> TransferStats {
        var sum = lhs
        sum.setsSent += rhs.setsSent
        sum.setsReceived += rhs.setsReceived
        sum.eventsSent += rhs.eventsSent
        sum.eventsReceived += rhs.eventsReceived
        sum.eventsStored += rhs.eventsStored
        sum.duplicates += rhs.duplicates
        sum.quarantined += rhs.quarantined
        sum.refused += rhs.refused
        sum.bytesSent += rhs.bytesSent
        sum.bytesReceived += rhs.bytesReceived
        sum.payloadBytesSent += rhs.payloadBytesSent
        sum.payloadBytesReceived += rhs.payloadBytesReceived
        return sum
    }
}
