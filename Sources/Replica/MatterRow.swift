import Entrustment
import GRDB

/// Maps a folded ``Matter`` to and from a row of the `matters` table.
enum MatterRow {
    /// Loads the matters of `rows` with their conflicts (two queries, whatever the number of rows).
    static func loadAll(_ rows: [Row], in db: Database) throws -> [Matter] {
        let ids: [String] = rows.map { $0["id"] }
        let conflicts = try ConflictRow.fetch(matters: ids, in: db)
        let documents = try AttachmentRow.fetch(matters: ids, in: db)
        let extensions = try ExtensionRow.fetch(matters: ids, in: db)
        return try rows.map {
            try load(
                $0, conflicts: conflicts[$0["id"], default: []], documents: documents[$0["id"], default: []],
                extensions: extensions[$0["id"], default: []])
        }
    }

    /// Saves a folded matter, the times that count (``HonestTime``) and its late reports.
    static func save(_ matter: Matter, counted: CountedTimes, firstStoredAt: Timestamp, in db: Database) throws {
        let r = matter.request
        let heads = matter.heads.map(\.hex).joined(separator: " ")
        let superseded = matter.superseded.map(\.hex).joined(separator: " ")
        let digest = MatterDigest.of(matter).hex
        let onTime: Int? = counted.onTime.map { $0 ? 1 : 0 }
        let s = matter.supplement
        try db.executeCached(
            sql: """
                INSERT INTO matters (id, case_number, entrusting_court, entrusted_court, kind, state, urgent,
                    applicant, debtor, debtor_id, measure_expires, note, sent_at, signed_at, started_at,
                    completed_at, returned_at, withdrawn_at, closed_at, sign_due_date, due_date, due_at_ms, on_time,
                    outcome, feedback, return_reason, urge_count, supervised, heads, event_count, superseded,
                    last_activity_at, first_stored_at, contact_person, contact_phone, current_note, open_conflicts,
                    digest, received_at, calendar_version, counted_sent_at, counted_received_at, counted_signed_at,
                    counted_completed_at, counted_returned_at, counted_withdrawn_at, counted_sign_due, counted_due,
                    counted_due_at_ms, due_provisional, sign_due_provisional, late_reports, supplement_event,
                    supplement_court, supplement_requested_at, supplement_kinds, supplement_note, supplement_due,
                    supplement_lapses_at_ms, supplement_answered_at, deemed_withdrawn, missing_documents,
                    counted_extended_due, counted_extended_due_at_ms, extension_pending)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
                    ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET state = excluded.state, signed_at = excluded.signed_at,
                    started_at = excluded.started_at, completed_at = excluded.completed_at,
                    returned_at = excluded.returned_at, withdrawn_at = excluded.withdrawn_at,
                    closed_at = excluded.closed_at, on_time = excluded.on_time, outcome = excluded.outcome,
                    feedback = excluded.feedback, return_reason = excluded.return_reason,
                    urge_count = excluded.urge_count, supervised = excluded.supervised, heads = excluded.heads,
                    event_count = excluded.event_count, superseded = excluded.superseded,
                    last_activity_at = excluded.last_activity_at, contact_person = excluded.contact_person,
                    contact_phone = excluded.contact_phone, current_note = excluded.current_note,
                    open_conflicts = excluded.open_conflicts, digest = excluded.digest,
                    received_at = excluded.received_at, counted_sent_at = excluded.counted_sent_at,
                    counted_received_at = excluded.counted_received_at,
                    counted_signed_at = excluded.counted_signed_at,
                    counted_completed_at = excluded.counted_completed_at,
                    counted_returned_at = excluded.counted_returned_at,
                    counted_withdrawn_at = excluded.counted_withdrawn_at,
                    counted_sign_due = excluded.counted_sign_due, counted_due = excluded.counted_due,
                    counted_due_at_ms = excluded.counted_due_at_ms, due_provisional = excluded.due_provisional,
                    sign_due_provisional = excluded.sign_due_provisional, late_reports = excluded.late_reports,
                    supplement_event = excluded.supplement_event, supplement_court = excluded.supplement_court,
                    supplement_requested_at = excluded.supplement_requested_at,
                    supplement_kinds = excluded.supplement_kinds, supplement_note = excluded.supplement_note,
                    supplement_due = excluded.supplement_due,
                    supplement_lapses_at_ms = excluded.supplement_lapses_at_ms,
                    supplement_answered_at = excluded.supplement_answered_at,
                    deemed_withdrawn = excluded.deemed_withdrawn, missing_documents = excluded.missing_documents,
                    counted_extended_due = excluded.counted_extended_due,
                    counted_extended_due_at_ms = excluded.counted_extended_due_at_ms,
                    extension_pending = excluded.extension_pending
                """,
            arguments: [
                matter.id.rawValue, r.caseNumber.description, matter.entrustingCourt.rawValue,
                r.entrustedCourt.rawValue, r.kind.id, matter.state.rawValue, r.urgent, r.applicant, r.debtor,
                r.debtorID, r.measureExpires?.description, r.note, matter.sentAt.rfc3339, matter.signedAt?.rfc3339,
                matter.startedAt?.rfc3339, matter.completedAt?.rfc3339, matter.returnedAt?.rfc3339,
                matter.withdrawnAt?.rfc3339, matter.closedAt?.rfc3339, r.signDue.description, r.due.description,
                DeadlinePolicy.end(of: r.due).milliseconds, onTime, matter.outcome?.rawValue, matter.feedback,
                matter.returnReason?.rawValue, matter.urgeCount, matter.supervised, heads, matter.eventCount,
                superseded, matter.lastActivityAt.rfc3339, firstStoredAt.rfc3339, matter.contactPerson,
                matter.contactPhone, matter.note, matter.openConflicts.count, digest, matter.receivedAt?.rfc3339,
                r.calendarVersion, counted.sentAt.rfc3339, counted.receivedAt?.rfc3339, counted.signedAt?.rfc3339,
                counted.completedAt?.rfc3339, counted.returnedAt?.rfc3339, counted.withdrawnAt?.rfc3339,
                counted.deadlines.signDue.description, counted.deadlines.due.description,
                counted.deadlines.dueAt.milliseconds, counted.deadlines.provisional,
                counted.deadlines.signDueProvisional,
                counted.lateReports.filter { $0.acceptance == nil }.count, s?.event.hex, s?.court.rawValue,
                s?.requestedAt.rfc3339, s?.kinds.map(\.rawValue).joined(separator: ","), s?.note, s?.due.description,
                s?.lapsesAt.milliseconds, s?.answeredAt?.rfc3339, matter.deemedWithdrawn,
                matter.missingDocuments.map(\.rawValue).joined(separator: ","),
                counted.deadlines.extendedDue?.description,
                counted.deadlines.extendedDue.map { DeadlinePolicy.end(of: $0).milliseconds },
                matter.pendingExtension != nil,
            ])
        try ConflictRow.replace(matter.conflicts, of: matter.id, in: db)
        try LateReportRow.replace(counted.lateReports, of: matter.id, in: db)
        try AttachmentRow.replace(matter.documents, of: matter.id, in: db)
        try ExtensionRow.replace(matter.extensions, of: matter.id, in: db)
    }

