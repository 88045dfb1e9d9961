import Dispatch
import Entrustment
import Foundation
import GRDB
import Synchronization

/// A pull answer's batch attestation (``BatchAttestation``) and what it must cover: the node
/// that asked, the cursor it asked after and the answer's `throughSequence`.
public struct AttestedPull: Sendable {
    public var attestation: BatchAttestation
    public var requester: NodeID
    public var after: Int64
    public var through: Int64

    public init(attestation: BatchAttestation, requester: NodeID, after: Int64, through: Int64) {
        self.attestation = attestation
        self.requester = requester
        self.after = after
        self.through = through
    }
}

/// Where the later re-check of attested events' origin signatures stands (待复核 / 复核失败).
public struct OriginCheckStatus: Sendable, Hashable, Codable {
    /// Events stored on an attestation whose origin signature is not re-checked yet.
    public var pending: Int
    /// Events whose origin signature failed the re-check: the hub attested what it should not have.
    public var failed: Int
    /// Attestations received, in all.
    public var attestations: Int

    public init(pending: Int, failed: Int, attestations: Int) {
        self.pending = pending
        self.failed = failed
        self.attestations = attestations
    }
}

/// One event whose origin signature failed the re-check, and the attestation that vouched for it.
public struct FailedOriginCheck: Sendable, Hashable, Codable {
    public var event: String
    public var attestation: Int64
    public var failedAt: String
    public var reason: String
}

extension Replica {
    /// Where the re-check of attested events stands.
    public func originCheckStatus() throws(ReplicaError) -> OriginCheckStatus {
        try read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM origin_checks WHERE failed_at IS NULL) AS pending,
                        (SELECT count(*) FROM origin_checks WHERE failed_at IS NOT NULL) AS failed,
                        (SELECT count(*) FROM attestations) AS attestations
                    """)!
            return OriginCheckStatus(pending: row["pending"], failed: row["failed"], attestations: row["attestations"])
        }
    }

    /// The row of the latest attestation received (0: none).
    public func latestAttestation() throws(ReplicaError) -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT max(seq) FROM attestations") ?? 0 }
    }

    /// Whether any attested event failed its re-check: from then on this node verifies every
    /// event itself and asks the hub for no more attestations.
    public func attestationsDistrusted() throws(ReplicaError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM origin_checks WHERE failed_at IS NOT NULL)")
                ?? false
        }
    }

    /// The events whose origin signature failed the re-check, oldest first.
    public func failedOriginChecks() throws(ReplicaError) -> [FailedOriginCheck] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT event_id, attestation, failed_at, reason FROM origin_checks
                    WHERE failed_at IS NOT NULL ORDER BY failed_at, event_id
                    """
            ).map {
                FailedOriginCheck(
                    event: $0["event_id"], attestation: $0["attestation"], failedAt: $0["failed_at"],
                    reason: $0["reason"])
            }
        }
    }

    /// The next events to re-check, in the list's order, with their bytes (a `LIMIT` argument).
    static let pendingOriginChecksSQL = """
        SELECT c.event_id AS id, e.encoded AS encoded, e.signature AS signature
        FROM origin_checks c CROSS JOIN events e ON e.id = c.event_id
        WHERE c.failed_at IS NULL ORDER BY c.rowid LIMIT ?
        """

    /// Re-checks the origin signatures of up to `limit` attested events, in the order they were
    /// stored (the list's own order: no sort of the whole list per batch): their bytes hashed
    /// again and their signatures verified against the keys in force, on up to `cores` cores.
    /// Those that pass leave `origin_checks`; those that fail stay there, marked with the time
    /// and the reason. Returns how many passed and which failed (their ids in hex).
    public func recheckOrigins(
        limit: Int, cores: Int = ProcessInfo.processInfo.activeProcessorCount, now: Timestamp
    ) throws(ReplicaError) -> (passed: Int, failed: [String]) {
        let (rows, trust) = try read { db in
            (
                try Row.fetchAll(db, sql: Self.pendingOriginChecksSQL, arguments: [limit]).map {
                    (id: $0["id"] as String, encoded: $0["encoded"] as Data, signature: $0["signature"] as Data)
                },
                try currentTrust(db)
            )
        }
        guard !rows.isEmpty else { return (0, []) }
        let parts = max(1, min(cores, rows.count / 64))
        let verdicts = Mutex<[String: String?]>([:])
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var found: [String: String?] = [:]
            for index in stride(from: part, to: rows.count, by: parts) {
                let row = rows[index]
                do {
                    let event = try Self.heldEvent(encoded: row.encoded, signature: row.signature, suite: suite)
                    guard event.id.hex == row.id else {
                        found[row.id] = "the stored bytes hash to \(event.id.hex.prefix(12)), not to the stored id"
                        continue
                    }
                    try trust.eventKeys.verify(event)
                    found[row.id] = .some(nil)
                } catch let error as DomainError {
                    found[row.id] = error.message
                } catch {
                    found[row.id] = "\(error)"
                }
            }
            verdicts.withLock { $0.merge(found) { first, _ in first } }
        }
        let results = verdicts.withLock { $0 }
        let failed = results.compactMap { id, reason in reason.map { (id, $0) } }.sorted { $0.0 < $1.0 }
        try write { tx in
            for (id, reason) in results where reason == nil {
                try tx.db.executeCached(sql: "DELETE FROM origin_checks WHERE event_id = ?", arguments: [id])
            }
            for (id, reason) in failed {
                try tx.db.execute(
                    sql: "UPDATE origin_checks SET failed_at = ?, reason = ? WHERE event_id = ?",
                    arguments: [now.rfc3339, reason, id])
            }
        }
        return (results.count - failed.count, failed.map(\.0))
    }
}
