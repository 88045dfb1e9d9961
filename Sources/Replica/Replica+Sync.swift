import Entrustment
import Foundation
import GRDB

/// A bounded run of events and witnesses to send to another node, read from one consistent snapshot.
public struct ChangeBatch: Sendable {
    /// The events, in arrival order (parents before children).
    public var events: [Event]
    /// The hub's witnesses, in arrival order.
    public var witnesses: [Witness]
    /// The highest arrival sequence the batch covers: every event and witness up to it was either
    /// included or is not for the receiver. The receiver's cursor after applying the batch.
    public var through: Int64
    /// This replica's highest arrival sequence when the batch was read.
    public var head: Int64
    /// The sum of the events' and witnesses' encoded sizes.
    public var payloadBytes: Int

    /// A batch with nothing after `after`, at `head`.
    public static func empty(after: Int64, head: Int64) -> ChangeBatch {
        ChangeBatch(events: [], witnesses: [], through: max(after, head), head: head, payloadBytes: 0)
    }

    /// Whether events remain after this batch.
    public var hasMore: Bool { through < head }
    /// Whether the batch carries nothing.
    public var isEmpty: Bool { events.isEmpty && witnesses.isEmpty }
}

/// Which events go to a receiver: those of matters its court may see, except those it made or
/// that arrived from it.
public struct ChangeSelection: Sendable {
    /// The receiving court (`nil`: every matter, for the hub).
    public var court: CourtCode?
    /// The receiving node: events it made, or that arrived from it, are not sent back.
    public var excludingNode: NodeID?

    public init(court: CourtCode?, excludingNode: NodeID?) {
        self.court = court
        self.excludingNode = excludingNode
    }
}

extension Replica {
    /// The highest arrival sequence given out, to an event or a witness (0 for an empty replica).
    public func headSequence() throws(ReplicaError) -> Int64 {
        try read { db in try Self.head(db) }
    }

    static func head(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT head_seq FROM node WHERE id = 1") ?? 0
    }

    /// The events and witnesses after arrival sequence `after` that the selection lets through,
    /// in arrival order: at most `maxEvents` records and (beyond the first) at most `maxBytes` of
    /// encoded records.
    public func changes(
        after: Int64, for selection: ChangeSelection, maxEvents: Int, maxBytes: Int
    ) throws(ReplicaError) -> ChangeBatch {
        let query = changesQuery(after: after, for: selection, maxEvents: maxEvents)
        return try read { db in try Self.changes(query, after: after, maxBytes: maxBytes, in: db) }
    }

    /// ``changes(after:for:maxEvents:maxBytes:)`` through GRDB's async API (a pull at the hub).
    public func changes(
        after: Int64, for selection: ChangeSelection, maxEvents: Int, maxBytes: Int
    ) async throws(ReplicaError) -> ChangeBatch {
        let query = changesQuery(after: after, for: selection, maxEvents: maxEvents)
        return try await read { db in try Self.changes(query, after: after, maxBytes: maxBytes, in: db) }
    }

    /// The two queries of a change batch (events, witnesses) and the record limit.
    struct ChangesQuery: Sendable {
        var events: (String, StatementArguments)
        var witnesses: (String, StatementArguments)
        var limit: Int
    }

    func changesQuery(after: Int64, for selection: ChangeSelection, maxEvents: Int) -> ChangesQuery {
        ChangesQuery(
            events: selectionQuery(
                table: "events", columns: "e.arrival_seq, e.id, e.encoded, e.signature", after: after,
                selection: selection, suffix: "ORDER BY e.arrival_seq LIMIT ?"),
            witnesses: selectionQuery(
                table: "witnesses", columns: "e.arrival_seq, e.encoded, e.signature", after: after,
                selection: selection, suffix: "ORDER BY e.arrival_seq LIMIT ?"),
            limit: max(1, maxEvents))
    }

