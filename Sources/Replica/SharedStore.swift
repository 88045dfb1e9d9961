/// A database several processes of one hub keep their replicas in step through (the hub's
/// PostgreSQL, `docs/postgres.md`).
///
/// The store holds every row of the replica's shared tables (``MirroredTable``), each tagged
/// with the store *version* that last wrote it, and a version counter that one writer at a time
/// holds locked from before it reads until it commits. A process writes its replica only while it
/// holds that lock, after applying every version committed since its own; it then stores the
/// rows its transaction touched as the next version, commits the store and only then its own
/// SQLite file. Every replica is therefore the store's state at some version, and the hub's
/// arrival sequence (assigned inside those transactions) is one sequence for all processes.
///
/// Calls block until the store answers: they are made on the replica's writer (never on Swift's
/// cooperative pool).
public protocol SharedStore: AnyObject, Sendable {
    /// Where the store is, as people read it (no password).
    var description: String { get }

    /// Creates the store's tables for `tables` of a replica whose schema is `schema` (its
    /// migrations, in order), the first time; afterwards checks that the store holds a replica of
    /// that same schema and refuses one made by another version (several processes may start at
    /// once).
    func prepare(_ tables: [MirroredTable], schema: String) throws(ReplicaError)

    /// Begins a write: takes the store's write lock, waiting while another process holds it, and
    /// returns the store's version. Until ``commit(version:tables:)`` or ``rollback()``, no other
    /// process writes.
    func lock() throws(ReplicaError) -> Int64

    /// What was committed after `version`: with `locked` (by this caller's ``lock()``), up to the
    /// locked version; otherwise a consistent snapshot at the store's latest version, which may be
    /// read while another thread of this process holds the lock.
    func changes(after version: Int64, tables: [MirroredTable], locked: Bool) throws(ReplicaError) -> StoreChanges

    /// Stores `rows` (whole rows, columns in the table's order) as written by `version`, while locked.
    func put(_ rows: [[StoredValue]], into table: MirroredTable, version: Int64) throws(ReplicaError)

    /// Removes the rows with these primary keys as of `version`, while locked.
    func remove(_ keys: [[StoredValue]], from table: MirroredTable, version: Int64) throws(ReplicaError)

    /// Makes `version` (which wrote `tables`) the store's version, commits and releases the lock,
    /// and tells the other processes.
    func commit(version: Int64, tables: [String]) throws(ReplicaError)

    /// Abandons the write and releases the lock (nothing written since ``lock()`` stays).
    func rollback()

    /// Closes the store's connections (the next call opens them again).
    func close()
}

/// Which shared store a hub's replica is bound to, recorded in the replica (`shared_store`) so
/// that no process can write it without the store.
public struct SharedStoreBinding: Sendable, Hashable {
    /// The store's location (`postgres://USER@HOST:PORT/DB`).
    public var location: String
    /// The passfile its password is read from (`nil`: `PGPASSFILE`, then `~/.pgpass`).
    public var passwordFile: String?

    /// A binding to `location`, with the password from `passwordFile`.
    public init(location: String, passwordFile: String?) {
        self.location = location
        self.passwordFile = passwordFile
    }
}

/// One column value as the replica stores it.
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A replica table as the shared store holds it: its columns, their storage classes and its
/// primary key, read from the SQLite schema.
public struct MirroredTable: Sendable, Hashable {
    /// A column's SQLite storage class.
    public enum ColumnType: String, Sendable, Hashable {
        case integer, real, text, blob
    }

    /// One column.
    public struct Column: Sendable, Hashable {
        public var name: String
        public var type: ColumnType

        public init(name: String, type: ColumnType) {
            self.name = name
            self.type = type
        }
    }

    /// The SQLite table's name.
    public var name: String
    /// Every column, in the table's order.
    public var columns: [Column]
    /// The primary key's columns, in key order.
    public var primaryKey: [String]

    /// A table named `name` with `columns`, keyed by `primaryKey`.
    public init(name: String, columns: [Column], primaryKey: [String]) {
        self.name = name
        self.columns = columns
        self.primaryKey = primaryKey
    }

    /// The positions of the primary key's columns in ``columns``.
    public var keyPositions: [Int] {
        primaryKey.map { key in columns.firstIndex { $0.name == key }! }
    }
}

/// Rows committed to a shared store after some version, to apply to a replica.
public struct StoreChanges: Sendable {
    /// The store's version these changes bring a replica to.
    public var version: Int64
    /// Whole rows written, per table name (columns in the table's order).
    public var rows: [String: [[StoredValue]]] = [:]
    /// Primary keys of rows removed, per table name.
    public var removed: [String: [[StoredValue]]] = [:]

    /// Changes bringing a replica to `version`.
    public init(version: Int64) {
        self.version = version
    }

    /// How many rows are written or removed.
    public var count: Int {
        rows.values.reduce(0) { $0 + $1.count } + removed.values.reduce(0) { $0 + $1.count }
    }
}
