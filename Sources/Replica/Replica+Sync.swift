import Entrustment
import Foundation
import GRDB

/// A bounded run of events to send to another node, read from one consistent snapshot.
public struct ChangeBatch: Sendable {
    /// The events, in arrival order (parents before children).
    public var events: [Event]
    /// The highest arrival sequence the batch covers: every event up to it was either included
    /// or is not for the receiver. The receiver's cursor after applying the batch.
    public var through: Int64
    /// This replica's highest arrival sequence when the batch was read.
    public var head: Int64
    /// The sum of the events' encoded sizes.
    public var payloadBytes: Int

    /// Whether events remain after this batch.
    public var hasMore: Bool { through < head }
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
    /// The highest arrival sequence stored (0 for an empty replica).
    public func headSequence() throws(ReplicaError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(arrival_seq) FROM events") ?? 0 }
    }

    /// The events after arrival sequence `after` that the selection lets through, at most
    /// `maxEvents` of them and (beyond the first) at most `maxBytes` of encoded events.
    public func changes(
        after: Int64, for selection: ChangeSelection, maxEvents: Int, maxBytes: Int
    ) throws(ReplicaError) -> ChangeBatch {
        let (sql, arguments) = selectionQuery(
            columns: "e.arrival_seq, e.encoded, e.signature", after: after, selection: selection,
            suffix: "ORDER BY e.arrival_seq LIMIT ?")
        return try read { db in
            let head = try Int64.fetchOne(db, sql: "SELECT max(arrival_seq) FROM events") ?? 0
            var batch = ChangeBatch(events: [], through: max(after, head), head: head, payloadBytes: 0)
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments + [max(1, maxEvents)])
            var last = after
            while let row = try rows.next() {
                let encoded = [UInt8](row["encoded"] as Data)
                if !batch.events.isEmpty, batch.payloadBytes + encoded.count > maxBytes {
                    batch.through = last
                    return batch
                }
                batch.events.append(try Replica.storedEvent(encoded: Data(encoded), signature: row["signature"]))
                batch.payloadBytes += encoded.count
                last = row["arrival_seq"]
            }
            if batch.events.count >= max(1, maxEvents) { batch.through = last }
            return batch
        }
    }

    /// How many events after `after` the selection lets through (a link's backlog).
    public func pendingCount(after: Int64, for selection: ChangeSelection) throws(ReplicaError) -> Int {
        let (sql, arguments) = selectionQuery(columns: "count(*)", after: after, selection: selection, suffix: "")
        return try read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
    }

    private func selectionQuery(
        columns: String, after: Int64, selection: ChangeSelection, suffix: String
    ) -> (String, StatementArguments) {
        var sql = "SELECT \(columns) FROM events e"
        var clauses = ["e.arrival_seq > ?"]
        var arguments: StatementArguments = [after]
        if let court = selection.court, court != .supreme {
            let courts = directory.jurisdiction(of: court).map(\.rawValue)
            let list = courts.map { _ in "?" }.joined(separator: ",")
            sql += " JOIN matters m ON m.id = e.matter_id"
            clauses.append("(m.entrusting_court IN (\(list)) OR m.entrusted_court IN (\(list)))")
            arguments += StatementArguments(courts + courts)
        }
        if let node = selection.excludingNode {
            clauses.append("e.origin != ? AND (e.received_from IS NULL OR e.received_from != ?)")
            arguments += [node.rawValue, node.rawValue]
        }
        return ("\(sql) WHERE \(clauses.joined(separator: " AND ")) \(suffix)", arguments)
    }
}
