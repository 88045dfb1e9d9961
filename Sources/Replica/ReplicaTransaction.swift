import Entrustment
import Foundation
import GRDB

/// Write access to a replica inside one transaction (see ``Replica/write(_:)``).
public struct ReplicaTransaction {
    /// Whether an event is this node's own act (held to the matter's current state) or one that
    /// arrived from another node (held only to the rules that do not depend on arrival order).
    public enum Origin: Sendable {
        case local
        case remote
    }

    /// What an append did.
    public struct AppendReport: Sendable, Hashable {
        /// Events stored.
        public var stored: Int = 0
        /// Events this replica already held (appending is idempotent).
        public var duplicates: Int = 0
        /// Events left out because the receiving court may not see their matter.
        public var notVisible: Int = 0
        /// The matters whose state was refolded, ascending.
        public var touchedMatters: [MatterID] = []
        /// Events refused and put in the quarantine (only with ``RefusalPolicy/quarantine(_:)``).
        public var quarantined: [Refusal] = []
        /// Events (and witnesses) refused outright and not stored: a signature that does not
        /// verify, a revoked or rejected key, an act its author may not do (only with
        /// ``RefusalPolicy/quarantine(_:)``; each event is logged in the `refusals` table).
        public var refused: [Refusal] = []
        /// Witnesses newly stored.
        public var witnessesStored: Int = 0
        /// The courts that may see what was stored: the parties of the touched matters and their
        /// superiors (whose long-polls it should wake).
        public var concernedCourts: Set<CourtCode> = []

        /// Adds what `other` did.
        public mutating func add(_ other: AppendReport) {
            stored += other.stored
            duplicates += other.duplicates
            notVisible += other.notVisible
            quarantined += other.quarantined
            refused += other.refused
            witnessesStored += other.witnessesStored
            concernedCourts.formUnion(other.concernedCourts)
            touchedMatters = Array(Set(touchedMatters + other.touchedMatters)).sorted()
        }
    }

    /// An event the replica refused, and why.
    public struct Refusal: Sendable, Hashable {
        /// The refused event (for a witness, the event it witnesses).
        public var event: EventID
        /// The refusal's code (a ``ReplicaError/Code`` raw value: `missingParent`, `rejectedEvent` …).
        public var code: String
        /// One line naming the problem.
        public var reason: String
        /// For a refused witness, its kind; `nil` for an event.
        public var witness: Witness.Kind? = nil
    }

    let db: Database
    let replica: Replica
    /// The courts, keys and calendar in force for this transaction.
    let trust: TrustState
    /// This node's hybrid logical clock; saved when the transaction commits.
    public private(set) var clock: HybridLogicalClock
    /// The arrival sequence last given out (events and witnesses share it); saved at commit.
    private(set) var head: Int64
    /// The matters this transaction has read or written: their events and, once needed, fold.
    private var work: [MatterID: MatterWork] = [:]
    /// The hub's uptime log, read once when a witness needs it.
    var uptime: [HubUptime.Run]?
    /// The checks and witnesses done ahead for the events being received (``PreparedEvents``).
    var prepared = PreparedEvents.none
    /// Whether the quarantine may hold anything (read once, set when an event is held): when it
    /// is empty, storing an event deletes nothing from it and retries nothing.
    private var quarantineMayHold: Bool?
    /// While storing a batch the hub attested (``BatchAttestation``): the `attestations` row. Its
    /// events' origin signatures are not verified now but noted in `origin_checks` for later, and
    /// its witnesses are taken on the attestation's (the same hub key's) word.
    var attestation: Int64?
    /// While receiving a change set: the matters to save once at the end, after its events and
    /// its witnesses (`nil`: each step saves what it touched).
    var deferredSaves: Set<MatterID>?

    init(db: Database, replica: Replica) throws {
        self.db = db
        self.replica = replica
        guard let row = try Row.fetchOne(db, sql: "SELECT hlc_wall, hlc_counter, head_seq FROM node WHERE id = 1")
        else {
            throw ReplicaError(.corrupt, "the replica has no node identity")
        }
        guard let counter = UInt32(exactly: row["hlc_counter"] as Int64) else {
            throw ReplicaError(.corrupt, "the replica's clock counter is out of range")
        }
        clock = HybridLogicalClock(last: HybridTimestamp(wall: row["hlc_wall"], counter: counter))
        head = row["head_seq"]
        trust = try replica.currentTrust(db)
    }

    /// The court directory in force.
    public var directory: CourtDirectory { trust.directory }

    /// The calendar versions in force (`nil` until a directory carrying the hub's calendar is installed).
    public var calendars: CalendarVersions? { trust.calendars }

