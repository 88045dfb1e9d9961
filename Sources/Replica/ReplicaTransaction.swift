import Foundation
import Entrustment
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
        /// Events refused and put in the quarantine (only with ``RefusalPolicy/quarantine(source:)``).
        public var quarantined: [Refusal] = []
        /// Events refused outright and not stored: a signature that does not verify, a revoked or
        /// rejected key, an act its author may not do (only with ``RefusalPolicy/quarantine(source:)``;
        /// each is logged in the `refusals` table).
        public var refused: [Refusal] = []
    }

    /// An event the replica refused, and why.
    public struct Refusal: Sendable, Hashable {
        /// The refused event.
        public var event: EventID
        /// The refusal's code (a ``ReplicaError/Code`` raw value: `missingParent`, `rejectedEvent` …).
        public var code: String
        /// One line naming the problem.
        public var reason: String
    }

    let db: Database
    private let replica: Replica
    /// The courts and keys in force for this transaction.
    private let trust: TrustState
    /// This node's hybrid logical clock; saved when the transaction commits.
    public private(set) var clock: HybridLogicalClock
    /// The matters this transaction has read or written: their events and, once needed, fold.
    private var work: [MatterID: MatterWork] = [:]

    init(db: Database, replica: Replica) throws {
        self.db = db
        self.replica = replica
        guard let row = try Row.fetchOne(db, sql: "SELECT hlc_wall, hlc_counter FROM node WHERE id = 1") else {
            throw ReplicaError(.corrupt, "the replica has no node identity")
        }
        guard let counter = UInt32(exactly: row["hlc_counter"] as Int64) else {
            throw ReplicaError(.corrupt, "the replica's clock counter is out of range")
        }
        clock = HybridLogicalClock(last: HybridTimestamp(wall: row["hlc_wall"], counter: counter))
        trust = try replica.currentTrust(db)
    }

    /// The court directory in force.
    public var directory: CourtDirectory { trust.directory }

    /// A clock reading for a new local act.
    public mutating func tick(now: Timestamp) -> HybridTimestamp { clock.tick(now: now) }

    /// The matter as currently folded, if this replica holds it.
    public mutating func matter(_ id: MatterID) throws -> Matter? {
        try load(id)
        return work[id]!.current(directory: trust.directory)
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
        /// Store it in the quarantine with its reason and go on with the rest (network sync: one
        /// bad event never blocks a link). `source` names where it came from, for the operator.
        case quarantine(source: String)
    }

    /// Appends events, idempotently, refolding every matter they touch once.
    ///
    /// Each event's parents must already be stored or come earlier in `events`, and belong to the
    /// same matter. Every event is checked with ``Admission``; a refused event either throws and
    /// rolls the whole transaction back, or is quarantined (see ``RefusalPolicy``). With
    /// `visibleTo`, events of matters that court may not see are left out and counted.
    /// `receivedFrom` records the node the events arrived from, so that they are not sent back to it.
    ///
    /// Remote events are admitted on the matter's parties, which the `create` fixes, so a matter
    /// is folded once after the batch. A local act is held to the current state, so its matter is
    /// refolded after each one.
    @discardableResult
    public mutating func append(
        _ events: [Event], origin: Origin, now: Timestamp, visibleTo court: CourtCode? = nil,
        receivedFrom: NodeID? = nil, refusals: RefusalPolicy = .abort, maxClockAhead: Int64 = Self.maxClockAhead
    ) throws -> AppendReport {
        var report = AppendReport()
        var touched: Set<MatterID> = []
        var invisible: Set<MatterID> = []
        for event in events {
            if try exists(event.id) {
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
                guard case .quarantine(let source) = refusals else { throw refusal }
                let entry = Refusal(event: event.id, code: refusal.code.rawValue, reason: refusal.message)
                if QuarantinedEvent.retryableCodes.contains(refusal.code.rawValue) {
                    try quarantine(event, source: source, code: entry.code, reason: entry.reason, now: now)
                    report.quarantined.append(entry)
                } else {
                    try forgetQuarantined(event.id)
                    try logRefusal(event, source: source, code: entry.code, reason: entry.reason, now: now)
                    report.refused.append(entry)
                }
                continue
            }
            try insert(event, now: now, receivedFrom: receivedFrom)
            if case .quarantine = refusals { try forgetQuarantined(event.id) }
            if origin == .remote { clock.observe(event.timestamp, now: now) }
            work[event.matterID]!.add(event)
            touched.insert(event.matterID)
            report.stored += 1
        }
        for id in touched.sorted() {
            try save(id, now: now)
        }
        report.touchedMatters = touched.sorted()
        return report
    }

    /// Refolds a matter from its stored events and saves the row (after a change of fold rules).
    mutating func refold(_ id: MatterID, now: Timestamp) throws {
        try load(id)
        try save(id, now: now)
    }

    private mutating func load(_ id: MatterID) throws {
        guard work[id] == nil else { return }
        work[id] = MatterWork(history: try storedEvents(of: id))
    }

    private mutating func save(_ id: MatterID, now: Timestamp) throws {
        guard let folded = work[id]!.current(directory: trust.directory) else {
            throw ReplicaError(.rejectedEvent, "matter \(id) has no create event")
        }
        try MatterRow.save(folded, firstStoredAt: now, in: db)
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
        return !Role.roles(of: court, entrusting: entrusting, entrusted: entrusted, in: trust.directory).isEmpty
    }

    /// The checks before an event is stored: parents held and of the same matter, ``Admission``
    /// against the matter as it stood where the event was made, and (for remote events) the clock
    /// lead. Throws a ``ReplicaError`` naming the refusal.
    private mutating func admit(_ event: Event, origin: Origin, now: Timestamp, maxClockAhead: Int64) throws {
        try verifySignature(event)
        for parent in event.parents {
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
            let before = work[event.matterID]!.state(before: event, directory: trust.directory)
            try Admission.check(event, after: before, holdsMatter: holdsMatter, directory: trust.directory)
        } catch {
            throw ReplicaError(
                error.code == .inconsistentMatter && !holdsMatter ? .unknownMatter : .rejectedEvent, error.message)
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
        do {
            try trust.eventKeys.verify(event)
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

    /// Logs an event refused outright (it is not stored).
    private func logRefusal(_ event: Event, source: String, code: String, reason: String, now: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO refusals (event_id, matter_id, origin, author, source, code, reason, refused_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.id.hex, event.matterID.rawValue, event.origin.rawValue, event.author.rawValue, source, code,
                reason, now.rfc3339,
            ])
    }

    /// The events of one matter held by this replica, in arrival order.
    func storedEvents(of matter: MatterID) throws -> [Event] {
        try Row.fetchAll(
            db, sql: "SELECT encoded, signature FROM events WHERE matter_id = ? ORDER BY arrival_seq",
            arguments: [matter.rawValue]
        ).map { try Replica.storedEvent(encoded: $0["encoded"], signature: $0["signature"]) }
    }

    private func matterID(ofEvent id: EventID) throws -> String? {
        try String.fetchOne(db, sql: "SELECT matter_id FROM events WHERE id = ?", arguments: [id.hex])
    }

    private func exists(_ id: EventID) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?)", arguments: [id.hex]) ?? false
    }

    private func insert(_ event: Event, now: Timestamp, receivedFrom: NodeID?) throws {
        try db.execute(
            sql: """
                INSERT INTO events (id, matter_id, kind, author, origin, hlc_wall, hlc_counter, recorded_at, parents,
                    stored_at, encoded, received_from, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.id.hex, event.matterID.rawValue, event.kind.rawValue, event.author.rawValue,
                event.origin.rawValue, event.timestamp.wall, Int64(event.timestamp.counter), event.recordedAt.rfc3339,
                event.parents.map(\.hex).joined(separator: " "), now.rfc3339, Data(event.encoded),
                receivedFrom?.rawValue, Data(event.signature ?? []),
            ])
    }

    func finish() throws {
        try db.execute(
            sql: "UPDATE node SET hlc_wall = ?, hlc_counter = ? WHERE id = 1",
            arguments: [clock.last.wall, Int64(clock.last.counter)])
    }
}
