import Entrustment
import GRDB

/// When one event was made at its origin and when this replica stored it (sync latency).
public struct EventArrival: Sendable, Hashable {
    /// The node that recorded the event.
    public var origin: NodeID
    /// The court that did the act.
    public var author: CourtCode
    /// The origin's clock when it recorded the act.
    public var recordedAt: Timestamp
    /// When this replica stored it.
    public var storedAt: Timestamp

    public init(origin: NodeID, author: CourtCode, recordedAt: Timestamp, storedAt: Timestamp) {
        self.origin = origin
        self.author = author
        self.recordedAt = recordedAt
        self.storedAt = storedAt
    }
}

/// The last time a node called this one over the sync protocol, and where its cursors stood.
public struct NodeContact: Sendable, Hashable {
    /// Which sync request a contact was.
    public enum Request: String, Sendable {
        case hello, pull, push
    }

    /// The calling node.
    public var node: NodeID
    /// Its court.
    public var court: CourtCode
    /// Its latest authenticated request.
    public var lastContactAt: Timestamp
    /// What the latest request was.
    public var lastRequest: Request
    /// The `after` of its latest pull: it holds this node's events up to there.
    public var pulledAfter: Int64?
    /// How many authenticated requests it made.
    public var requests: Int
    /// The protocol version and software its latest hello named (`nil` before its first hello).
    public var greeting: Greeting?

    /// What a node's hello said of itself.
    public struct Greeting: Sendable, Hashable {
        /// The protocol version agreed.
        public var protocolVersion: Int
        /// The software it named (`courtsync/0.4`).
        public var software: String

        public init(protocolVersion: Int, software: String) {
            self.protocolVersion = protocolVersion
            self.software = software
        }
    }
}

extension Replica {
    /// The timings of the matters a period touches: sent, signed, completed, returned or
    /// withdrawn within `period` (`nil`: every matter), plus every open matter (for the overdue
    /// count, which is taken at an instant).
    public func matterTimings(touching period: Range<Timestamp>? = nil) throws(ReplicaError) -> [MatterTiming] {
        guard let period else { return try timings(where: nil, arguments: []) }
        let columns = [
            "counted_sent_at", "counted_signed_at", "counted_completed_at", "counted_returned_at",
            "counted_withdrawn_at",
        ]
        var arguments: StatementArguments = []
        for _ in columns { arguments += [period.lowerBound.rfc3339, period.upperBound.rfc3339] }
        return try timings(
            where: "state IN ('sent', 'signed', 'inProgress') OR "
                + columns.map { "(\($0) >= ? AND \($0) < ?)" }.joined(separator: " OR "),
            arguments: arguments)
    }

    /// The timing of one matter (the times that count), if this replica holds it.
    public func matterTiming(_ id: MatterID) throws(ReplicaError) -> MatterTiming? {
        try timings(where: "id = ?", arguments: [id.rawValue]).first
    }

    /// The timings of the open matters (待签收, 已签收, 办理中).
    public func openMatterTimings() throws(ReplicaError) -> [MatterTiming] {
        try timings(where: "state IN ('sent', 'signed', 'inProgress')", arguments: [])
    }

    /// Reads the timings, letting SQLite turn the stored RFC 3339 text into milliseconds and day
    /// numbers (its own parser, exact to the millisecond), and parsing each court code and kind once.
    private func timings(where clause: String?, arguments: StatementArguments) throws(ReplicaError) -> [MatterTiming] {
        func ms(_ column: String) -> String {
            "CAST(round((julianday(\(column)) - 2440587.5) * 86400000.0) AS INTEGER)"
        }
        func day(_ column: String) -> String { "CAST(julianday(\(column)) - 2440587.5 AS INTEGER)" }
        let times = [
            "counted_sent_at", "counted_received_at", "counted_signed_at", "counted_completed_at",
            "counted_returned_at", "counted_withdrawn_at",
        ]
        let sql = """
            SELECT id, case_number, entrusting_court, entrusted_court, kind, urgent, state, \(times.map(ms).joined(separator: ", ")),
                \(day("counted_sign_due")), \(day("counted_due")), urge_count, supervised, due_provisional,
                sign_due_provisional, \(day("counted_extended_due"))
            FROM matters \(clause.map { "WHERE " + $0 } ?? "") ORDER BY id
            """
        return try read { db in
            var courts: [String: CourtCode] = [:]
            var kinds: [String: MatterKind] = [:]
            func court(_ text: String) throws -> CourtCode {
                if let known = courts[text] { return known }
                let code = try CourtCode(text)
                courts[text] = code
                return code
            }
            func kind(_ text: String) throws -> MatterKind {
                if let known = kinds[text] { return known }
                let parsed = try MatterKind(id: text)
                kinds[text] = parsed
                return parsed
            }
            var timings: [MatterTiming] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() {
                func time(_ index: Int) -> Timestamp? { (row[index] as Int64?).map(Timestamp.init(milliseconds:)) }
                let id: String = row[0]
                guard let state = MatterState(rawValue: row[6]), let sent = time(7) else {
                    throw ReplicaError(.corrupt, "matters row \(id) has an unknown state or no sending time")
                }
                timings.append(
                    MatterTiming(
                        id: try MatterID(id), caseNumber: row[1], entrustingCourt: try court(row[2]),
                        entrustedCourt: try court(row[3]), kind: try kind(row[4]), urgent: row[5], state: state,
                        sentAt: sent, receivedAt: time(8), signedAt: time(9), completedAt: time(10),
                        returnedAt: time(11), withdrawnAt: time(12), signDue: CivilDate(daysSinceEpoch: row[13]),
                        due: CivilDate(daysSinceEpoch: row[14]), dueProvisional: row[17], signDueProvisional: row[18],
                        extendedDue: (row[19] as Int?).map(CivilDate.init(daysSinceEpoch:)), urgeCount: row[15],
                        supervised: row[16]))
            }
            return timings
        }
    }

