import Entrustment
import GRDB

/// A token that lets hub staff (or a court's own staff) read a node's monitoring endpoints
/// (`/api/v1/…`, `/metrics`, the dashboard's figures). Only its SHA-256 is stored.
public struct StaffToken: Sendable, Hashable, Codable {
    /// What a token may read.
    public enum Scope: String, Sendable, Codable, CaseIterable {
        /// Every monitoring endpoint: `/api/v1/…` and `/metrics`.
        case monitoring
        /// `/metrics` only (a Prometheus scraper's token).
        case metrics
    }

    /// The name it was created under (who holds it).
    public var name: String
    public var scope: Scope
    /// When it was created and, if so, revoked (RFC 3339).
    public var createdAt: String
    public var revokedAt: String?
}

extension Replica {
    /// Records a new token by the SHA-256 of its text; refused if an unrevoked token has the name.
    public func createStaffToken(name: String, scope: StaffToken.Scope, hash: String, now: Timestamp)
        throws(ReplicaError) -> StaffToken
    {
        try write { tx in
            if let existing = try Row.fetchOne(
                tx.db, sql: "SELECT revoked_at FROM staff_tokens WHERE name = ?", arguments: [name]),
                (existing["revoked_at"] as String?) == nil
            {
                throw ReplicaError(.conflict, "a token named \(name) exists: revoke it first, or choose another name")
            }
            try tx.db.execute(
                sql: """
                    INSERT INTO staff_tokens (name, scope, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)
                    ON CONFLICT (name) DO UPDATE SET scope = excluded.scope, token_hash = excluded.token_hash,
                        created_at = excluded.created_at, revoked_at = NULL
                    """, arguments: [name, scope.rawValue, hash, now.rfc3339])
            return StaffToken(name: name, scope: scope, createdAt: now.rfc3339, revokedAt: nil)
        }
    }

    /// Every token, by name.
    public func staffTokens() throws(ReplicaError) -> [StaffToken] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM staff_tokens ORDER BY name").map(Self.staffToken) }
    }

    /// Revokes the token named `name`; refused if there is none unrevoked.
    public func revokeStaffToken(name: String, now: Timestamp) throws(ReplicaError) -> StaffToken {
        try write { tx in
            guard
                let row = try Row.fetchOne(
                    tx.db, sql: "SELECT * FROM staff_tokens WHERE name = ? AND revoked_at IS NULL", arguments: [name])
            else { throw ReplicaError(.notFound, "no unrevoked token is named \(name)") }
            try tx.db.execute(
                sql: "UPDATE staff_tokens SET revoked_at = ? WHERE name = ?", arguments: [now.rfc3339, name])
            var token = try Self.staffToken(row)
            token.revokedAt = now.rfc3339
            return token
        }
    }

    /// The unrevoked token whose text hashes to `hash`, if any.
    public func staffToken(hash: String) throws(ReplicaError) -> StaffToken? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM staff_tokens WHERE token_hash = ? AND revoked_at IS NULL", arguments: [hash]
            ).map(Self.staffToken)
        }
    }

    private static func staffToken(_ row: Row) throws -> StaffToken {
        guard let scope = StaffToken.Scope(rawValue: row["scope"]) else {
            throw ReplicaError(.corrupt, "staff_tokens row \(row["name"] as String? ?? "?") has an unknown scope")
        }
        return StaffToken(name: row["name"], scope: scope, createdAt: row["created_at"], revokedAt: row["revoked_at"])
    }
}
