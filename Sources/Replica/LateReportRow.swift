import Entrustment
import GRDB

/// Maps a matter's ``LateReport``s to and from rows of the `late_reports` table.
enum LateReportRow {
    /// Replaces the late reports of one matter.
    static func replace(_ reports: [LateReport], of matter: MatterID, in db: Database) throws {
        try db.executeCached(sql: "DELETE FROM late_reports WHERE matter_id = ?", arguments: [matter.rawValue])
        for report in reports {
            try db.executeCached(
                sql: """
                    INSERT INTO late_reports (event_id, matter_id, kind, author, recorded_at, witnessed_at, delay_ms,
                        hub_downtime_ms, grace_ms, accepted_by, accepted_at, accepted_note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    report.event.hex, matter.rawValue, report.kind.rawValue, report.author.rawValue,
                    report.recordedAt.rfc3339, report.witnessedAt.rfc3339, report.delayMilliseconds,
                    report.hubDowntimeMilliseconds, report.graceMilliseconds, report.acceptance?.event.hex,
                    report.acceptance?.at.rfc3339, report.acceptance?.note,
                ])
        }
    }

    /// The report in `row`.
    static func load(_ row: Row) throws -> LateReport {
        let acceptance: LateAcceptance? = try (row["accepted_by"] as String?).map {
            LateAcceptance(
                event: try EventID(hex: $0), at: try Timestamp(rfc3339: row["accepted_at"]), note: row["accepted_note"])
        }
        guard let kind = EventKind(rawValue: row["kind"]) else {
            throw ReplicaError(.corrupt, "late_reports row \(row["event_id"] as String? ?? "?") has an unknown kind")
        }
        return LateReport(
            event: try EventID(hex: row["event_id"]), matter: try MatterID(row["matter_id"]), kind: kind,
            author: try CourtCode(row["author"]), recordedAt: try Timestamp(rfc3339: row["recorded_at"]),
            witnessedAt: try Timestamp(rfc3339: row["witnessed_at"]), hubDowntimeMilliseconds: row["hub_downtime_ms"],
            graceMilliseconds: row["grace_ms"], acceptance: acceptance)
    }
}

extension Replica {
    /// The late reports held (迟报), newest witness first; with `open`, only those not accepted.
    public func lateReports(open: Bool = false, matter: MatterID? = nil) throws(ReplicaError) -> [LateReport] {
        var clauses: [String] = []
        var arguments: StatementArguments = []
        if open { clauses.append("accepted_by IS NULL") }
        if let matter {
            clauses.append("matter_id = ?")
            arguments += [matter.rawValue]
        }
        let filter = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
        return try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM late_reports \(filter) ORDER BY witnessed_at DESC, event_id",
                arguments: arguments
            ).map(LateReportRow.load)
        }
    }
}