    /// A clock reading for a new local act.
    public mutating func tick(now: Timestamp) -> HybridTimestamp { clock.tick(now: now) }

    /// Whether this node, restored from a backup, has not yet caught up with the hub (its link
    /// to the hub is recovering): until then its own acts since the backup may be missing here,
    /// and a new act could reuse a matter number or contradict one of them.
    func isRecoveringFromHub() throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT EXISTS (SELECT 1 FROM links WHERE court = ? AND recovering = 1)",
            arguments: [CourtCode.supreme.rawValue]) ?? false
    }

    /// Moves the arrival sequence on by `count` without giving the numbers out (a restore,
    /// ``Replica/markRestored()``): sequences may have gaps, never repeats.
    mutating func skipSequences(_ count: Int64) { head += count }

    /// The next arrival sequence.
    mutating func nextSequence() -> Int64 {
        head += 1
        return head
    }

    /// The matter as currently folded, if this replica holds it.
    public mutating func matter(_ id: MatterID) throws -> Matter? {
        try load(id)
        return work[id]!.current(directory: trust.directory)
    }

    /// The events of the matter this replica holds, in arrival order.
    mutating func history(of id: MatterID) throws -> [Event] {
        try load(id)
        return work[id]!.history
    }

    /// When this replica first stored an event of the matter (for the entrusted court's node:
    /// when the matter reached it), if it holds the matter.
    public func firstStoredAt(_ id: MatterID) throws -> Timestamp? {
        try String.fetchOne(db, sql: "SELECT first_stored_at FROM matters WHERE id = ?", arguments: [id.rawValue])
            .map { try Timestamp(rfc3339: $0) }
    }

    /// The next free matter id for `court` in `year`.
    public func nextMatterID(court: CourtCode, year: Int) throws -> MatterID {
        let prefix = "\(court.rawValue)-\(year)-"
        let ids = try String.fetchAll(
            db, sql: "SELECT id FROM matters WHERE entrusting_court = ? AND substr(id, 1, ?) = ?",
            arguments: [court.rawValue, prefix.count, prefix])
        let highest = ids.compactMap { try? MatterID($0).sequence }.max() ?? 0
        return MatterID(court: court, year: year, sequence: highest + 1)
    }

    /// How far ahead of this node's clock a remote event's clock may be by default (one hour). A
    /// court whose clock runs further ahead is refused with a message naming both times, rather
    /// than dragging this node's hybrid clock (and every later local act) into its future.
    /// Daemons take the limit from `node.json`.
    public static let maxClockAhead: Int64 = 3_600_000

    /// What to do with an event the replica refuses.
    public enum RefusalPolicy: Sendable {
        /// Throw, rolling back the whole transaction (change files: all or nothing).
        case abort
        /// Hold what time may cure in the quarantine and refuse the rest, going on with the
        /// events after it (network sync: one bad event never blocks a link).
        case quarantine(QuarantinePolicy)

        /// Quarantine on behalf of `source` (a link's court, for the operator), sent by `node`.
        public static func quarantine(source: String, node: NodeID? = nil) -> RefusalPolicy {
            .quarantine(QuarantinePolicy(source: source, node: node))
        }
    }

    /// Appends events, idempotently, refolding every matter they touch once.
    ///
    /// Each event's parents must already be stored or come earlier in `events`, and belong to the
    /// same matter. Every event is checked with ``Admission``; a refused event either throws and
    /// rolls the whole transaction back, or is quarantined or refused (see ``RefusalPolicy``).
    /// With `visibleTo`, events of matters that court may not see are left out and counted.
    /// `receivedFrom` records the node the events arrived from, so that they are not sent back to
    /// it. On the hub, every event stored is witnessed (``Witness``). With a quarantine policy,
    /// quarantined events waiting for an event or matter stored here are retried at the end.
    @discardableResult
    public mutating func append(
        _ events: [Event], origin: Origin, now: Timestamp, visibleTo court: CourtCode? = nil,
        receivedFrom: NodeID? = nil, refusals: RefusalPolicy = .abort, maxClockAhead: Int64 = Self.maxClockAhead
    ) throws -> AppendReport {
        if case .local = origin, try isRecoveringFromHub() {
            throw ReplicaError(
                .recovering,
                "this node was restored from a backup and is still getting back from the hub the acts it had sent since: sync first (courtsync sync, or let the daemon run), then act — an act now could clash with one the hub holds"
            )
        }
        var (report, arrivals) = try appendBatch(
            events, origin: origin, now: now, visibleTo: court, receivedFrom: receivedFrom, refusals: refusals,
            maxClockAhead: maxClockAhead)
        if case .quarantine = refusals, !arrivals.isEmpty {
            report.add(
                try retryQuarantined(waitingFor: arrivals, now: now, visibleTo: court, maxClockAhead: maxClockAhead))
        }
        return report
    }

    /// ``append(_:origin:now:visibleTo:receivedFrom:refusals:maxClockAhead:)`` without retrying
    /// the quarantine: also returns what quarantined events waiting for these arrivals wait for.
    mutating func appendBatch(
        _ events: [Event], origin: Origin, now: Timestamp, visibleTo court: CourtCode?, receivedFrom: NodeID?,
        refusals: RefusalPolicy, maxClockAhead: Int64
    ) throws -> (AppendReport, [String]) {
        var report = AppendReport()
        var touched: Set<MatterID> = []
        var invisible: Set<MatterID> = []
        var arrivals: [String] = []
        var held = try Replica.storedIDs(among: events.map(\.id), in: db)
        for event in events {
            if held.contains(event.id) {
                report.duplicates += 1
                try forgetQuarantined(event.id)
                continue
            }
            if invisible.contains(event.matterID) {
                report.notVisible += 1
                continue
            }
            try load(event.matterID)
            if let court, !isVisible(event, parties: work[event.matterID]!.parties, to: court) {
                invisible.insert(event.matterID)
                report.notVisible += 1
                continue
            }
            do {
                try admit(event, origin: origin, now: now, maxClockAhead: maxClockAhead)
            } catch let refusal as ReplicaError where refusal.code != .storage {
                guard case .quarantine(let policy) = refusals else { throw refusal }
                try hold(event, refusal, policy: policy, now: now, into: &report)
                continue
            }
            try insert(event, now: now, receivedFrom: receivedFrom)
            held.insert(event.id)
            if case .quarantine = refusals { try forgetQuarantined(event.id) }
            if origin == .remote { clock.observe(event.timestamp, now: now) }
            work[event.matterID]!.add(event)
            touched.insert(event.matterID)
            arrivals.append(QuarantineWake.parent(event.id))
            if event.kind == .create { arrivals.append(QuarantineWake.matter(event.matterID)) }
            report.stored += 1
        }
        for id in touched.sorted() {
            try saveOrDefer(id, now: now)
        }
        report.touchedMatters = touched.sorted()
        report.concernedCourts = try concernedCourts(of: touched)
        return (report, arrivals)
    }

    /// Refolds a matter from its stored events and saves the row (after a change of fold rules,
    /// a new witness or a new calendar).
    mutating func refold(_ id: MatterID, now: Timestamp) throws {
        try load(id)
        try save(id, now: now)
    }

    /// Refolds the matters whose deadlines are provisional (暂定), after a newer calendar was
    /// installed: those whose year it publishes settle. Extended deadlines are counted with the
    /// newest calendar too, so matters with one are refolded as well.
    public mutating func refoldProvisionalMatters(now: Timestamp) throws {
        let sql = "SELECT id FROM matters WHERE due_provisional = 1 OR counted_extended_due IS NOT NULL"
        for id in try String.fetchAll(db, sql: sql) {
            try refold(try MatterID(id), now: now)
        }
    }

    /// Refolds the open matters whose request for supplement lapsed unanswered by `now`: they
    /// become withdrawn (视为撤回) at the moment it lapsed. Returns them.
    @discardableResult
    public mutating func settleLapsedSupplements(now: Timestamp) throws -> [MatterID] {
        let ids = try String.fetchAll(
            db,
            sql: """
                SELECT id FROM matters
                WHERE supplement_lapses_at_ms IS NOT NULL AND supplement_answered_at IS NULL
                    AND supplement_lapses_at_ms <= ? AND state IN ('sent', 'signed', 'inProgress')
                """, arguments: [now.milliseconds]
        ).map { try MatterID($0) }
        for id in ids { try refold(id, now: now) }
        return ids
    }

    private mutating func load(_ id: MatterID) throws {
        guard work[id] == nil else { return }
        work[id] = MatterWork(history: try storedEvents(of: id))
    }

    /// Saves the matter's row now, or at the end of the change set being received.
    mutating func saveOrDefer(_ id: MatterID, now: Timestamp) throws {
        if deferredSaves != nil {
            deferredSaves!.insert(id)
        } else {
            try refold(id, now: now)
        }
    }

    /// Saves the matters whose saving was deferred, each once, and stops deferring.
    mutating func saveDeferred(now: Timestamp) throws {
        guard let pending = deferredSaves else { return }
        deferredSaves = nil
        for id in pending.sorted() { try save(id, now: now) }
    }

    /// Saves the matter's row: its fold, and the times that count by the witnesses held.
    private mutating func save(_ id: MatterID, now: Timestamp) throws {
        guard let (current, acts) = work[id]!.currentWithActs(directory: trust.directory) else {
            throw ReplicaError(.rejectedEvent, "matter \(id) has no create event")
        }
        let folded = current.lapsing(at: now)
        let counted = HonestTime.count(
            folded, acts: acts, events: work[id]!.history, witnesses: try witnesses(ofMatter: id),
            calendars: trust.calendars)
        try MatterRow.save(folded, counted: counted, firstStoredAt: now, in: db)
    }

    /// Whether `court` may see the event's matter: it is a party to it, a superior of a party, or
    /// the hub. A matter this replica does not hold yet is judged by its `create`; an act on an
    /// unknown matter passes here (admission refuses it).
    private func isVisible(
        _ event: Event, parties held: (entrusting: CourtCode, entrusted: CourtCode)?, to court: CourtCode
    ) -> Bool {
        let parties: (CourtCode, CourtCode)? =
            if let held {
                held
            } else if case .create(let r) = event.action {
                (event.author, r.entrustedCourt)
            } else { nil }
        guard let (entrusting, entrusted) = parties else { return true }
        return isVisible(entrusting: entrusting, entrusted: entrusted, to: court)
    }

    /// Whether `court` may see a matter between these courts.
    func isVisible(entrusting: CourtCode, entrusted: CourtCode, to court: CourtCode) -> Bool {
        !Role.roles(of: court, entrusting: entrusting, entrusted: entrusted, in: trust.directory).isEmpty
    }

    /// The courts that may see the matters: their parties and the parties' superiors.
    public mutating func concernedCourts(of matters: Set<MatterID>) throws -> Set<CourtCode> {
        var courts: Set<CourtCode> = matters.isEmpty ? [] : [.supreme]
        for id in matters {
            guard let parties = try parties(of: id) else { continue }
            for party in [parties.entrusting, parties.entrusted] where courts.insert(party).inserted {
                courts.formUnion(trust.directory.superiors(of: party))
            }
        }
        return courts
    }

    /// The parties of a matter this transaction can see, if it holds the matter.
    mutating func parties(of id: MatterID) throws -> (entrusting: CourtCode, entrusted: CourtCode)? {
        try load(id)
        return work[id]!.parties
    }

    /// The checks before an event is stored: parents held and of the same matter, ``Admission``
    /// against the matter as it stood where the event was made (with the calendar versions held),
    /// and (for remote events) the clock lead. Throws a ``ReplicaError`` naming the refusal.
    private mutating func admit(_ event: Event, origin: Origin, now: Timestamp, maxClockAhead: Int64) throws {
        try verifySignature(event)
        if origin == .remote, replica.witnessSigner != nil { try refuseAfterRevocation(event, now: now) }
        for parent in event.parents where work[event.matterID]!.event(parent) == nil {
            // Not among the matter's events held: missing, or of another matter.
            let parentMatter = try matterID(ofEvent: parent)
            guard let parentMatter else {
                throw ReplicaError(
                    .missingParent,
                    "event \(event.id.hex.prefix(12)) of matter \(event.matterID) needs parent \(parent.hex.prefix(12)), which this replica does not hold; apply the earlier change set first"
                )
            }
            guard parentMatter == event.matterID.rawValue else {
                throw ReplicaError(
                    .rejectedEvent,
                    "event \(event.id.hex.prefix(12)) of matter \(event.matterID) names parent \(parent.hex.prefix(12)) of another matter (\(parentMatter))"
                )
            }
        }
        let holdsMatter = !work[event.matterID]!.history.isEmpty
        do {
            let (past, before) = work[event.matterID]!.past(of: event, directory: trust.directory)
            try Admission.check(
                event, past: past, before: before, holdsMatter: holdsMatter, directory: trust.directory,
                calendars: trust.calendars)
        } catch {
            let code: ReplicaError.Code =
                switch error.code {
                case .inconsistentMatter where !holdsMatter: .unknownMatter
                case .unknownCalendar: .unknownCalendar
                default: .rejectedEvent
                }
            throw ReplicaError(code, error.message)
        }
        if origin == .remote, event.timestamp.wall > now.milliseconds + maxClockAhead {
            throw ReplicaError(
                .clockAhead,
                "event \(event.id.hex.prefix(12)) by \(event.origin) is dated \(event.recordedAt.rfc3339), more than \(maxClockAhead / 60_000) minutes ahead of this node's clock (\(now.rfc3339)): check both nodes' clocks"
            )
        }
    }

    /// Checks the event's signature and its node's key against the directory in force; this
    /// node's own acts verify against its own key until the directory lists it.
    private func verifySignature(_ event: Event) throws {
        if prepared.hasVerified(event, underVersion: trust.version) { return }
        do {
            if attestation != nil {
                // Attested by the hub: authorised now, the signature itself checked later.
                try trust.eventKeys.authorize(event)
            } else {
                try trust.eventKeys.verify(event)
            }
        } catch {
            let code: ReplicaError.Code =
                switch error.code {
                case .unknownKey: .unknownKey
                case .revokedKey: .revokedKey
                case .forbiddenRole: .rejectedEvent
                default: .badSignature
                }
            throw ReplicaError(code, error.message)
        }
    }

    /// At the hub: an event of a revoked node that reaches the hub only after the revocation is
    /// refused, whatever time it claims. Its signer may date it before `revokedAt` (revocation
    /// never rewrites history), but a thief holding the key could date forgeries the same way; what
    /// the hub stored before the revocation stays valid and witnessed.
    private func refuseAfterRevocation(_ event: Event, now: Timestamp) throws {
        guard let node = trust.eventKeys[event.origin], node.status == .revoked,
            let revokedAt = node.revokedAt.flatMap({ try? Timestamp(rfc3339: $0) }), now >= revokedAt
        else { return }
        throw ReplicaError(
            .revokedKey,
            "event \(event.id.hex.prefix(12)) by \(event.origin) reaches the hub at \(now.rfc3339), after the node's key was revoked (\(node.revokedAt ?? "")): refused, whatever time it claims"
        )
    }

    /// Logs an event refused outright (it is not stored). The log keeps the latest
    /// ``refusalLogLimit`` entries.
    func logRefusal(_ event: Event, source: String, code: String, reason: String, now: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO refusals (event_id, matter_id, origin, author, source, code, reason, refused_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.id.hex, event.matterID.rawValue, event.origin.rawValue, event.author.rawValue, source, code,
                reason, now.rfc3339,
            ])
        try db.execute(
            sql: "DELETE FROM refusals WHERE seq <= ?", arguments: [db.lastInsertedRowID - Int64(Self.refusalLogLimit)])
    }

    /// How many refusals the log keeps.
    public static let refusalLogLimit = 10_000

    /// The events of one matter held by this replica, in arrival order.
    func storedEvents(of matter: MatterID) throws -> [Event] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT id, encoded, signature FROM events WHERE matter_id = ? ORDER BY arrival_seq"),
            arguments: [matter.rawValue]
        ).map { try Replica.storedEvent(id: $0["id"], encoded: $0["encoded"], signature: $0["signature"]) }
    }

    private func matterID(ofEvent id: EventID) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT matter_id FROM events WHERE id = ?"), arguments: [id.hex])
    }

    func exists(_ id: EventID) throws -> Bool {
        try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?)"), arguments: [id.hex]) ?? false
    }

    /// Whether the quarantine may hold an event: read once per transaction, then kept.
    mutating func quarantineMayHoldEvents() throws -> Bool {
        if let quarantineMayHold { return quarantineMayHold }
        let any = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM quarantine)") ?? true
        quarantineMayHold = any
        return any
    }

    /// Records that an event was put in the quarantine.
    mutating func noteQuarantined() { quarantineMayHold = true }

    private mutating func insert(_ event: Event, now: Timestamp, receivedFrom: NodeID?) throws {
        try db.executeCached(
            sql: """
                INSERT INTO events (arrival_seq, id, matter_id, kind, author, origin, hlc_wall, hlc_counter,
                    recorded_at, parents, stored_at, encoded, received_from, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                nextSequence(), event.id.hex, event.matterID.rawValue, event.kind.rawValue, event.author.rawValue,
                event.origin.rawValue, event.timestamp.wall, Int64(event.timestamp.counter),
                event.recordedAt.rfc3339, event.parents.map(\.hex).joined(separator: " "), now.rfc3339,
                Data(event.encoded), receivedFrom?.rawValue, Data(event.signature ?? []),
            ])
        if let attestation {
            try db.executeCached(
                sql: "INSERT OR IGNORE INTO origin_checks (event_id, attestation) VALUES (?, ?)",
                arguments: [event.id.hex, attestation])
        }
        if let signer = replica.witnessSigner {
            try witnessStorage(of: event, at: now, signer: signer)
        }
    }

    func finish() throws {
        try db.execute(
            sql: "UPDATE node SET hlc_wall = ?, hlc_counter = ?, head_seq = ? WHERE id = 1",
            arguments: [clock.last.wall, Int64(clock.last.counter), head])
    }
}
