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
    }

    let db: Database
    private let replica: Replica
    /// This node's hybrid logical clock; saved when the transaction commits.
    public private(set) var clock: HybridLogicalClock
    private var matterCache: [MatterID: Matter] = [:]

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
    }

    /// A clock reading for a new local act.
    public mutating func tick(now: Timestamp) -> HybridTimestamp { clock.tick(now: now) }

    /// The matter as currently folded, if this replica holds it.
    public func matter(_ id: MatterID) throws -> Matter? {
        if let cached = matterCache[id] { return cached }
        return try Row.fetchOne(db, sql: "SELECT * FROM matters WHERE id = ?", arguments: [id.rawValue]).map(
            MatterRow.load)
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

    /// How far ahead of this node's clock a remote event's clock may be. A court whose clock runs
    /// further ahead is refused with a message naming both times, rather than dragging this
    /// node's hybrid clock (and every later local act) into its future.
    public static let maxClockAhead: Int64 = 3_600_000

    /// Appends events, idempotently, refolding every matter they touch once.
    ///
    /// Each event's parents must already be stored or come earlier in `events`, and belong to the
    /// same matter. Every event is checked with ``Admission``; a refused event throws and the
    /// whole transaction rolls back. With `visibleTo`, events of matters that court may not see
    /// are left out and counted.
    ///
    /// Remote events are admitted on the matter's parties, which the `create` fixes, so a matter
    /// is folded once after the batch. A local act is held to the current state, so its matter is
    /// refolded after each one.
    @discardableResult
    public mutating func append(
        _ events: [Event], origin: Origin, now: Timestamp, visibleTo court: CourtCode? = nil
    ) throws -> AppendReport {
        var report = AppendReport()
        var eventsByMatter: [MatterID: [Event]] = [:]
        var invisible: Set<MatterID> = []
        let directory = replica.directory
        for event in events {
            if try exists(event.id) {
                report.duplicates += 1
                continue
            }
            if invisible.contains(event.matterID) {
                report.notVisible += 1
                continue
            }
            let current: Matter? = try matter(event.matterID)
            if let court {
                let parties: (CourtCode, CourtCode)? =
                    if let current {
                        (current.entrustingCourt, current.entrustedCourt)
                    } else if case .create(let r) = event.action {
                        (event.author, r.entrustedCourt)
                    } else { nil }
                if let (entrusting, entrusted) = parties,
                    Role.roles(of: court, entrusting: entrusting, entrusted: entrusted, in: directory).isEmpty
                {
                    invisible.insert(event.matterID)
                    report.notVisible += 1
                    continue
                }
            }
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
            switch origin {
            case .local: try Admission.checkLocalAct(event, on: current, directory: directory)
            case .remote:
                try Admission.check(event, on: current, directory: directory)
                guard event.timestamp.wall <= now.milliseconds + Self.maxClockAhead else {
                    throw ReplicaError(
                        .rejectedEvent,
                        "event \(event.id.hex.prefix(12)) by \(event.origin) is dated \(event.recordedAt.rfc3339), more than \(Self.maxClockAhead / 60_000) minutes ahead of this node's clock (\(now.rfc3339)): check both nodes' clocks"
                    )
                }
            }
            try insert(event, now: now)
            if origin == .remote { clock.observe(event.timestamp, now: now) }
            if eventsByMatter[event.matterID] == nil {
                eventsByMatter[event.matterID] = try storedEvents(of: event.matterID)
            } else {
                eventsByMatter[event.matterID]!.append(event)
            }
            if origin == .local || current == nil {
                matterCache[event.matterID] = try fold(event.matterID, eventsByMatter[event.matterID]!)
            }
            report.stored += 1
        }
        for id in eventsByMatter.keys.sorted() {
            let folded = origin == .local ? matterCache[id]! : try fold(id, eventsByMatter[id]!)
            matterCache[id] = folded
            try MatterRow.save(folded, firstStoredAt: now, in: db)
        }
        report.touchedMatters = eventsByMatter.keys.sorted()
        return report
    }

    /// The events of one matter held by this replica, in arrival order.
    func storedEvents(of matter: MatterID) throws -> [Event] {
        try Data.fetchAll(
            db, sql: "SELECT encoded FROM events WHERE matter_id = ? ORDER BY arrival_seq", arguments: [matter.rawValue]
        ).map { try Event(decoding: [UInt8]($0)) }
    }

    private func fold(_ id: MatterID, _ events: [Event]) throws -> Matter {
        guard let folded = MatterFold.fold(events, directory: replica.directory) else {
            throw ReplicaError(.rejectedEvent, "matter \(id) has no create event")
        }
        return folded
    }

    private func matterID(ofEvent id: EventID) throws -> String? {
        try String.fetchOne(db, sql: "SELECT matter_id FROM events WHERE id = ?", arguments: [id.hex])
    }

    private func exists(_ id: EventID) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?)", arguments: [id.hex]) ?? false
    }

    private func insert(_ event: Event, now: Timestamp) throws {
        try db.execute(
            sql: """
                INSERT INTO events (id, matter_id, kind, author, origin, hlc_wall, hlc_counter, recorded_at, parents,
                    stored_at, encoded)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                event.id.hex, event.matterID.rawValue, event.kind.rawValue, event.author.rawValue,
                event.origin.rawValue, event.timestamp.wall, Int64(event.timestamp.counter), event.recordedAt.rfc3339,
                event.parents.map(\.hex).joined(separator: " "), now.rfc3339, Data(event.encoded),
            ])
    }

    func finish() throws {
        try db.execute(
            sql: "UPDATE node SET hlc_wall = ?, hlc_counter = ? WHERE id = 1",
            arguments: [clock.last.wall, Int64(clock.last.counter)])
    }
}
