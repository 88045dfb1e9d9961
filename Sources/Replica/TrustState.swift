import Entrustment
import Foundation
import GRDB

/// The courts, node keys and reference calendar a replica holds in memory, with the version of
/// the signed directory they came from (0: the courts from `Nodes/courts.json`, no directory
/// installed yet, and no calendar).
struct TrustState: Sendable {
    var version: Int
    var directory: CourtDirectory
    /// The nodes the signed directory lists (who may make requests).
    var registry: KeyRegistry
    /// The keys events are verified with: the directory's, plus this node's own key while the
    /// directory does not list it yet (its own acts verify before its registration is approved).
    var eventKeys: KeyRegistry
    /// Every version of the hub's published calendar, if a directory carrying one is installed.
    var calendars: CalendarVersions?
    /// The pinned hub key, which signs witnesses (`nil` until pinned on first use).
    var hubKey: VerifyingKey?

    /// Reads the courts, keys and calendar from the replica.
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
        let suite = try Replica.suite(db)
        let registry = try KeyRegistry(nodes, suite: suite)
        var eventKeys = registry
        guard
            let own = try Row.fetchOne(
                db, sql: "SELECT court_code, node_id, public_key, hub_key FROM node WHERE id = 1")
        else { throw ReplicaError(.corrupt, "the replica has no node identity") }
        if registry[try NodeID(own["node_id"])] == nil {
            eventKeys = try KeyRegistry(
                nodes + [
                    RegisteredNode(
                        court: try CourtCode(own["court_code"]), node: try NodeID(own["node_id"]),
                        publicKey: own["public_key"], status: .approved, requestedAt: "")
                ], suite: suite)
        }
        let calendars = try String.fetchOne(db, sql: "SELECT document FROM reference_calendar WHERE id = 1").map {
            try CalendarVersions(JSONDecoder().decode(ReferenceCalendar.self, from: Data($0.utf8)))
        }
        return TrustState(
            version: try version(db), directory: try CourtDirectory(courts), registry: registry, eventKeys: eventKeys,
            calendars: calendars,
            hubKey: try (own["hub_key"] as String?).map { try VerifyingKey(hex: $0, suite: suite) })
    }

    /// The installed directory's version (0 if none).
    static func version(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT version FROM trust_directory WHERE id = 1") ?? 0
    }
}
