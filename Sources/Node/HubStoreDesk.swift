import Entrustment
import Foundation
import PostgresStore
import Replica

/// What moving a hub into its shared store did, and what the check found.
public struct StoreMove: Sendable, Encodable {
    /// The store (`postgres://…`, no password).
    public var store: String
    /// Rows copied.
    public var rows: Int
    /// Matters and events in the hub's replica.
    public var matters: Int
    public var events: Int
    /// The digest over every matter, of the replica and of a replica rebuilt from the store.
    public var digest: String
    public var storeDigest: String
    /// Findings of `audit verify` on the replica and on the rebuilt one (none when both pass).
    public var auditFindings: Int
    public var storeAuditFindings: Int

    /// Whether the store holds what the replica holds and both pass the audit.
    public var verified: Bool { digest == storeDigest && auditFindings == 0 && storeAuditFindings == 0 }
}

/// The hub's replica moved into a PostgreSQL store that several hub processes share
/// (`docs/postgres.md`).
extension CourtNode {
    /// Copies the hub's replica into the empty store `binding` names; rebuilds a replica from the
    /// store alone, in a scratch folder, and compares the two (the digest over every matter and
    /// `audit verify` on each); and only if they agree binds the replica to the store. Run it with
    /// no daemon on the data directory.
    public func moveToStore(_ binding: SharedStoreBinding) throws(NodeError) -> StoreMove {
        guard isHub else {
            throw NodeError(
                code: "notHub", "only the hub's replica moves to PostgreSQL; a court's stays in its data directory")
        }
        let open = { () throws(NodeError) -> PostgresSharedStore in
            do throws(ReplicaError) {
                return try PostgresSharedStore.open(binding)
            } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
        }
        let store = try open()
        let rows = try read { () throws(ReplicaError) in try replica.publish(to: store) }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "courtsync-store-check-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        do {
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: dataDirectory.appendingPathComponent(NodeKeyFile.fileName),
                to: scratch.appendingPathComponent(NodeKeyFile.fileName))
        } catch {
            throw NodeError(code: "storage", "cannot make a scratch folder to check the store: \(error)")
        }
        let checkStore = try open()
        defer { checkStore.close() }
        try read { () throws(ReplicaError) in
            try Replica.copy(of: checkStore, to: CourtNode.replicaPath(in: scratch))
        }
        let rebuilt = try CourtNode(dataDirectory: scratch, time: time)
        defer { try? rebuilt.close() }
        let digest = try read { () throws(ReplicaError) in try replica.digest() }
        let storeDigest = try read { () throws(ReplicaError) in try rebuilt.replica.digest() }
        let audit = try auditVerify()
        let storeAudit = try rebuilt.auditVerify()
        let move = StoreMove(
            store: binding.location, rows: rows, matters: digest.matters.count, events: audit.events,
            digest: digest.digest.hex, storeDigest: storeDigest.digest.hex, auditFindings: audit.findings.count,
            storeAuditFindings: storeAudit.findings.count)
        if move.verified { try read { () throws(ReplicaError) in try replica.bind(to: store, binding: binding) } }
        return move
    }
}

extension CourtNode {
    /// Makes `dataDirectory` another process of the hub whose data directory is `hub`: its
    /// `node.key`, and a replica rebuilt from the shared store `binding` names (not a copy of the
    /// hub's file, which may be in use). Returns the store version the new replica holds.
    public static func joinStore(
        dataDirectory: URL, hub: URL, binding: SharedStoreBinding
    ) throws(NodeError) -> Int64 {
        let key = dataDirectory.appendingPathComponent(NodeKeyFile.fileName)
        guard !FileManager.default.fileExists(atPath: replicaPath(in: dataDirectory)) else {
            throw NodeError(code: "alreadyInitialised", "a replica already exists in \(dataDirectory.path)")
        }
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: hub.appendingPathComponent(NodeKeyFile.fileName), to: key)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key.path)
        } catch {
            throw NodeError(code: "storage", "cannot copy the hub's key into \(dataDirectory.path): \(error)")
        }
        do {
            let store = try PostgresSharedStore.open(binding)
            defer { store.close() }
            return try Replica.copy(of: store, to: replicaPath(in: dataDirectory), binding: binding)
        } catch {
            try? FileManager.default.removeItem(at: key)
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }
}