    static func changes(_ query: ChangesQuery, after: Int64, maxBytes: Int, in db: Database) throws
        -> ChangeBatch
    {
        let limit = query.limit
        let (eventSQL, eventArguments) = query.events
        let (witnessSQL, witnessArguments) = query.witnesses
        let head = try Self.head(db)
        var batch = ChangeBatch(events: [], witnesses: [], through: max(after, head), head: head, payloadBytes: 0)
        // Rows are copied out of their cursor at once: a cursor reuses its row.
        let events = try Row.fetchCursor(db, sql: eventSQL, arguments: eventArguments + [limit])
        let witnesses = try Row.fetchCursor(db, sql: witnessSQL, arguments: witnessArguments + [limit])
        var nextEvent = try events.next()?.copy()
        var nextWitness = try witnesses.next()?.copy()
        var last = after
        var records = 0
        while records < limit {
            let eventSeq: Int64? = nextEvent?["arrival_seq"]
            let witnessSeq: Int64? = nextWitness?["arrival_seq"]
            guard eventSeq != nil || witnessSeq != nil else { return batch }
            let takeEvent = witnessSeq == nil || (eventSeq != nil && eventSeq! < witnessSeq!)
            let row = takeEvent ? nextEvent! : nextWitness!
            let encoded = [UInt8](row["encoded"] as Data)
            if records > 0, batch.payloadBytes + encoded.count > maxBytes {
                batch.through = last
                return batch
            }
            if takeEvent {
                batch.events.append(
                    try Replica.storedEvent(id: row["id"], encoded: Data(encoded), signature: row["signature"]))
                nextEvent = try events.next()?.copy()
            } else {
                batch.witnesses.append(
                    try Replica.storedWitness(encoded: Data(encoded), signature: row["signature"]))
                nextWitness = try witnesses.next()?.copy()
            }
            batch.payloadBytes += encoded.count
            last = row["arrival_seq"]
            records += 1
        }
        batch.through = last
        return batch
    }

    /// How many events after `after` the selection lets through (a link's backlog).
    public func pendingCount(after: Int64, for selection: ChangeSelection) throws(ReplicaError) -> Int {
        let (sql, arguments) = selectionQuery(
            table: "events", columns: "count(*)", after: after, selection: selection, suffix: "")
        return try read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    /// The query for the rows of `table` (`events` or `witnesses`, both with `arrival_seq`,
    /// `matter_id` and `received_from`) after `after` that the selection lets through.
    func selectionQuery(
        table: String, columns: String, after: Int64, selection: ChangeSelection, suffix: String
    ) -> (String, StatementArguments) {
        var sql = "SELECT \(columns) FROM \(table) e"
        var clauses = ["e.arrival_seq > ?"]
        var arguments: StatementArguments = [after]
        if let court = selection.court, court != .supreme {
            let courts = directory.jurisdiction(of: court).map(\.rawValue)
            let list = courts.map { _ in "?" }.joined(separator: ",")
            // Two plans, by how much of the traffic the court may see. A high court sees its whole
            // province: CROSS JOIN keeps SQLite on the rows after the cursor in arrival order,
            // looking each matter up by its key, and stops at the limit (left to itself, SQLite
            // reads every matter of the court and sorts their events on every pull: half a
            // second a pull at a million events). A basic or intermediate court sees a small
            // share: there SQLite's own plan, from the court's matters to their events after the
            // cursor, reads only what is the court's, where walking the whole history after a
            // far cursor would read everyone's.
            let join = court.level == .high ? "CROSS JOIN" : "JOIN"
            sql += " \(join) matters m ON m.id = e.matter_id"
            clauses.append("(m.entrusting_court IN (\(list)) OR m.entrusted_court IN (\(list)))")
            arguments += StatementArguments(courts + courts)
        }
        if let node = selection.excludingNode {
            if table == "events" {
                clauses.append("e.origin != ?")
                arguments += [node.rawValue]
            }
            clauses.append("(e.received_from IS NULL OR e.received_from != ?)")
            arguments += [node.rawValue]
        }
        return ("\(sql) WHERE \(clauses.joined(separator: " AND ")) \(suffix)", arguments)
    }
}
