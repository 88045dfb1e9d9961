import Entrustment
import Foundation
import GRDB

/// The hub's witnesses in a write transaction: made on the hub when it first stores an event or
/// delivers a `create`, stored on every replica that receives them (`Protocol/changeset.md` §5).
extension ReplicaTransaction {
    /// The witnesses held for a matter.
    func witnesses(ofMatter id: MatterID) throws -> [Witness] {
        try Row.fetchAll(
            db.cachedStatement(
                sql: "SELECT encoded, signature FROM witnesses WHERE matter_id = ? ORDER BY arrival_seq"),
            arguments: [id.rawValue]
        ).map { try Replica.storedWitness(encoded: $0["encoded"], signature: $0["signature"]) }
    }

    /// On the hub: witnesses that it stored `event` now.
    mutating func witnessStorage(of event: Event, at now: Timestamp, signer: Replica.WitnessSigning) throws {
        let witness = try Witness(
            kind: .stored, event: event.id, matter: event.matterID, court: nil, at: now,
            hubDowntimeMilliseconds: try hubDowntime(since: event.recordedAt, now: now),
            graceMilliseconds: graceMilliseconds)
        try insertWitness(prepared.witness(matching: witness) ?? signer(witness), now: now, receivedFrom: nil)
    }

    /// On the hub: witnesses that it hands the `create` of `matter` to a node of `court`, the
    /// entrusted court, for the first time. Returns whether it was the first time.
    @discardableResult
    public mutating func witnessDelivery(of matter: MatterID, to court: CourtCode, now: Timestamp) throws -> Bool {
        guard let signer = replica.witnessSigner,
            let create = try history(of: matter).first(where: { $0.kind == .create }),
            case .create(let request) = create.action, request.entrustedCourt == court,
            try !Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM witnesses WHERE event_id = ? AND kind = 'delivered')",
                arguments: [create.id.hex])!
        else { return false }
        let witness = try Witness(
            kind: .delivered, event: create.id, matter: matter, court: court, at: now,
            hubDowntimeMilliseconds: try hubDowntime(since: create.recordedAt, now: now),
            graceMilliseconds: graceMilliseconds)
        try insertWitness(signer(witness), now: now, receivedFrom: nil)
        try refold(matter, now: now)
        return true
    }

    /// Stores witnesses received from `sender`: each must carry the pinned hub key's signature
    /// (refused otherwise) and be of a matter `court` may see; the matters they touch are saved
    /// again with the times they make count.
    public mutating func store(
        _ witnesses: [Witness], receivedFrom sender: NodeID?, now: Timestamp, visibleTo court: CourtCode?
    ) throws -> AppendReport {
        var report = AppendReport()
        var touched: Set<MatterID> = []
        for witness in witnesses {
            guard let hubKey = trust.hubKey else {
                report.refused.append(
                    Refusal(
                        event: witness.event, code: "badSignature", reason: "no hub key is pinned to check witnesses",
                        witness: witness.kind))
                continue
            }
            do {
                // In an attested batch the hub's one signature covers its witnesses too.
                if attestation == nil { try witness.verify(hubKey: hubKey) }
            } catch {
                report.refused.append(
                    Refusal(event: witness.event, code: "badSignature", reason: error.message, witness: witness.kind))
                continue
            }
            let parties = try parties(of: witness.matter)
            if let court, let parties,
                !isVisible(entrusting: parties.entrusting, entrusted: parties.entrusted, to: court)
            {
                report.notVisible += 1
                continue
            }
            guard try insertWitness(witness, now: now, receivedFrom: sender) else { continue }
            report.witnessesStored += 1
            if parties != nil { touched.insert(witness.matter) }
        }
        for id in touched.sorted() { try saveOrDefer(id, now: now) }
        report.touchedMatters = touched.sorted()
        report.concernedCourts = try concernedCourts(of: touched)
        return report
    }

    /// Inserts a witness with the next arrival sequence, unless one of its kind is held for its
    /// event. Returns whether it was inserted.
    @discardableResult
    private mutating func insertWitness(_ witness: Witness, now: Timestamp, receivedFrom: NodeID?) throws -> Bool {
        let held = try Bool.fetchOne(
            db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM witnesses WHERE event_id = ? AND kind = ?)"),
            arguments: [witness.event.hex, witness.kind.name])!
        guard !held else { return false }
        try db.executeCached(
            sql: """
                INSERT INTO witnesses (arrival_seq, event_id, kind, matter_id, court, at, hub_downtime_ms, grace_ms,
                    encoded, signature, stored_at, received_from)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                nextSequence(), witness.event.hex, witness.kind.name, witness.matter.rawValue,
                witness.court?.rawValue, witness.at.rfc3339, witness.hubDowntimeMilliseconds,
                witness.graceMilliseconds, Data(witness.encoded), Data(witness.signature ?? []), now.rfc3339,
                receivedFrom?.rawValue,
            ])
        return true
    }

    /// The late-report grace in force, in milliseconds.
    private var graceMilliseconds: Int64 {
        trust.calendars?.graceMilliseconds ?? Int64(ReferenceCalendar.defaultGraceSeconds) * 1000
    }

    /// How long the hub was down between `since` and `now`, from its uptime log.
    private mutating func hubDowntime(since: Timestamp, now: Timestamp) throws -> Int64 {
        if uptime == nil {
            uptime = try HubUptime.runs(in: db)
        }
        return HubUptime.downtime(from: since, to: now, runs: uptime!, serving: replica.isServing)
    }
}

extension Replica {
    /// Signs the hub's witnesses: set on the hub's replica by its node, which holds the key.
    public typealias WitnessSigning = @Sendable (Witness) -> Witness

    /// A ``WitnessSigning`` in a box, so that it can be kept in a `Mutex`.
    final class WitnessSigner: Sendable {
        let sign: WitnessSigning
        init(sign: @escaping WitnessSigning) { self.sign = sign }
    }

    /// Decodes a witness and its signature as stored.
    static func storedWitness(encoded: Data, signature: Data) throws -> Witness {
        try Witness(decoding: [UInt8](encoded)).withSignature([UInt8](signature))
    }

    /// Records that the hub's daemon, started at `startedAt`, is alive at `now` (its uptime log).
    public func recordHubRun(startedAt: Timestamp, aliveAt now: Timestamp) throws(ReplicaError) {
        try write { tx in
            try tx.db.execute(
                sql: """
                    INSERT INTO hub_uptime (started_at_ms, alive_at_ms) VALUES (?, ?)
                    ON CONFLICT (started_at_ms) DO UPDATE SET alive_at_ms = excluded.alive_at_ms
                    """, arguments: [startedAt.milliseconds, now.milliseconds])
        }
    }

    /// The witnesses held for a matter, in arrival order.
    public func witnesses(ofMatter id: MatterID) throws(ReplicaError) -> [Witness] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT encoded, signature FROM witnesses WHERE matter_id = ? ORDER BY arrival_seq",
                arguments: [id.rawValue]
            ).map { try Replica.storedWitness(encoded: $0["encoded"], signature: $0["signature"]) }
        }
    }

    /// The storage witnesses held for `events`.
    public func witnesses(ofEvents events: [EventID]) throws(ReplicaError) -> [Witness] {
        guard !events.isEmpty else { return [] }
        return try read { db in try Self.storageWitnesses(of: events, in: db) }
    }

    /// ``witnesses(ofEvents:)`` through GRDB's async API (a push receipt at the hub).
    public func witnesses(ofEvents events: [EventID]) async throws(ReplicaError) -> [Witness] {
        guard !events.isEmpty else { return [] }
        return try await read { db in try Self.storageWitnesses(of: events, in: db) }
    }

    private static func storageWitnesses(of events: [EventID], in db: Database) throws -> [Witness] {
        var found: [Witness] = []
        for start in stride(from: 0, to: events.count, by: 500) {
            let chunk = events[start..<min(start + 500, events.count)]
            found += try Row.fetchAll(
                db,
                sql: """
                    SELECT encoded, signature FROM witnesses WHERE kind = 'stored'
                    AND event_id IN (\(chunk.map { _ in "?" }.joined(separator: ",")))
                    ORDER BY arrival_seq
                    """, arguments: StatementArguments(chunk.map(\.hex))
            ).map { try Replica.storedWitness(encoded: $0["encoded"], signature: $0["signature"]) }
        }
        return found
    }

    /// Which of the `creates` the hub has not witnessed delivering yet.
    public func undelivered(_ creates: [EventID]) throws(ReplicaError) -> Set<EventID> {
        try read { db in try Self.undelivered(creates, in: db) }
    }

    /// ``undelivered(_:)`` through GRDB's async API (a pull at the hub).
    public func undelivered(_ creates: [EventID]) async throws(ReplicaError) -> Set<EventID> {
        try await read { db in try Self.undelivered(creates, in: db) }
    }

    private static func undelivered(_ creates: [EventID], in db: Database) throws -> Set<EventID> {
        var delivered: Set<String> = []
        for start in stride(from: 0, to: creates.count, by: 500) {
            let chunk = creates[start..<min(start + 500, creates.count)]
            delivered.formUnion(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT event_id FROM witnesses WHERE kind = 'delivered'
                        AND event_id IN (\(chunk.map { _ in "?" }.joined(separator: ",")))
                        """, arguments: StatementArguments(chunk.map(\.hex))))
        }
        return Set(creates.filter { !delivered.contains($0.hex) })
    }

    /// The number of witnesses held.
    public func witnessCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM witnesses") ?? 0 }
    }
}
