import Entrustment
import Foundation
import GRDB

/// This node's keys as the replica records them: its own public key and the hub key it pinned.
public struct TrustAnchor: Sendable, Equatable {
    /// This node's public key in the network's suite, hex (the private key is `DATA_DIR/node.key`).
    public var publicKey: String
    /// The hub's public key, pinned at init or at the first registration; `nil` until then.
    public var hubKey: String?
    /// Whether the operator allowed the hub's key to be taken from the hub at first contact.
    public var trustHubOnFirstUse: Bool
}

/// The signed court directory as installed: its version and the exact bytes the hub signed.
public struct InstalledDirectory: Sendable, Equatable {
    public var version: Int
    public var issuedAt: String
    public var installedAt: String
    public var payload: [UInt8]
    public var signature: [UInt8]
}

/// An event a receiver refused outright (bad signature, revoked key, an act its author may not
/// do): never stored, logged here with the reason.
public struct RefusedEvent: Sendable, Equatable, Codable {
    public var event: String
    public var matter: String
    public var origin: String
    public var author: String
    public var source: String
    public var code: String
    public var reason: String
    public var refusedAt: String
}

extension Replica {
    /// The court directory in force.
    public var directory: CourtDirectory { trust.withLock { $0.directory } }

    /// The courts and keys in force, reloaded if another connection installed a newer directory.
    func currentTrust(_ db: Database) throws -> TrustState {
        let version = try TrustState.version(db)
        if let cached = trust.withLock({ $0.version == version ? $0 : nil }) { return cached }
        let fresh = try TrustState.load(db)
        // A reader whose snapshot predates an install must not put the older keys back.
        trust.withLock { if fresh.version >= $0.version { $0 = fresh } }
        return fresh
    }

    /// The node keys in force (from the newest installed directory).
    public func keyRegistry() throws(ReplicaError) -> KeyRegistry {
        try read { db in try currentTrust(db).registry }
    }

    /// The node keys as this process last loaded them, without reading the file: for a daemon
    /// authenticating requests, which calls ``refreshTrust()`` on its change watch (a directory
    /// installed by this process is loaded at once).
    public var loadedKeyRegistry: KeyRegistry { trust.withLock { $0.registry } }

    /// The version of the signed directory as this process last loaded it (0: none installed).
    public var loadedDirectoryVersion: Int { trust.withLock { $0.version } }

    /// Loads the courts, keys and calendar again if another process installed a newer directory.
    public func refreshTrust() throws(ReplicaError) {
        _ = try read { db in try currentTrust(db) }
    }

    /// The keys stored events are verified with: the directory's, plus this node's own key
    /// while the directory does not list it.
    public func eventKeys() throws(ReplicaError) -> KeyRegistry {
        try read { db in try currentTrust(db).eventKeys }
    }

    /// This node's public key and the pinned hub key.
    public func trustAnchor() throws(ReplicaError) -> TrustAnchor {
        try read { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT public_key, hub_key, trust_hub_on_first_use FROM node WHERE id = 1")
            else { throw ReplicaError(.corrupt, "the replica has no node identity") }
            return TrustAnchor(
                publicKey: row["public_key"], hubKey: row["hub_key"], trustHubOnFirstUse: row["trust_hub_on_first_use"])
        }
    }

    /// Pins the hub's key taken on first use; refused if a key is pinned already or the operator
    /// did not allow trust on first use.
    public func pinHubKeyOnFirstUse(_ hex: String) throws(ReplicaError) {
        let anchor = try trustAnchor()
        if let pinned = anchor.hubKey {
            guard pinned == hex else {
                throw ReplicaError(
                    .badSignature,
                    "the hub presents key \(hex.prefix(16))…, but this node pinned \(pinned.prefix(16))…: refusing to talk to it"
                )
            }
            return
        }
        guard anchor.trustHubOnFirstUse else {
            throw ReplicaError(.badSignature, "no hub key is pinned: initialise with --hub-key")
        }
        try write { tx in try tx.db.execute(sql: "UPDATE node SET hub_key = ? WHERE id = 1", arguments: [hex]) }
        reloadTrust()
    }

    /// Reloads the courts, keys and calendar in force from the file (after this process changed them).
    func reloadTrust() {
        if let fresh = try? read({ db in try TrustState.load(db) }) { trust.withLock { $0 = fresh } }
    }

