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
    /// Its first authenticated request.
    public var firstContactAt: Timestamp
    /// Its latest authenticated request.
    public var lastContactAt: Timestamp
    /// What the latest request was.
    public var lastRequest: Request
    /// The `after` of its latest pull: it holds this node's events up to there.
    public var pulledAfter: Int64?
    /// The sequence (its own) its latest push reached.
    public var pushedThrough: Int64?
    /// How many authenticated requests it made.
    public var requests: Int
}

extension Replica {
    /// The timings of the matters a period touches: sent, signed, completed, returned or
    /// withdrawn within `period` (`nil`: every matter), plus every open matter (for the overdue
    /// count, which is taken at an instant).
    public func matterTimings(touching period: Range<Timestamp>? = nil) throws(ReplicaError) -> [MatterTiming] {
        guard let period else { return try timings(where: nil, arguments: []) }
        let columns = ["sent_at", "signed_at", "completed_at", "returned_at", "withdrawn_at"]
        var arguments: StatementArguments = []
        for _ in columns { arguments += [period.lowerBound.rfc3339, period.upperBound.rfc3339] }
        return try timings(
            where: "state IN ('sent', 'signed', 'inProgress') OR "
                + columns.map { "(\($0) >= ? AND \($0) < ?)" }.joined(separator: " OR "),
            arguments: arguments)
    }

    /// The timings of the open matters (待签收, 已签收, 办理中).
    public func openMatterTimings() throws(ReplicaError) -> [MatterTiming] {
        try timings(where: "state IN ('sent', 'signed', 'inProgress')", arguments: [])
    }

    private func timings(where clause: String?, arguments: StatementArguments) throws(ReplicaError) -> [MatterTiming] {
        let sql = """
            SELECT id, case_number, entrusting_court, entrusted_court, kind, urgent, state, sent_at, received_at,
                signed_at, completed_at, returned_at, withdrawn_at, sign_due_date, due_date, urge_count, supervised
            FROM matters \(clause.map { "WHERE " + $0 } ?? "") ORDER BY id
            """
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                func time(_ column: String) throws -> Timestamp? {
                    try (row[column] as String?).map { try Timestamp(rfc3339: $0) }
                }
                guard let state = MatterState(rawValue: row["state"]) else {
                    throw ReplicaError(.corrupt, "matters row \(row["id"] as String? ?? "?") has an unknown state")
                }
                return MatterTiming(
                    id: try MatterID(row["id"]), caseNumber: try CaseNumber(parsing: row["case_number"]),
                    entrustingCourt: try CourtCode(row["entrusting_court"]),
                    entrustedCourt: try CourtCode(row["entrusted_court"]), kind: try MatterKind(id: row["kind"]),
                    urgent: row["urgent"], state: state, sentAt: try time("sent_at")!,
                    receivedAt: try time("received_at"), signedAt: try time("signed_at"),
                    completedAt: try time("completed_at"), returnedAt: try time("returned_at"),
                    withdrawnAt: try time("withdrawn_at"), signDue: try CivilDate(parsing: row["sign_due_date"]),
                    due: try CivilDate(parsing: row["due_date"]), urgeCount: row["urge_count"],
                    supervised: row["supervised"])
            }
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

    /// Records an authenticated sync request from another node.
    public func recordContact(
        node: NodeID, court: CourtCode, request: NodeContact.Request, at now: Timestamp, pulledAfter: Int64? = nil,
        pushedThrough: Int64? = nil
    ) throws(ReplicaError) {
        try write { tx in
            try tx.db.execute(
                sql: """
                    INSERT INTO node_contacts (node_id, court, first_contact_at, last_contact_at, last_request,
                        pulled_after, pushed_through, requests)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1)
                    ON CONFLICT(node_id) DO UPDATE SET court = excluded.court,
                        last_contact_at = excluded.last_contact_at, last_request = excluded.last_request,
                        pulled_after = coalesce(excluded.pulled_after, pulled_after),
                        pushed_through = coalesce(excluded.pushed_through, pushed_through),
                        requests = requests + 1
                    """,
                arguments: [
                    node.rawValue, court.rawValue, now.rfc3339, now.rfc3339, request.rawValue, pulledAfter,
                    pushedThrough,
                ])
        }
    }

    /// Every node that has called this one, by node id.
    public func contacts() throws(ReplicaError) -> [NodeContact] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM node_contacts ORDER BY node_id").map { row in
                NodeContact(
                    node: try NodeID(row["node_id"]), court: try CourtCode(row["court"]),
                    firstContactAt: try Timestamp(rfc3339: row["first_contact_at"]),
                    lastContactAt: try Timestamp(rfc3339: row["last_contact_at"]),
                    lastRequest: NodeContact.Request(rawValue: row["last_request"]) ?? .hello,
                    pulledAfter: row["pulled_after"], pushedThrough: row["pushed_through"], requests: row["requests"])
            }
        }
    }
}
