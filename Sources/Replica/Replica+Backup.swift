import Entrustment
import Foundation
import GRDB

/// What a consistent copy of a replica holds, read from the copy itself.
public struct ReplicaSnapshot: Sendable {
    /// The node the replica belongs to.
    public var identity: NodeIdentity
    /// The network's signature suite.
    public var suite: SignatureSuite
    /// The highest arrival sequence in the copy.
    public var head: Int64
    /// How many events the copy holds.
    public var events: Int
    /// The documents the copy records as held here, with their sizes.
    public var documents: [(hash: String, size: Int64)]
}

extension Replica {
    /// How far a restore moves the arrival sequence on at least (`markRestored`).
    public static let restoreSequenceGap: Int64 = 1 << 32
    /// Arrival sequences a restore leaves room for per millisecond of wall-clock time: a restore
    /// moves the sequence to at least the restore's time × this, past anything an earlier
    /// incarnation (restored from the same or an older backup) can have given out unless it
    /// stored a million records a second. Below 2⁵³ until the year 2248.
    public static let sequencesPerMillisecond: Int64 = 1 << 10

    /// Writes a consistent copy of the replica to a new file at `path` while other processes
    /// (a running daemon) go on writing: SQLite's online backup, from one read transaction.
    /// Refused for a hub process bound to a shared store, whose truth is the store
    /// (`docs/postgres.md`).
    public func backup(to path: String) throws(ReplicaError) -> ReplicaSnapshot {
        if sharing.withLock({ $0 }) != nil {
            throw ReplicaError(
                .sharedStore,
                "this hub's replica is kept in PostgreSQL: back up the database (pg_dump, docs/postgres.md), not the node"
            )
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(.storage, "\(path) already exists")
        }
        do {
            let copy = try DatabaseQueue(path: path)
            try pool.backup(to: copy)
            try copy.close()
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw ReplicaError(.storage, "cannot copy the replica to \(path): \(Self.describe(error))")
        }
        return try Self.snapshot(at: path)
    }

    /// Reads what the replica file at `path` holds (without migrating or opening it as a node),
    /// after SQLite's integrity check.
    public static func snapshot(at path: String) throws(ReplicaError) -> ReplicaSnapshot {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                let check = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                guard check == ["ok"] else {
                    throw ReplicaError(.corrupt, "the replica copy fails SQLite's integrity check: \(check.prefix(3))")
                }
                let (identity, _, _) = try loadSettings(db)
                let documents = try Row.fetchAll(db, sql: "SELECT hash, size FROM documents ORDER BY hash").map {
                    (hash: $0["hash"] as String, size: $0["size"] as Int64)
                }
                return ReplicaSnapshot(
                    identity: identity, suite: try suite(db), head: try head(db),
                    events: try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0, documents: documents)
            }
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw ReplicaError(.corrupt, "cannot read the replica at \(path): \(describe(error))")
        }
    }

    /// Records that this replica was just restored from a backup, at `now`, in one
    /// transaction: a new random restore id (announced in hello, so that clients send again what
    /// this node acknowledged after the backup), the arrival sequence moved past anything given
    /// out before (by ``restoreSequenceGap`` at least, and to `now` × ``sequencesPerMillisecond``),
    /// and every link asking its remote for this node's own events until it has caught up
    /// (`Protocol/sync.md` §1, §4.3 `echo`). Returns the restore id.
    @discardableResult
    public func markRestored(now: Timestamp) throws(ReplicaError) -> String {
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        return try write { tx in
            let floor = now.milliseconds.multipliedReportingOverflow(by: Self.sequencesPerMillisecond)
            let target = max(tx.head + Self.restoreSequenceGap, floor.overflow ? 0 : floor.partialValue)
            tx.skipSequences(target - tx.head)
            try tx.db.execute(sql: "UPDATE node SET restore_id = ? WHERE id = 1", arguments: [id])
            try tx.db.execute(sql: "UPDATE links SET recovering = 1")
            return id
        }
    }

    static func restoreID(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT restore_id FROM node WHERE id = 1")
    }
}