    /// The calendar versions in force (`nil` until a directory carrying the hub's calendar is installed).
    public func calendars() throws(ReplicaError) -> CalendarVersions? {
        try read { db in try currentTrust(db).calendars }
    }

    /// The installed signed directory, if any.
    public func installedDirectory() throws(ReplicaError) -> InstalledDirectory? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM trust_directory WHERE id = 1").map { row in
                InstalledDirectory(
                    version: row["version"], issuedAt: row["issued_at"], installedAt: row["installed_at"],
                    payload: [UInt8](row["payload"] as Data), signature: [UInt8](row["signature"] as Data))
            }
        }
    }

    /// Installs a directory whose signature the caller has verified against the pinned hub key:
    /// replaces the courts and node keys, in one transaction. Returns `false` (and changes
    /// nothing) if the installed directory is as new or newer.
    @discardableResult
    public func install(
        _ content: TrustDirectory, payload: [UInt8], signature: [UInt8], now: Timestamp
    ) throws(ReplicaError) -> Bool {
        let courts: CourtDirectory
        do {
            try content.validate()
            courts = try content.courtDirectory()
        } catch {
            throw ReplicaError(.rejectedEvent, "the signed directory is invalid: \(error.message)")
        }
        guard courts.contains(identity.court) else {
            throw ReplicaError(.rejectedEvent, "the signed directory does not list this node's court \(identity.court)")
        }
        let installed = try write { tx in
            guard try TrustState.version(tx.db) < content.version else { return false }
            try Self.storeDirectory(courts, in: tx.db)
            try tx.db.execute(sql: "DELETE FROM node_keys")
            for node in content.nodes {
                try tx.db.execute(
                    sql: """
                        INSERT INTO node_keys (node_id, court, public_key, status, requested_at, decided_at, revoked_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        node.node.rawValue, node.court.rawValue, node.publicKey, node.status.rawValue,
                        node.requestedAt, node.decidedAt, node.revokedAt,
                    ])
            }
            if let calendar = content.calendar {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                try tx.db.execute(
                    sql: """
                        INSERT INTO reference_calendar (id, version, document) VALUES (1, ?, ?)
                        ON CONFLICT (id) DO UPDATE SET version = excluded.version, document = excluded.document
                        """,
                    arguments: [calendar.version, String(decoding: try encoder.encode(calendar), as: UTF8.self)])
            }
            try tx.db.execute(
                sql: """
                    INSERT INTO trust_directory (id, version, issued_at, installed_at, payload, signature)
                    VALUES (1, ?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET version = excluded.version, issued_at = excluded.issued_at,
                        installed_at = excluded.installed_at, payload = excluded.payload, signature = excluded.signature
                    """,
                arguments: [content.version, content.issuedAt, now.rfc3339, Data(payload), Data(signature)])
            return true
        }
        if installed { reloadTrust() }
        return installed
    }

    /// The events refused outright, newest first.
    public func refusals(limit: Int = 100) throws(ReplicaError) -> [RefusedEvent] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM refusals ORDER BY seq DESC LIMIT ?", arguments: [limit]).map {
                RefusedEvent(
                    event: $0["event_id"], matter: $0["matter_id"], origin: $0["origin"], author: $0["author"],
                    source: $0["source"], code: $0["code"], reason: $0["reason"], refusedAt: $0["refused_at"])
            }
        }
    }

    /// How many events were refused outright, in all.
    public func refusalCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM refusals") ?? 0 }
    }

    /// Decodes an event of the `events` table and its signature, under the id it was stored
    /// with (no second hash: ``Event/init(stored:id:)``).
    static func storedEvent(id: String, encoded: Data, signature: Data) throws -> Event {
        let event = try Event(stored: [UInt8](encoded), id: try EventID(hex: id))
        return signature.isEmpty ? event : try event.withSignature([UInt8](signature))
    }

    /// Decodes an event held but not admitted (the quarantine), checking its encoding and id
    /// from scratch.
    static func heldEvent(encoded: Data, signature: Data, suite: SignatureSuite) throws -> Event {
        let event = try Event(decoding: [UInt8](encoded), suite: suite)
        return signature.isEmpty ? event : try event.withSignature([UInt8](signature))
    }
}