    /// The events stored at or after `since` that other nodes made, oldest first.
    public func arrivals(storedSince since: Timestamp) throws(ReplicaError) -> [EventArrival] {
        let own = identity.node.rawValue
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT origin, author, recorded_at, stored_at FROM events
                    WHERE stored_at >= ? AND origin != ? ORDER BY arrival_seq
                    """,
                arguments: [since.rfc3339, own]
            ).map { row in
                EventArrival(
                    origin: try NodeID(row["origin"]), author: try CourtCode(row["author"]),
                    recordedAt: try Timestamp(rfc3339: row["recorded_at"]),
                    storedAt: try Timestamp(rfc3339: row["stored_at"]))
            }
        }
    }

    /// The latest event each other node made that this replica holds: (origin, author, when it
    /// was stored), for nodes that made no event within a latency window.
    public func lastArrivals() throws(ReplicaError) -> [EventArrival] {
        let own = identity.node.rawValue
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT origin, author, recorded_at, max(stored_at) AS stored_at FROM events
                    WHERE origin != ? GROUP BY origin ORDER BY origin
                    """,
                arguments: [own]
            ).map { row in
                EventArrival(
                    origin: try NodeID(row["origin"]), author: try CourtCode(row["author"]),
                    recordedAt: try Timestamp(rfc3339: row["recorded_at"]),
                    storedAt: try Timestamp(rfc3339: row["stored_at"]))
            }
        }
    }

    /// Records an authenticated sync request from another node, in memory (``ContactBuffer``):
    /// written to the file by the next ``flushContacts()``.
    public func recordContact(
        node: NodeID, court: CourtCode, request: NodeContact.Request, at now: Timestamp, pulledAfter: Int64? = nil,
        pushedThrough: Int64? = nil, greeting: NodeContact.Greeting? = nil
    ) {
        contactBuffer.withLock {
            $0.record(
                node: node, court: court, request: request, at: now, pulledAfter: pulledAfter,
                pushedThrough: pushedThrough, greeting: greeting)
        }
    }

    /// Writes the contacts recorded since the last flush to `node_contacts`, in one transaction;
    /// if that fails they are kept for the next flush. Returns how many nodes were written.
    @discardableResult
    public func flushContacts() throws(ReplicaError) -> Int {
        let entries = contactBuffer.withLock { $0.drain() }
        guard !entries.isEmpty else { return 0 }
        do throws(ReplicaError) {
            try write { tx in try ContactBuffer.write(entries, in: tx.db) }
        } catch {
            contactBuffer.withLock { buffer in
                for (node, entry) in entries { buffer.restore(entry, of: node) }
            }
            throw error
        }
        return entries.count
    }

    /// Every node that has called this one, by node id.
    public func contacts() throws(ReplicaError) -> [NodeContact] {
        let stored = try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM node_contacts ORDER BY node_id").map { row in
                NodeContact(
                    node: try NodeID(row["node_id"]), court: try CourtCode(row["court"]),
                    lastContactAt: try Timestamp(rfc3339: row["last_contact_at"]),
                    lastRequest: NodeContact.Request(rawValue: row["last_request"]) ?? .hello,
                    pulledAfter: row["pulled_after"], requests: row["requests"],
                    greeting: (row["protocol_version"] as Int?).map {
                        NodeContact.Greeting(protocolVersion: $0, software: row["software"] ?? "")
                    })
            }
        }
        return contactBuffer.withLock { buffer in
            var byNode = Dictionary(stored.map { ($0.node, $0) }, uniquingKeysWith: { first, _ in first })
            for node in buffer.entries.keys { byNode[node] = buffer.overlaying(byNode[node], node: node) }
            return byNode.values.sorted { $0.node < $1.node }
        }
    }
}