    /// The matter in `row`, with its conflicts (from the `conflicts` table).
    static func load(
        _ row: Row, conflicts: [Conflict], documents: [AttachedDocument], extensions: [ExtensionRequest]
    ) throws -> Matter {
        func timestamp(_ column: String) throws -> Timestamp? {
            guard let text: String = row[column] else { return nil }
            return try Timestamp(rfc3339: text)
        }
        func ids(_ column: String) throws -> [EventID] {
            let text: String = row[column]
            return try text.split(separator: " ").map { try EventID(hex: String($0)) }
        }
        let request = MatterRequest(
            caseNumber: try CaseNumber(parsing: row["case_number"]),
            entrustedCourt: try CourtCode(row["entrusted_court"]),
            kind: try MatterKind(id: row["kind"]),
            urgent: row["urgent"],
            applicant: row["applicant"], debtor: row["debtor"], debtorID: row["debtor_id"],
            measureExpires: try (row["measure_expires"] as String?).map { try CivilDate(parsing: $0) },
            note: row["note"],
            signDue: try CivilDate(parsing: row["sign_due_date"]),
            due: try CivilDate(parsing: row["due_date"]),
            calendarVersion: row["calendar_version"])
        guard let state = MatterState(rawValue: row["state"]) else {
            throw ReplicaError(.corrupt, "matters row \(row["id"] as String? ?? "?") has an unknown state")
        }
        return Matter(
            id: try MatterID(row["id"]), request: request, entrustingCourt: try CourtCode(row["entrusting_court"]),
            state: state, sentAt: try timestamp("sent_at")!, receivedAt: try timestamp("received_at"),
            signedAt: try timestamp("signed_at"),
            startedAt: try timestamp("started_at"), completedAt: try timestamp("completed_at"),
            returnedAt: try timestamp("returned_at"), withdrawnAt: try timestamp("withdrawn_at"),
            closedAt: try timestamp("closed_at"),
            outcome: (row["outcome"] as String?).flatMap(Outcome.init(rawValue:)),
            feedback: row["feedback"],
            returnReason: (row["return_reason"] as String?).flatMap(ReturnReason.init(rawValue:)),
            urgeCount: row["urge_count"], supervised: row["supervised"], heads: try ids("heads"),
            eventCount: row["event_count"], contactPerson: row["contact_person"],
            contactPhone: row["contact_phone"], note: row["current_note"], conflicts: conflicts,
            lastActivityAt: try timestamp("last_activity_at")!, documents: documents,
            supplement: try supplement(row), deemedWithdrawn: row["deemed_withdrawn"], extensions: extensions)
    }

    /// The request for supplement a row holds, if any.
    private static func supplement(_ row: Row) throws -> SupplementRequest? {
        guard let event: String = row["supplement_event"] else { return nil }
        let kinds = (row["supplement_kinds"] as String? ?? "").split(separator: ",").compactMap {
            DocumentKind(rawValue: String($0))
        }
        return SupplementRequest(
            event: try EventID(hex: event), court: try CourtCode(row["supplement_court"]),
            requestedAt: try Timestamp(rfc3339: row["supplement_requested_at"]), kinds: kinds,
            note: row["supplement_note"] ?? "", due: try CivilDate(parsing: row["supplement_due"]),
            answeredAt: try (row["supplement_answered_at"] as String?).map { try Timestamp(rfc3339: $0) })
    }
}
