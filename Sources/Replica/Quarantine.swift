import Entrustment
import Foundation
import GRDB

/// An event this replica received but could not apply yet, held with its reason and with what it
/// waits for (`Protocol/sync.md` §6).
///
/// Only what time may cure is held: a missing parent or matter, a key or calendar the hub's next
/// directory may bring, a clock running ahead. Each is retried when what it waits for arrives,
/// not by age, so no pile of junk can starve a genuine event; and each sending node may have at
/// most ``QuarantinePolicy/maxPerSource`` events held.
public struct QuarantinedEvent: Sendable, Hashable {
    /// The event's id.
    public let event: EventID
    /// Its matter.
    public let matter: String
    /// Where it came from (a link's court, or a change file).
    public let source: String
    /// The refusal's code (`missingParent`, `unknownMatter`, `clockAhead`, `unknownKey`, `unknownCalendar`).
    public let code: String
    /// The refusal, as one line.
    public let reason: String
    /// What it waits for: `parent:ID`, `matter:ID`, `key:NODE`, `calendar` or `clock`.
    public let waitingFor: String
    /// When it first arrived, and when it was last tried.
    public let firstSeenAt: Timestamp
    public let lastTriedAt: Timestamp
    /// How many times it was tried.
    public let attempts: Int
}

/// How a receiver holds and refuses the events of one sender.
public struct QuarantinePolicy: Sendable {
    /// Where the events came from, for the operator (a link's court, or `file`).
    public var source: String
    /// The node that sent them.
    public var node: NodeID?
    /// Whether the sender announced a newer signed directory than this node holds: only then may
    /// an event by a node this directory does not list become valid (on the hub: only while that
    /// node's registration is pending).
    public var newerDirectory: Bool
    /// The most events held for one sending node; beyond, they are refused (`quarantineFull`).
    public var maxPerSource: Int

    /// The default cap per sending node.
    public static let defaultMaxPerSource = 10_000

    public init(
        source: String, node: NodeID?, newerDirectory: Bool = false, maxPerSource: Int = defaultMaxPerSource
    ) {
        self.source = source
        self.node = node
        self.newerDirectory = newerDirectory
        self.maxPerSource = maxPerSource
    }
}

/// What a quarantined event waits for, as stored in `quarantine.waiting_for`.
enum QuarantineWake {
    static func parent(_ id: EventID) -> String { "parent:\(id.hex)" }
    static func matter(_ id: MatterID) -> String { "matter:\(id.rawValue)" }
    static func key(_ node: NodeID) -> String { "key:\(node.rawValue)" }
    static let calendar = "calendar"
    static let clock = "clock"
    /// Entries from before waits were recorded: retried with the clock.
    static let legacy = "retry"
}

