import Entrustment
import GRDB

/// The courts and node keys a replica holds in memory, with the version of the signed directory
/// they came from (0: the courts from `Nodes/courts.json`, no directory installed yet).
struct TrustState: Sendable {
    var version: Int
    var directory: CourtDirectory
    var registry: KeyRegistry

    /// Reads the courts and keys from the replica.
    static func load(_ db: Database) throws -> TrustState {
        let courts = try Row.fetchAll(db, sql: "SELECT code, name, parent_code FROM courts").map { row in
            Court(
                code: try CourtCode(row["code"]), name: row["name"],
                parent: try (row["parent_code"] as String?).map { try CourtCode($0) })
        }
        let nodes = try Row.fetchAll(db, sql: "SELECT * FROM node_keys").map { row in
            RegisteredNode(
                court: try CourtCode(row["court"]), node: try NodeID(row["node_id"]), publicKey: row["public_key"],
                status: RegistrationStatus(rawValue: row["status"]) ?? .rejected, requestedAt: row["requested_at"],
                decidedAt: row["decided_at"], revokedAt: row["revoked_at"])
        }
        return TrustState(
            version: try version(db), directory: try CourtDirectory(courts), registry: try KeyRegistry(nodes))
    }

    /// The installed directory's version (0 if none).
    static func version(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT version FROM trust_directory WHERE id = 1") ?? 0
    }
}
