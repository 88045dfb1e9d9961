import Entrustment
import Foundation
import GRDB

/// An event this replica received but could not apply, held with its reason.
///
/// Quarantined events are retried after every batch that stores something (a missing parent or
/// an unknown matter may have arrived since) and leave the quarantine once stored. They never
/// block the link they came from.
public struct QuarantinedEvent: Sendable, Hashable {
    /// The event's id.
    public let event: EventID
    /// Its matter.
    public let matter: String
    /// Where it came from (a link's court, or a change file).
    public let source: String
    /// The refusal's code (`missingParent`, `unknownMatter`, `clockAhead`, `unknownKey`).
    public let code: String
    /// The refusal, as one line.
    public let reason: String
    /// When it first arrived, and when it was last tried.
    public let firstSeenAt: Timestamp
    public let lastTriedAt: Timestamp
    /// How many times it was tried.
    public let attempts: Int

    /// Whether a later arrival can make it applicable (its parent, its matter, or time).
    public var isRetryable: Bool { QuarantinedEvent.retryableCodes.contains(code) }

    static let retryableCodes: Set<String> = [
        ReplicaError.Code.missingParent.rawValue, ReplicaError.Code.unknownMatter.rawValue,
        ReplicaError.Code.clockAhead.rawValue, ReplicaError.Code.unknownKey.rawValue,
    ]
}

extension ReplicaTransaction {
    /// The most quarantined events retried in one pass.
    public static let quarantineRetryBatch = 1_000

    /// Puts a refused event in the quarantine, or updates its reason if it is there already.
    func quarantine(_ event: Event, source: String, code: String, reason: String, now: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO quarantine (event_id, matter_id, source, code, reason, hlc_wall, hlc_counter,
                    first_seen_at, last_tried_at, attempts, encoded, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (event_id) DO UPDATE SET code = excluded.code, reason = excluded.reason,
                    last_tried_at = excluded.last_tried_at, attempts = attempts + 1
                """,
            arguments: [
                event.id.hex, event.matterID.rawValue, source, code, reason, event.timestamp.wall,
                Int64(event.timestamp.counter), now.rfc3339, now.rfc3339, Data(event.encoded),
                Data(event.signature ?? []),
            ])
    }

    /// Removes an event from the quarantine (it was stored, or was already held).
    func forgetQuarantined(_ id: EventID) throws {
        try db.execute(sql: "DELETE FROM quarantine WHERE event_id = ?", arguments: [id.hex])
    }

    /// Stores a change set received over sync from `sender`: refused events go to the quarantine
    /// (with `source` named), and when anything was stored the quarantine is retried, since a
    /// missing parent or matter may just have arrived.
    public mutating func receive(
        _ events: [Event], from sender: NodeID, source: String, now: Timestamp, visibleTo court: CourtCode,
        maxClockAhead: Int64
    ) throws -> AppendReport {
        var report = try append(
            events, origin: .remote, now: now, visibleTo: court, receivedFrom: sender,
            refusals: .quarantine(source: source), maxClockAhead: maxClockAhead)
        if report.stored > 0 {
            report.stored += try retryQuarantined(now: now, visibleTo: court, maxClockAhead: maxClockAhead).stored
        }
        return report
    }

    /// Retries the retryable quarantined events (oldest clock first, so parents come before
    /// children), storing those that now pass; the rest stay with their updated reason.
    @discardableResult
    public mutating func retryQuarantined(
        now: Timestamp, visibleTo court: CourtCode?, maxClockAhead: Int64 = Self.maxClockAhead
    ) throws -> AppendReport {
        let codes = QuarantinedEvent.retryableCodes.sorted()
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT source, encoded, signature FROM quarantine WHERE code IN (\(codes.map { _ in "?" }.joined(separator: ",")))
                ORDER BY hlc_wall, hlc_counter, event_id LIMIT ?
                """,
            arguments: StatementArguments(codes + [String(Self.quarantineRetryBatch)]))
        guard !rows.isEmpty else { return AppendReport() }
        var bySource: [(String, [Event])] = []
        for row in rows {
            let event = try Replica.storedEvent(encoded: row["encoded"], signature: row["signature"])
            let source: String = row["source"]
            if let last = bySource.indices.last, bySource[last].0 == source {
                bySource[last].1.append(event)
            } else {
                bySource.append((source, [event]))
            }
        }
        var total = AppendReport()
        for (source, events) in bySource {
            let report = try append(
                events, origin: .remote, now: now, visibleTo: court, refusals: .quarantine(source: source),
                maxClockAhead: maxClockAhead)
            total.stored += report.stored
            total.duplicates += report.duplicates
            total.notVisible += report.notVisible
            total.quarantined += report.quarantined
            total.refused += report.refused
            total.touchedMatters = Array(Set(total.touchedMatters + report.touchedMatters)).sorted()
        }
        return total
    }
}

extension Replica {
    /// The quarantined events, oldest first.
    public func quarantined() throws(ReplicaError) -> [QuarantinedEvent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT event_id, matter_id, source, code, reason, first_seen_at, last_tried_at, attempts
                    FROM quarantine ORDER BY first_seen_at, event_id
                    """
            ).map { row in
                QuarantinedEvent(
                    event: try EventID(hex: row["event_id"]), matter: row["matter_id"], source: row["source"],
                    code: row["code"], reason: row["reason"], firstSeenAt: try Timestamp(rfc3339: row["first_seen_at"]),
                    lastTriedAt: try Timestamp(rfc3339: row["last_tried_at"]), attempts: row["attempts"])
            }
        }
    }

    /// The number of quarantined events.
    public func quarantineCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine") ?? 0 }
    }
}
