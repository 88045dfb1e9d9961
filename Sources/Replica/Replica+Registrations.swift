import Entrustment
import Foundation
import GRDB

/// The hub's register of nodes that asked to join (`courtsync register`) and what hub staff
/// decided. Only the hub's replica fills it; the signed directory is issued from it.
extension Replica {
    /// Records a registration request as pending. A node already registered keeps its entry: a
    /// repeated request with the same key changes nothing but its time; with another key it is
    /// refused (`registrationConflict`), so that nobody can swap the key of a pending node before
    /// hub staff approve it. A key registered under another node id, whatever its status, is
    /// refused the same way: a revoked key cannot come back under a new name. A new node is refused (`tooManyRegistrations`) while `maxPendingPerCourt`
    /// registrations of its court already wait, so that a flood of registrations for some courts
    /// cannot keep any other court from registering.
    public func recordRegistration(
        _ request: RegisteredNode, receivedAt: Timestamp, maxPendingPerCourt: Int
    ) throws(ReplicaError) -> RegisteredNode {
        try write { tx in
            if let other = try String.fetchOne(
                tx.db, sql: "SELECT node_id FROM registrations WHERE public_key = ? AND node_id != ?",
                arguments: [request.publicKey, request.node.rawValue])
            {
                throw ReplicaError(
                    .registrationConflict,
                    "this key is already registered as node \(other): one key serves one node, and a revoked key never comes back (courtsync init makes a new one)"
                )
            }
            if let existing = try Self.registration(request.node, in: tx.db) {
                guard existing.publicKey == request.publicKey else {
                    throw ReplicaError(
                        .registrationConflict,
                        "node \(request.node) is already registered (\(existing.status.chineseName)) with the key of fingerprint \(existing.fingerprint(suite: suite)); a new key needs a new node id (courtsync init makes one)"
                    )
                }
                if existing.status != .pending { return existing }
            } else {
                let pending =
                    try Int.fetchOne(
                        tx.db, sql: "SELECT count(*) FROM registrations WHERE status = 'pending' AND court = ?",
                        arguments: [request.court.rawValue]) ?? 0
                guard pending < maxPendingPerCourt else {
                    throw ReplicaError(
                        .tooManyRegistrations,
                        "\(pending) registrations of \(request.court) already wait for hub staff: refused until they are decided (courtsync hub pending, reject)"
                    )
                }
            }
            var pending = request
            pending.status = .pending
            pending.decidedAt = nil
            pending.revokedAt = nil
            try tx.db.execute(
                sql: """
                    INSERT INTO registrations (node_id, court, public_key, status, requested_at, received_at)
                    VALUES (?, ?, ?, 'pending', ?, ?)
                    ON CONFLICT (node_id) DO UPDATE SET court = excluded.court, public_key = excluded.public_key,
                        requested_at = excluded.requested_at, received_at = excluded.received_at
                    """,
                arguments: [
                    request.node.rawValue, request.court.rawValue, request.publicKey, request.requestedAt,
                    receivedAt.rfc3339,
                ])
            return pending
        }
    }

    /// Every registration, by court then node.
    public func registrations() throws(ReplicaError) -> [RegisteredNode] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM registrations ORDER BY court, node_id").map(Self.registration)
        }
    }

    /// Saves a registration as decided by hub staff.
    public func saveRegistration(_ node: RegisteredNode) throws(ReplicaError) {
        try write { tx in
            try tx.db.execute(
                sql: """
                    INSERT INTO registrations (node_id, court, public_key, status, requested_at, received_at,
                        decided_at, revoked_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (node_id) DO UPDATE SET status = excluded.status, decided_at = excluded.decided_at,
                        revoked_at = excluded.revoked_at
                    """,
                arguments: [
                    node.node.rawValue, node.court.rawValue, node.publicKey, node.status.rawValue, node.requestedAt,
                    node.decidedAt ?? node.requestedAt, node.decidedAt, node.revokedAt,
                ])
        }
    }

    private static func registration(_ id: NodeID, in db: Database) throws -> RegisteredNode? {
        try Row.fetchOne(db, sql: "SELECT * FROM registrations WHERE node_id = ?", arguments: [id.rawValue]).map(
            registration)
    }

    private static func registration(_ row: Row) throws -> RegisteredNode {
        RegisteredNode(
            court: try CourtCode(row["court"]), node: try NodeID(row["node_id"]), publicKey: row["public_key"],
            status: RegistrationStatus(rawValue: row["status"]) ?? .pending, requestedAt: row["requested_at"],
            decidedAt: row["decided_at"], revokedAt: row["revoked_at"])
    }
}
