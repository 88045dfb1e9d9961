import Foundation
import GRDB
import Synchronization

/// A replica's link to the shared store it is bound to.
final class SharedStoreLink: Sendable {
    let store: any SharedStore
    /// The shared tables, read from the schema when the link was made.
    let tables: [MirroredTable]

    /// A link whose capture triggers exist on `pool`'s writer connection: made there outside any
    /// transaction, so that no rollback can take them away.
    init(store: any SharedStore, tables: [MirroredTable], pool: DatabasePool) throws {
        self.store = store
        self.tables = tables
        try pool.writeWithoutTransaction { db in try ChangeCapture.install(db, tables: tables) }
    }
}

/// A replica kept in step with a ``SharedStore``: the hub's processes on PostgreSQL.
extension Replica {
    /// Opens the store a bound replica names, or refuses to go on without one.
    public typealias SharedStoreOpener = @Sendable (SharedStoreBinding) throws(ReplicaError) -> any SharedStore

    /// The store this replica is bound to (`nil`: it stands alone, as every court's does).
    public func sharedStoreBinding() throws(ReplicaError) -> SharedStoreBinding? {
        try read { db in try Self.binding(db) }
    }

    /// The store version this replica holds (0 when it stands alone).
    public func sharedStoreVersion() throws(ReplicaError) -> Int64 {
        try read { db in try Self.localVersion(db) }
    }

    /// Whether this replica's writes go through a shared store.
    var isShared: Bool { sharing.withLock { $0 } != nil }

    /// Connects a bound replica to its store (with `opener`) and brings it up to the store's
    /// version. A bound replica opened without an opener is refused: a write that did not go
    /// through the store would part this replica from the hub's other processes for good.
    func connectSharedStore(using opener: SharedStoreOpener?) throws(ReplicaError) {
        guard let binding = try sharedStoreBinding() else { return }
        guard let opener else {
            throw ReplicaError(
                .storage,
                "this hub's replica is kept in step with PostgreSQL at \(binding.location): open it with courtsync, which connects to the store first"
            )
        }
        let store = try opener(binding)
        let tables = try read { db in try ChangeCapture.tables(db) }
        try store.prepare(tables, schema: try replicaSchema())
        let link: SharedStoreLink
        do {
            link = try SharedStoreLink(store: store, tables: tables, pool: pool)
        } catch {
            throw Self.writeFailure(error)
        }
        sharing.withLock { $0 = link }
        try catchUp()
    }

    /// Copies every shared row into an empty store as its version 1, in one transaction of each;
    /// returns the rows copied. The replica is not bound yet (``bind(to:binding:)``, once the
    /// copy is checked). Refused if the store already holds a hub or this replica is bound.
    @discardableResult
    public func publish(to store: any SharedStore) throws(ReplicaError) -> Int {
        guard !isShared else {
            throw ReplicaError(.alreadyInitialised, "this replica is already kept in a shared store")
        }
        let tables = try read { db in try ChangeCapture.tables(db) }
        try store.prepare(tables, schema: try replicaSchema())
        do {
            return try pool.write { db in
                if let existing = try Self.binding(db) {
                    throw ReplicaError(
                        .alreadyInitialised, "this replica is already kept in step with \(existing.location)")
                }
                let version = try store.lock()
                var committed = false
                defer { if !committed { store.rollback() } }
                guard version == 0 else {
                    throw ReplicaError(
                        .alreadyInitialised,
                        "\(store.description) already holds a hub (store version \(version)): give an empty database (a move that failed its check leaves its copy there: drop and create the database again)"
                    )
                }
                var copied = 0
                for table in tables {
                    try ChangeCapture.allRows(db, table: table, batch: 2_000) { rows in
                        try store.put(rows, into: table, version: 1)
                        copied += rows.count
                    }
                }
                try store.commit(version: 1, tables: tables.map(\.name))
                committed = true
                return copied
            }
        } catch {
            throw Self.writeFailure(error)
        }
    }

    /// Binds this replica to the store it was published to (version 1): from now on every write
    /// goes through it. Call it right after ``publish(to:)``, with nothing writing the replica in
    /// between (no daemon): a write made meanwhile would be missing from the store.
    public func bind(to store: any SharedStore, binding: SharedStoreBinding) throws(ReplicaError) {
        let tables = try read { db in try ChangeCapture.tables(db) }
        do {
            try pool.write { db in
                guard try Self.binding(db) == nil else {
                    throw ReplicaError(.alreadyInitialised, "this replica is already kept in a shared store")
                }
                try db.execute(
                    sql: "INSERT INTO shared_store (id, location, password_file, version) VALUES (1, ?, ?, 1)",
                    arguments: [binding.location, binding.passwordFile])
            }
            let link = try SharedStoreLink(store: store, tables: tables, pool: pool)
            sharing.withLock { $0 = link }
        } catch {
            throw Self.writeFailure(error)
        }
    }

