import Entrustment
import Replica

/// Sync latency and contact of one other node, as this node sees it (at the hub: every node).
public struct NodeLatency: Sendable, Hashable, Codable {
    /// The node.
    public var node: String
    /// Its court code and name.
    public var court: String
    public var courtName: String
    /// Events it made that this node stored within the window.
    public var events: Int
    /// Seconds from an event's recording at its origin to its storage here, over the window:
    /// median, 90th and 99th percentile (nearest rank), and the largest. `nil` without events.
    public var p50Seconds: Double?
    public var p90Seconds: Double?
    public var p99Seconds: Double?
    public var maxSeconds: Double?
    /// When this node last stored an event the node made.
    public var lastEventStoredAt: Timestamp?
    /// The node's latest authenticated request to this node (最近联系), and what it was.
    public var lastContactAt: Timestamp?
    public var lastRequest: String?
    /// Authenticated requests it has made to this node.
    public var requests: Int?
    /// Events here it may see and has not pulled yet (待同步), counted from its latest pull.
    public var backlog: Int?
    /// Seconds since the last contact (or the last event stored, for a node that never called).
    public var silentSeconds: Double?
    /// Silent for longer than the threshold (失联).
    public var stale: Bool
    /// The sync protocol version and software its latest hello named (协议版本): during a rolling
    /// upgrade, the nodes still on the previous version.
    public var protocolVersion: Int?
    public var software: String?

    /// The latency of every node that called this one or whose events arrived here.
    ///
    /// - Parameters:
    ///   - arrivals: events stored within the window.
    ///   - lastArrivals: each origin's latest stored event, whenever it was.
    ///   - contacts: the nodes' latest requests.
    ///   - backlog: the events waiting for a node, given its latest pull.
    ///   - staleAfterSeconds: how long a node may be silent before it is flagged.
    public static func list(
        arrivals: [EventArrival], lastArrivals: [EventArrival], contacts: [NodeContact], now: Timestamp,
        staleAfterSeconds: Double, directory: CourtDirectory, backlog: (NodeContact) -> Int?
    ) -> [NodeLatency] {
        var courts: [NodeID: CourtCode] = [:]
        var lags: [NodeID: [Double]] = [:]
        for arrival in arrivals {
            courts[arrival.origin] = arrival.author
            lags[arrival.origin, default: []].append(
                max(0, Double(arrival.storedAt.milliseconds - arrival.recordedAt.milliseconds) / 1000))
        }
        var lastStored: [NodeID: Timestamp] = [:]
        for arrival in lastArrivals {
            courts[arrival.origin] = courts[arrival.origin] ?? arrival.author
            lastStored[arrival.origin] = arrival.storedAt
        }
        var contactOf: [NodeID: NodeContact] = [:]
        for contact in contacts {
            contactOf[contact.node] = contact
            courts[contact.node] = contact.court
        }
        return courts.keys.sorted().map { node in
            let court = courts[node]!
            let lag = Distribution(lags[node] ?? [])
            let contact = contactOf[node]
            let heard = contact?.lastContactAt ?? lastStored[node]
            let silent = heard.map { Double(now.milliseconds - $0.milliseconds) / 1000 }
            return NodeLatency(
                node: node.rawValue, court: court.rawValue, courtName: directory[court]?.name ?? court.rawValue,
                events: lag.count, p50Seconds: lag.median, p90Seconds: lag.p90, p99Seconds: lag.p99,
                maxSeconds: lag.max, lastEventStoredAt: lastStored[node], lastContactAt: contact?.lastContactAt,
                lastRequest: contact?.lastRequest.rawValue, requests: contact?.requests,
                backlog: contact.flatMap(backlog),
                silentSeconds: silent, stale: silent.map { $0 > staleAfterSeconds } ?? true,
                protocolVersion: contact?.greeting?.protocolVersion, software: contact?.greeting?.software)
        }
    }

    /// Encodes every field, a missing value as `null` (tools can rely on each key being there).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(node, forKey: .node)
        try c.encode(court, forKey: .court)
        try c.encode(courtName, forKey: .courtName)
        try c.encode(events, forKey: .events)
        try c.encode(p50Seconds, forKey: .p50Seconds)
        try c.encode(p90Seconds, forKey: .p90Seconds)
        try c.encode(p99Seconds, forKey: .p99Seconds)
        try c.encode(maxSeconds, forKey: .maxSeconds)
        try c.encode(lastEventStoredAt, forKey: .lastEventStoredAt)
        try c.encode(lastContactAt, forKey: .lastContactAt)
        try c.encode(lastRequest, forKey: .lastRequest)
        try c.encode(requests, forKey: .requests)
        try c.encode(backlog, forKey: .backlog)
        try c.encode(silentSeconds, forKey: .silentSeconds)
        try c.encode(stale, forKey: .stale)
        try c.encode(protocolVersion, forKey: .protocolVersion)
        try c.encode(software, forKey: .software)
    }
}
