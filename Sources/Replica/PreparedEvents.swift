import Dispatch
import Entrustment
import Foundation
import GRDB
import Synchronization

/// The costly part of storing a batch of incoming events, done before the write transaction and
/// on every core: which events the replica already holds, whose signatures verify against the
/// keys in force, and (on the hub) the signed witness of each new event's storage.
///
/// The write transaction (one writer at a time) then skips what was done here, but only where
/// nothing it relied on changed meanwhile: a signature counts as verified only under the same
/// directory version, and a witness is used only if the transaction would have made exactly the
/// same one (same time, downtime and grace). Anything else the transaction checks or signs
/// itself, so a preparation can make the apply faster, never different.
public struct PreparedEvents: Sendable {
    /// The directory version whose keys verified the signatures.
    let trustVersion: Int
    /// The signature that verified, per event id.
    let verified: [EventID: [UInt8]]
    /// On the hub: the signed storage witness made for each event not yet held.
    let witnesses: [EventID: Witness]

    /// No preparation: the transaction checks and signs everything itself.
    public static let none = PreparedEvents(trustVersion: -1, verified: [:], witnesses: [:])

    /// How many signatures were verified ahead.
    public var verifiedCount: Int { verified.count }

    /// Whether `event`'s signature verified under directory version `version`.
    func hasVerified(_ event: Event, underVersion version: Int) -> Bool {
        guard version == trustVersion, let signature = event.signature else { return false }
        return verified[event.id] == signature
    }

    /// The prepared witness equal to `unsigned` (the one the transaction would make), signed.
    func witness(matching unsigned: Witness) -> Witness? {
        guard let prepared = witnesses[unsigned.event], prepared.encoded == unsigned.encoded else { return nil }
        return prepared
    }
}

extension Replica {
    /// Prepares `events` for ``ReplicaTransaction/receive(_:witnesses:from:source:now:visibleTo:maxClockAhead:newerDirectory:maxQuarantinedPerSource:prepared:)``
    /// (``PreparedEvents``): one query for the ids already held, then the signatures of the
    /// others verified, and on the hub their storage witnesses (dated `now`) signed, across all
    /// cores. Runs outside any write transaction, so other writers are not held up.
    public func prepare(_ events: [Event], now: Timestamp) throws(ReplicaError) -> PreparedEvents {
        let (held, uptime, trust) = try read { db in
            (
                try Self.storedIDs(among: events.map(\.id), in: db),
                try HubUptime.runs(in: db),
                try currentTrust(db)
            )
        }
        var seen: Set<EventID> = []
        let fresh = events.filter { !held.contains($0.id) && seen.insert($0.id).inserted }
        guard !fresh.isEmpty else { return PreparedEvents(trustVersion: trust.version, verified: [:], witnesses: [:]) }
        let signer = witnessSigner
        let serving = isServing
        let grace = trust.calendars?.graceMilliseconds ?? Int64(ReferenceCalendar.defaultGraceSeconds) * 1000
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, fresh.count / 64))
        let results = Mutex<(verified: [EventID: [UInt8]], witnesses: [EventID: Witness])>(([:], [:]))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var verified: [EventID: [UInt8]] = [:]
            var witnesses: [EventID: Witness] = [:]
            for index in stride(from: part, to: fresh.count, by: parts) {
                let event = fresh[index]
                guard (try? trust.eventKeys.verify(event)) != nil, let signature = event.signature else { continue }
                verified[event.id] = signature
                guard let signer else { continue }
                let downtime = HubUptime.downtime(from: event.recordedAt, to: now, runs: uptime, serving: serving)
                if let witness = try? Witness(
                    kind: .stored, event: event.id, matter: event.matterID, court: nil, at: now,
                    hubDowntimeMilliseconds: downtime, graceMilliseconds: grace)
                {
                    witnesses[event.id] = signer(witness)
                }
            }
            results.withLock {
                $0.verified.merge(verified) { first, _ in first }
                $0.witnesses.merge(witnesses) { first, _ in first }
            }
        }
        return results.withLock {
            PreparedEvents(trustVersion: trust.version, verified: $0.verified, witnesses: $0.witnesses)
        }
    }

    /// Which of `ids` the `events` table holds: one query per thousand ids.
    static func storedIDs(among ids: [EventID], in db: Database) throws -> Set<EventID> {
        var held: Set<EventID> = []
        for start in stride(from: 0, to: ids.count, by: 1_000) {
            let chunk = ids[start..<min(start + 1_000, ids.count)]
            let sql = "SELECT id FROM events WHERE id IN (\(chunk.map { _ in "?" }.joined(separator: ",")))"
            for hex in try String.fetchAll(db, sql: sql, arguments: StatementArguments(chunk.map(\.hex))) {
                held.insert(try EventID(hex: hex))
            }
        }
        return held
    }
}