    /// Applies what other processes committed to the store since this replica's version, in one
    /// transaction; returns how many rows changed (0 when it was up to date, or standing alone).
    @discardableResult
    public func catchUp() throws(ReplicaError) -> Int {
        guard let link = sharing.withLock({ $0 }) else { return 0 }
        let local = try sharedStoreVersion()
        let changes = try link.store.changes(after: local, tables: link.tables, locked: false)
        guard changes.version > local else {
            if changes.version < local { throw Self.storeBehind(store: link.store, at: changes.version, local: local) }
            return 0
        }
        do {
            try pool.write { db in
                // Another process on this file (the CLI beside the daemon) may have got there first.
                guard changes.version > (try Self.localVersion(db)) else { return }
                try ChangeCapture.apply(changes, to: db, tables: link.tables)
                try ChangeCapture.reset(db)
                try db.execute(sql: "UPDATE shared_store SET version = ? WHERE id = 1", arguments: [changes.version])
            }
        } catch {
            throw Self.writeFailure(error)
        }
        try refreshKnownHead()
        return changes.count
    }

    /// Runs a write transaction's `body` under the shared store's write lock, when there is one:
    /// first the versions other processes committed are applied, then `body` runs, then the
    /// rows it touched are stored as the next version and the store committed, before SQLite
    /// commits. A failure anywhere rolls both back; a failure of the store's commit whose outcome
    /// is unknown is settled by the next catch-up, which finds the version there or not.
    func withSharedStore<T>(_ db: Database, _ body: () throws -> T) throws -> T {
        guard let link = sharing.withLock({ $0 }) else { return try body() }
        let store = link.store
        let locked = try store.lock()
        var released = false
        defer { if !released { store.rollback() } }
        let local = try Self.localVersion(db)
        guard locked >= local else { throw Self.storeBehind(store: store, at: locked, local: local) }
        if locked > local {
            try ChangeCapture.apply(
                try store.changes(after: local, tables: link.tables, locked: true), to: db, tables: link.tables)
        }
        try ChangeCapture.reset(db)
        let result = try body()
        let (rows, removed) = try ChangeCapture.touched(db, tables: link.tables)
        var version = locked
        if rows.isEmpty && removed.isEmpty {
            store.rollback()
        } else {
            // Foreign keys are deferred while other processes' rows are applied: a violation
            // must be found now, before the store commits a version no replica could apply.
            if try Row.fetchOne(db, sql: "PRAGMA foreign_key_check") != nil {
                throw ReplicaError(.corrupt, "the write breaks a foreign key of the replica: nothing was stored")
            }
            version += 1
            for table in link.tables {
                if let keys = removed[table.name] { try store.remove(keys, from: table, version: version) }
                if let rows = rows[table.name] { try store.put(rows, into: table, version: version) }
            }
            try store.commit(version: version, tables: Set(rows.keys).union(removed.keys).sorted())
        }
        released = true
        try db.execute(sql: "UPDATE shared_store SET version = ? WHERE id = 1", arguments: [version])
        return result
    }

    private static func storeBehind(store: any SharedStore, at version: Int64, local: Int64) -> ReplicaError {
        ReplicaError(
            .corrupt,
            "\(store.description) is at version \(version) but this replica holds version \(local): the database was restored from an older backup or belongs to another hub; see docs/postgres.md"
        )
    }

    /// The replica's schema as the store records it: its migrations, in order.
    func replicaSchema() throws(ReplicaError) -> String {
        try read { db in
            try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY rowid").joined(separator: ",")
        }
    }

    static func binding(_ db: Database) throws -> SharedStoreBinding? {
        try Row.fetchOne(db, sql: "SELECT location, password_file FROM shared_store WHERE id = 1").map {
            SharedStoreBinding(location: $0["location"], passwordFile: $0["password_file"])
        }
    }

    static func localVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT version FROM shared_store WHERE id = 1") ?? 0
    }

    /// Makes a new replica file at `path` holding what `store` holds: bound to it with `binding`
    /// (another process of the hub, started from the store alone), or standing alone without
    /// (to check a store against the replica it was made from). Returns the store version copied.
    @discardableResult
    public static func copy(
        of store: any SharedStore, to path: String, binding: SharedStoreBinding? = nil
    ) throws(ReplicaError) -> Int64 {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(.alreadyInitialised, "a replica already exists at \(path)")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            defer { try? pool.close() }
            try Schema.migrator.migrate(pool)
            let tables = try pool.read { db in try ChangeCapture.tables(db) }
            let changes = try store.changes(after: 0, tables: tables, locked: false)
            guard changes.version > 0 else {
                throw ReplicaError(.notInitialised, "\(store.description) holds no hub yet")
            }
            try pool.write { db in
                try ChangeCapture.apply(changes, to: db, tables: tables)
                if let binding {
                    try db.execute(
                        sql: "INSERT INTO shared_store (id, location, password_file, version) VALUES (1, ?, ?, ?)",
                        arguments: [binding.location, binding.passwordFile, changes.version])
                }
            }
            return changes.version
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw writeFailure(error)
        }
    }
}
