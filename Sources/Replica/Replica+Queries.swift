import Entrustment
import Foundation
import GRDB

/// Which matters to list.
public struct MatterFilter: Sendable {
    /// Only matters in this state.
    public var state: MatterState?
    /// Only open matters past their completion deadline at this instant.
    public var overdueAt: Timestamp?
    /// Only matters this court is a party to (as entrusting or entrusted court).
    public var court: CourtCode?
    /// Only matters with a request for more time waiting for a decision (待审批延期).
    public var pendingExtension: Bool

    public init(
        state: MatterState? = nil, overdueAt: Timestamp? = nil, court: CourtCode? = nil, pendingExtension: Bool = false
    ) {
        self.pendingExtension = pendingExtension
        self.state = state
        self.overdueAt = overdueAt
        self.court = court
    }
}

/// An event as this replica stores it: the event and its local arrival sequence and time.
public struct StoredEvent: Sendable {
    /// The local arrival sequence (1, 2, 3 … in the order this replica stored events).
    public let sequence: Int64
    /// When this replica stored it.
    public let storedAt: Timestamp
    /// The event.
    public let event: Event
}

extension Replica {
    /// The matter with that id, or `nil`.
    public func matter(_ id: MatterID) throws(ReplicaError) -> Matter? {
        try read { db in
            try MatterRow.loadAll(
                Row.fetchAll(db, sql: "SELECT * FROM matters WHERE id = ?", arguments: [id.rawValue]), in: db
            ).first
        }
    }

    /// Matters matching the filter, newest first.
    public func matters(_ filter: MatterFilter = MatterFilter()) throws(ReplicaError) -> [Matter] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if let state = filter.state {
            clauses.append("state = ?")
            _ = arguments.append(contentsOf: [state.rawValue])
        }
        if let now = filter.overdueAt {
            clauses.append("state IN ('sent', 'signed', 'inProgress') AND counted_due_at_ms <= ?")
            _ = arguments.append(contentsOf: [now.milliseconds])
        }
        if let court = filter.court {
            clauses.append("(entrusting_court = ? OR entrusted_court = ?)")
            _ = arguments.append(contentsOf: [court.rawValue, court.rawValue])
        }
        if filter.pendingExtension { clauses.append("extension_pending = 1") }
        let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        let sql = "SELECT * FROM matters \(whereClause) ORDER BY sent_at DESC, id DESC"
        return try read { db in try MatterRow.loadAll(Row.fetchAll(db, sql: sql, arguments: arguments), in: db) }
    }

    /// The events of one matter, in arrival order.
    public func events(of matter: MatterID) throws(ReplicaError) -> [StoredEvent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT arrival_seq, id, stored_at, encoded, signature FROM events WHERE matter_id = ? ORDER BY arrival_seq",
                arguments: [matter.rawValue]
            ).map(Self.storedEvent)
        }
    }

    /// Events and witnesses stored after arrival sequence `sequence`, in arrival order, optionally
    /// only those of matters `court` may see; and the highest sequence looked at.
    public func events(after sequence: Int64, visibleTo court: CourtCode? = nil) throws(ReplicaError) -> (
        events: [Event], witnesses: [Witness], through: Int64
    ) {
        let directory = self.directory
        return try read { db in
            var visible: [String: Bool] = [:]
            if let court {
                for row in try Row.fetchAll(db, sql: "SELECT id, entrusting_court, entrusted_court FROM matters") {
                    let roles = Role.roles(
                        of: court, entrusting: try CourtCode(row["entrusting_court"]),
                        entrusted: try CourtCode(row["entrusted_court"]), in: directory)
                    visible[row["id"]] = !roles.isEmpty
                }
            }
            var events: [Event] = []
            var through = sequence
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT arrival_seq, id, matter_id, encoded, signature FROM events WHERE arrival_seq > ? ORDER BY arrival_seq",
                arguments: [sequence])
            while let row = try rows.next() {
                through = max(through, row["arrival_seq"])
                if court != nil, visible[row["matter_id"]] != true { continue }
                events.append(
                    try Replica.storedEvent(id: row["id"], encoded: row["encoded"], signature: row["signature"]))
            }
            var witnesses: [Witness] = []
            let witnessRows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT arrival_seq, matter_id, encoded, signature FROM witnesses WHERE arrival_seq > ? ORDER BY arrival_seq",
                arguments: [sequence])
            while let row = try witnessRows.next() {
                through = max(through, row["arrival_seq"])
                if court != nil, visible[row["matter_id"]] != true { continue }
                witnesses.append(try Replica.storedWitness(encoded: row["encoded"], signature: row["signature"]))
            }
            return (events, witnesses, through)
        }
    }

    /// The number of events stored.
    public func eventCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    /// The number of matters held.
    public func matterCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM matters") ?? 0 }
    }

    private static func storedEvent(_ row: Row) throws -> StoredEvent {
        StoredEvent(
            sequence: row["arrival_seq"], storedAt: try Timestamp(rfc3339: row["stored_at"]),
            event: try Replica.storedEvent(id: row["id"], encoded: row["encoded"], signature: row["signature"]))
    }
}
