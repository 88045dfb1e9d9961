import Entrustment
import GRDB

/// Maps a matter's ``Conflict``s to and from rows of the `conflicts` table. The rows are
/// rewritten whenever the matter is refolded: they are a materialised view of the fold.
enum ConflictRow {
    static func replace(_ conflicts: [Conflict], of matter: MatterID, in db: Database) throws {
        try db.executeCached(sql: "DELETE FROM conflicts WHERE matter_id = ?", arguments: [matter.rawValue])
        for c in conflicts {
            let ack = c.acknowledgement
            try db.executeCached(
                sql: """
                    INSERT INTO conflicts (id, matter_id, rule, status, winner_event, winner_kind, winner_author,
                        winner_origin, winner_at, winner_detail, superseded_kind, superseded_author,
                        superseded_origin, superseded_at, superseded_detail, ack_event, ack_court, ack_at, ack_note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    c.id.hex, matter.rawValue, c.rule.rawValue, c.status.rawValue, c.winner.id.hex,
                    c.winner.kind.rawValue, c.winner.author.rawValue, c.winner.origin.rawValue,
                    c.winner.recordedAt.rfc3339, c.winner.detail, c.superseded.kind.rawValue,
                    c.superseded.author.rawValue, c.superseded.origin.rawValue, c.superseded.recordedAt.rfc3339,
                    c.superseded.detail, ack?.event.hex, ack?.court.rawValue, ack?.at.rfc3339, ack?.note,
                ])
        }
    }

    /// The conflicts of the given matters, by matter id, each list ordered as the fold orders it.
    static func fetch(matters ids: [String], in db: Database) throws -> [String: [Conflict]] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: [Conflict]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let list = chunk.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM conflicts WHERE matter_id IN (\(list)) ORDER BY superseded_at, id",
                arguments: StatementArguments(chunk))
            for row in rows { found[row["matter_id"], default: []].append(try load(row)) }
        }
        return found
    }

    static func load(_ row: Row) throws -> Conflict {
        func summary(_ prefix: String, id: String) throws -> EventSummary {
            guard let kind = EventKind(rawValue: row["\(prefix)_kind"]) else {
                throw ReplicaError(.corrupt, "conflict \(row["id"] as String? ?? "?") has an unknown event kind")
            }
            return EventSummary(
                id: try EventID(hex: id), kind: kind, author: try CourtCode(row["\(prefix)_author"]),
                origin: try NodeID(row["\(prefix)_origin"]), recordedAt: try Timestamp(rfc3339: row["\(prefix)_at"]),
                detail: row["\(prefix)_detail"])
        }
        guard let rule = ConflictRule(rawValue: row["rule"]) else {
            throw ReplicaError(.corrupt, "conflict \(row["id"] as String? ?? "?") has an unknown rule")
        }
        var acknowledgement: Conflict.Acknowledgement?
        if let event: String = row["ack_event"] {
            acknowledgement = Conflict.Acknowledgement(
                event: try EventID(hex: event), court: try CourtCode(row["ack_court"]),
                at: try Timestamp(rfc3339: row["ack_at"]), note: row["ack_note"] ?? "")
        }
        return Conflict(
            matterID: try MatterID(row["matter_id"]), rule: rule,
            winner: try summary("winner", id: row["winner_event"]),
            superseded: try summary("superseded", id: row["id"]), acknowledgement: acknowledgement)
    }
}