extension ReplicaTransaction {
    /// Holds a refused event in the quarantine when time may cure it, or refuses it outright
    /// (logged in `refusals`), and reports which.
    mutating func hold(
        _ event: Event, _ refusal: ReplicaError, policy: QuarantinePolicy, now: Timestamp,
        into report: inout AppendReport
    ) throws {
        var entry = Refusal(event: event.id, code: refusal.code.rawValue, reason: refusal.message)
        let wake = try waitingFor(event, refusal.code, policy: policy)
        if wake == nil, isHub, refusal.code == .unknownCalendar, case .create(let request) = event.action {
            entry.reason =
                "event \(event.id.hex.prefix(12)) names calendar version \(request.effectiveCalendarVersion), which the hub never issued"
        }
        if let wake {
            let held = try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM quarantine WHERE event_id = ?)", arguments: [event.id.hex])!
            let fromSender = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM quarantine WHERE source_node IS ?", arguments: [policy.node?.rawValue])!
            if held || fromSender < policy.maxPerSource {
                try quarantine(
                    event, policy: policy, code: entry.code, reason: entry.reason, waitingFor: wake, now: now)
                noteQuarantined()
                report.quarantined.append(entry)
                return
            }
            entry = Refusal(
                event: event.id, code: ReplicaError.Code.quarantineFull.rawValue,
                reason:
                    "\(policy.maxPerSource) events from \(policy.node?.rawValue ?? policy.source) already wait in the quarantine; this one (\(entry.code): \(entry.reason)) is refused"
            )
        }
        try forgetQuarantined(event.id)
        try logRefusal(event, source: policy.source, code: entry.code, reason: entry.reason, now: now)
        report.refused.append(entry)
    }

    /// What a refused event waits for, or `nil` if nothing can cure it.
    private func waitingFor(_ event: Event, _ code: ReplicaError.Code, policy: QuarantinePolicy) throws -> String? {
        switch code {
        case .missingParent:
            for parent in event.parents where try !exists(parent) { return QuarantineWake.parent(parent) }
            return nil
        case .unknownMatter: return QuarantineWake.matter(event.matterID)
        case .clockAhead: return QuarantineWake.clock
        // The hub issues every calendar and every directory: nothing it lacks can come later,
        // but a node waiting for its approval may be approved.
        case .unknownCalendar: return isHub ? nil : QuarantineWake.calendar
        case .unknownKey:
            guard isHub else { return policy.newerDirectory ? QuarantineWake.key(event.origin) : nil }
            return try signedByPendingKey(event) ? QuarantineWake.key(event.origin) : nil
        default: return nil
        }
    }

    private var isHub: Bool { replica.identity.court == .supreme }

    /// At the hub: whether the event's origin waits for approval and the event verifies with the
    /// key it registered (so junk signed by anyone else is refused, not held).
    private func signedByPendingKey(_ event: Event) throws -> Bool {
        guard
            let hex = try String.fetchOne(
                db, sql: "SELECT public_key FROM registrations WHERE node_id = ? AND status = 'pending' AND court = ?",
                arguments: [event.origin.rawValue, event.author.rawValue]),
            let key = try? VerifyingKey(hex: hex, suite: replica.suite), let signature = event.signature
        else { return false }
        return SignaturePurpose.event.isValid(signature, of: event.id.bytes, by: key)
    }

    /// Puts a refused event in the quarantine, or updates its reason if it is there already.
    private func quarantine(
        _ event: Event, policy: QuarantinePolicy, code: String, reason: String, waitingFor: String, now: Timestamp
    ) throws {
        try db.execute(
            sql: """
                INSERT INTO quarantine (event_id, matter_id, source, source_node, code, reason, waiting_for, hlc_wall,
                    hlc_counter, first_seen_at, last_tried_at, attempts, encoded, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                ON CONFLICT (event_id) DO UPDATE SET code = excluded.code, reason = excluded.reason,
                    waiting_for = excluded.waiting_for, last_tried_at = excluded.last_tried_at,
                    attempts = attempts + 1
                """,
            arguments: [
                event.id.hex, event.matterID.rawValue, policy.source, policy.node?.rawValue, code, reason, waitingFor,
                event.timestamp.wall, Int64(event.timestamp.counter), now.rfc3339, now.rfc3339, Data(event.encoded),
                Data(event.signature ?? []),
            ])
    }

    /// Removes an event from the quarantine (it was stored, or was already held).
    mutating func forgetQuarantined(_ id: EventID) throws {
        guard try quarantineMayHoldEvents() else { return }
        try db.executeCached(sql: "DELETE FROM quarantine WHERE event_id = ?", arguments: [id.hex])
    }

    /// Stores a change set received over sync from `sender`: events this node refuses are held
    /// in the quarantine or refused (``QuarantinePolicy``); the witnesses it carries are stored.
    /// `newerDirectory`: the sender announced a newer signed directory than this node holds;
    /// `prepared`: what ``Replica/prepare(_:now:)`` checked and signed ahead for `events`;
    /// `attested`: the hub's attestation of this answer (``AttestedPull``), checked first against
    /// the pinned hub key: if it holds, origin signatures are left for the later re-check and the
    /// witnesses are taken on its word; if not, nothing is stored (`badAttestation`). Each
    /// matter touched is folded once, after the events and the witnesses.
    public mutating func receive(
        _ events: [Event], witnesses: [Witness] = [], from sender: NodeID, source: String, now: Timestamp,
        visibleTo court: CourtCode, maxClockAhead: Int64, newerDirectory: Bool = false,
        maxQuarantinedPerSource: Int = QuarantinePolicy.defaultMaxPerSource, prepared: PreparedEvents = .none,
        attested: AttestedPull? = nil
    ) throws -> AppendReport {
        self.prepared = prepared
        deferredSaves = []
        if let attested {
            attestation = try record(attested, events: events, witnesses: witnesses, sender: sender, now: now)
        }
        defer {
            self.prepared = .none
            deferredSaves = nil
            attestation = nil
        }
        let policy = QuarantinePolicy(
            source: source, node: sender, newerDirectory: newerDirectory, maxPerSource: maxQuarantinedPerSource)
        var report = try append(
            events, origin: .remote, now: now, visibleTo: court, receivedFrom: sender, refusals: .quarantine(policy),
            maxClockAhead: maxClockAhead)
        report.add(try store(witnesses, receivedFrom: sender, now: now, visibleTo: court))
        try saveDeferred(now: now)
        return report
    }

    /// Checks a pull answer's attestation against the pinned hub key and the answer, and keeps
    /// it (the evidence behind the events it vouched for). Returns its row.
    private mutating func record(
        _ attested: AttestedPull, events: [Event], witnesses: [Witness], sender: NodeID, now: Timestamp
    ) throws -> Int64 {
        guard let hubKey = trust.hubKey else {
            throw ReplicaError(.badAttestation, "no hub key is pinned to check the batch attestation")
        }
        let attestation = attested.attestation
        do {
            try attestation.check(
                hubKey: hubKey, hub: sender, requester: attested.requester, after: attested.after,
                through: attested.through, events: events, witnesses: witnesses)
        } catch {
            throw ReplicaError(.badAttestation, error.message)
        }
        try db.execute(
            sql: """
                INSERT INTO attestations (hub, after_seq, through_seq, leaves, encoded, signature, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                attestation.hub.rawValue, attestation.after, attestation.through, attestation.leafCount,
                Data(attestation.encoded), Data(attestation.signature ?? []), now.rfc3339,
            ])
        return db.lastInsertedRowID
    }

    /// Retries the events waiting for any of `wakes` (events or matters just stored), then those
    /// waiting for what these stored, until nothing more can be applied.
    mutating func retryQuarantined(
        waitingFor wakes: [String], now: Timestamp, visibleTo court: CourtCode?, maxClockAhead: Int64
    ) throws -> AppendReport {
        var total = AppendReport()
        guard try quarantineMayHoldEvents() else { return total }
        var pending = wakes
        while !pending.isEmpty {
            var next: [String] = []
            for chunk in stride(from: 0, to: pending.count, by: 500).map({ pending[$0..<min($0 + 500, pending.count)] })
            {
                let rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT source, source_node, encoded, signature FROM quarantine
                        WHERE waiting_for IN (\(chunk.map { _ in "?" }.joined(separator: ",")))
                        ORDER BY hlc_wall, hlc_counter, event_id
                        """, arguments: StatementArguments(Array(chunk)))
                let (report, arrivals) = try reapply(rows, now: now, visibleTo: court, maxClockAhead: maxClockAhead)
                total.add(report)
                next += arrivals
            }
            pending = next
        }
        return total
    }

    /// Retries the events waiting for a key or a calendar (after a newer signed directory was
    /// installed), and what they unblock.
    @discardableResult
    public mutating func retryQuarantinedReferenceData(
        now: Timestamp, visibleTo court: CourtCode?, maxClockAhead: Int64 = Self.maxClockAhead
    ) throws -> AppendReport {
        try retry(
            where: "waiting_for LIKE 'key:%' OR waiting_for = ?", [QuarantineWake.calendar], now: now,
            visibleTo: court, maxClockAhead: maxClockAhead)
    }

    /// Retries the events held for their clock (and any held before waits were recorded), and
    /// what they unblock: on the sync interval.
    @discardableResult
    public mutating func retryQuarantinedByTime(
        now: Timestamp, visibleTo court: CourtCode?, maxClockAhead: Int64 = Self.maxClockAhead
    ) throws -> AppendReport {
        try retry(
            where: "waiting_for IN (?, ?)", [QuarantineWake.clock, QuarantineWake.legacy], now: now, visibleTo: court,
            maxClockAhead: maxClockAhead)
    }

    private mutating func retry(
        where clause: String, _ arguments: [String], now: Timestamp, visibleTo court: CourtCode?, maxClockAhead: Int64
    ) throws -> AppendReport {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT source, source_node, encoded, signature FROM quarantine WHERE \(clause)
                ORDER BY hlc_wall, hlc_counter, event_id
                """, arguments: StatementArguments(arguments))
        var (total, arrivals) = try reapply(rows, now: now, visibleTo: court, maxClockAhead: maxClockAhead)
        total.add(try retryQuarantined(waitingFor: arrivals, now: now, visibleTo: court, maxClockAhead: maxClockAhead))
        return total
    }

    /// Appends quarantined rows again (each group from one sender as that sender's), without
    /// following the arrivals: returns them instead.
    private mutating func reapply(
        _ rows: [Row], now: Timestamp, visibleTo court: CourtCode?, maxClockAhead: Int64
    ) throws -> (AppendReport, [String]) {
        var groups: [(QuarantinePolicy, [Event])] = []
        for row in rows {
            let event = try Replica.heldEvent(
                encoded: row["encoded"], signature: row["signature"], suite: replica.suite)
            let policy = QuarantinePolicy(
                source: row["source"], node: try (row["source_node"] as String?).map { try NodeID($0) })
            if let last = groups.indices.last, groups[last].0.source == policy.source,
                groups[last].0.node == policy.node
            {
                groups[last].1.append(event)
            } else {
                groups.append((policy, [event]))
            }
        }
        var total = AppendReport()
        var arrivals: [String] = []
        for (policy, events) in groups {
            let (report, stored) = try appendBatch(
                events, origin: .remote, now: now, visibleTo: court, receivedFrom: policy.node,
                refusals: .quarantine(policy), maxClockAhead: maxClockAhead)
            total.add(report)
            arrivals += stored
        }
        return (total, arrivals)
    }
}

extension Replica {
    /// The quarantined events, oldest first.
    public func quarantined() throws(ReplicaError) -> [QuarantinedEvent] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT event_id, matter_id, source, code, reason, waiting_for, first_seen_at, last_tried_at, attempts
                    FROM quarantine ORDER BY first_seen_at, event_id
                    """
            ).map { row in
                QuarantinedEvent(
                    event: try EventID(hex: row["event_id"]), matter: row["matter_id"], source: row["source"],
                    code: row["code"], reason: row["reason"], waitingFor: row["waiting_for"],
                    firstSeenAt: try Timestamp(rfc3339: row["first_seen_at"]),
                    lastTriedAt: try Timestamp(rfc3339: row["last_tried_at"]), attempts: row["attempts"])
            }
        }
    }

    /// The number of quarantined events.
    public func quarantineCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM quarantine") ?? 0 }
    }
}
