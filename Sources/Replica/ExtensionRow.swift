import Entrustment
import GRDB

/// Maps a matter's ``ExtensionRequest``s (延期申请) to and from rows of the `extensions` table: a
/// materialised view of the fold, rewritten whenever the matter is refolded.
enum ExtensionRow {
    /// Rewrites the requests of `matter`. A matter once with a request always has one that stands,
    /// so a matter without any has no rows to remove.
    static func replace(_ requests: [ExtensionRequest], of matter: MatterID, in db: Database) throws {
        guard !requests.isEmpty else { return }
        try db.executeCached(sql: "DELETE FROM extensions WHERE matter_id = ?", arguments: [matter.rawValue])
        for (position, r) in requests.enumerated() {
            let d = r.decision
            try db.executeCached(
                sql: """
                    INSERT INTO extensions (event_id, matter_id, position, court, requested_at, days, reason, status,
                        decision_event, decision_court, decided_at, verdict, decision_note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    r.event.hex, matter.rawValue, position, r.court.rawValue, r.requestedAt.rfc3339, r.days, r.reason,
                    r.status.rawValue, d?.event.hex, d?.court.rawValue, d?.at.rfc3339, d?.verdict.rawValue, d?.note,
                ])
        }
    }

    /// The requests of the given matters, by matter id, in fold order.
    static func fetch(matters ids: [String], in db: Database) throws -> [String: [ExtensionRequest]] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: [ExtensionRequest]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let list = chunk.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM extensions WHERE matter_id IN (\(list)) ORDER BY matter_id, position",
                arguments: StatementArguments(chunk))
            for row in rows { found[row["matter_id"], default: []].append(try load(row)) }
        }
        return found
    }

    static func load(_ row: Row) throws -> ExtensionRequest {
        var decision: ExtensionDecision?
        if let event: String = row["decision_event"] {
            guard let verdict = ExtensionVerdict(rawValue: row["verdict"]) else {
                throw ReplicaError(
                    .corrupt, "extensions row \(row["event_id"] as String? ?? "?") has an unknown verdict")
            }
            decision = ExtensionDecision(
                event: try EventID(hex: event), court: try CourtCode(row["decision_court"]),
                at: try Timestamp(rfc3339: row["decided_at"]), verdict: verdict, note: row["decision_note"])
        }
        return ExtensionRequest(
            event: try EventID(hex: row["event_id"]), court: try CourtCode(row["court"]),
            requestedAt: try Timestamp(rfc3339: row["requested_at"]), days: row["days"], reason: row["reason"],
            decision: decision)
    }
}
