import Entrustment
import GRDB

/// The courts and node keys a replica holds in memory, with the version of the signed directory
/// they came from (0: the courts from `Nodes/courts.json`, no directory installed yet).
struct TrustState: Sendable {
    var version: Int
    var directory: CourtDirectory
    /// The nodes the signed directory lists (who may make requests).
    var registry: KeyRegistry
    /// The keys events are verified with: the directory's, plus this node's own key while the
    /// directory does not list it yet (its own acts verify before its registration is approved).
    var eventKeys: KeyRegistry

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
        let registry = try KeyRegistry(nodes)
        var eventKeys = registry
        if let own = try Row.fetchOne(db, sql: "SELECT court_code, node_id, public_key FROM node WHERE id = 1"),
            registry[try NodeID(own["node_id"])] == nil
        {
            eventKeys = try KeyRegistry(
                nodes + [
                    RegisteredNode(
                        court: try CourtCode(own["court_code"]), node: try NodeID(own["node_id"]),
                        publicKey: own["public_key"], status: .approved, requestedAt: "")
                ])
        }
        return TrustState(
            version: try version(db), directory: try CourtDirectory(courts), registry: registry, eventKeys: eventKeys)
    }

    /// The installed directory's version (0 if none).
    static func version(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT version FROM trust_directory WHERE id = 1") ?? 0
    }
}
