import Foundation
import Logging
import PostgresNIO
import Replica

/// The hub's replica held in PostgreSQL, for several hub processes (``SharedStore``,
/// `docs/postgres.md`).
///
/// Each shared replica table `t` is mirrored as `replica_t`, with the same columns
/// (`bigint`, `double precision`, `text`, `bytea`) and primary key, plus `courtsync_version`: the
/// store version that last wrote the row. A removed row leaves its key in `courtsync_removed`
/// with the version that removed it. `courtsync_head` holds the store's version: a writer locks
/// it (`SELECT … FOR UPDATE`) before it reads anything and holds it until it commits, so
/// versions commit one at a time and in order, and every snapshot is the state at one version.
/// `courtsync_versions` lists the tables each version wrote, so a process catching up reads
/// only those. Every commit sends `NOTIFY courtsync_changes` with its version.
///
/// Two connections: one for writes (used only under the replica's writer, so one at a time)
/// and one for snapshot reads (catching up while another thread may be writing).
public final class PostgresSharedStore: SharedStore {
    /// The channel commits notify and ``PostgresChangeListener`` listens on.
    public static let channel = "courtsync_changes"

    /// Where the store is.
    public let location: PostgresLocation
    private let writer: BlockingConnection
    private let reader: BlockingConnection

    /// The store at `location`, with the password from `passwordFile` (else `PGPASSFILE`, else
    /// `~/.pgpass`). Nothing is connected until first used.
    public init(location: PostgresLocation, passwordFile: String?, logger: Logger) throws(PostgresStoreError) {
        self.location = location
        let configuration = try PostgresPool.settings(location: location, passwordFile: passwordFile).connection
        writer = BlockingConnection(location: location, configuration: configuration, logger: logger)
        reader = BlockingConnection(location: location, configuration: configuration, logger: logger)
    }

    /// The store a replica's binding names.
    public static func open(
        _ binding: SharedStoreBinding, logger: Logger = Logger(label: "courtsync.postgres")
    ) throws(ReplicaError) -> PostgresSharedStore {
        do {
            return try PostgresSharedStore(
                location: try PostgresLocation(binding.location), passwordFile: binding.passwordFile, logger: logger)
        } catch {
            throw ReplicaError(.storage, error.message)
        }
    }

    public var description: String { "PostgreSQL at \(location)" }

    /// Closes both connections.
    public func close() {
        writer.close()
        reader.close()
    }

    public func prepare(_ tables: [MirroredTable], schema: String) throws(ReplicaError) {
        try replicaErrors { () throws(PostgresStoreError) in
            try writer.execute("BEGIN")
            do throws(PostgresStoreError) {
                try PostgresSchema.migrate(writer, location: location)
                if let held = try writer.query("SELECT migrations FROM courtsync_replica_schema").first {
                    // Made already: no DDL (it would lock every mirror table against the hub's
                    // writes and analysts' reads), only the check that it is this schema.
                    let migrations: String
                    do {
                        migrations = try held.decode(String.self)
                    } catch {
                        throw PostgresStoreError(
                            code: "storage", "courtsync_replica_schema could not be read: \(error)")
                    }
                    guard migrations == schema else {
                        throw PostgresStoreError(
                            code: "schemaMismatch",
                            "the store holds a hub replica of schema [\(migrations)], this courtsync's is [\(schema)]: every hub process must run the same version; to upgrade, follow docs/postgres.md (Upgrades)"
                        )
                    }
                } else {
                    for table in tables {
                        for statement in Self.definition(of: table) { try writer.execute(statement) }
                    }
                    for statement in PostgresViews.statements(for: tables) { try writer.execute(statement) }
                    var record = PostgresQuery(
                        unsafeSQL: "INSERT INTO courtsync_replica_schema (migrations) VALUES ($1)")
                    record.binds.append(schema)
                    try writer.query(record)
                }
                try writer.execute("COMMIT")
            } catch {
                writer.rollback()
                throw error
            }
        }
    }

    public func lock() throws(ReplicaError) -> Int64 {
        try replicaErrors { () throws(PostgresStoreError) in
            try writer.execute("BEGIN")
            do throws(PostgresStoreError) {
                return try Self.version(try writer.query("SELECT version FROM courtsync_head FOR UPDATE"))
            } catch {
                writer.rollback()
                throw error
            }
        }
    }

    public func changes(after version: Int64, tables: [MirroredTable], locked: Bool) throws(ReplicaError)
        -> StoreChanges
    {
        try replicaErrors { () throws(PostgresStoreError) in
            guard !locked else { return try Self.changes(after: version, tables: tables, on: writer) }
            try reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            do throws(PostgresStoreError) {
                let changes = try Self.changes(after: version, tables: tables, on: reader)
                try reader.execute("COMMIT")
                return changes
            } catch {
                reader.rollback()
                throw error
            }
        }
    }

    public func put(_ rows: [[StoredValue]], into table: MirroredTable, version: Int64) throws(ReplicaError) {
        let mirror = Self.mirror(table.name)
        let columns = table.columns.map { Self.quoted($0.name) }.joined(separator: ", ")
        let key = table.primaryKey.map(Self.quoted).joined(separator: ", ")
        let updates = (table.columns.map(\.name).filter { !table.primaryKey.contains($0) } + ["courtsync_version"])
            .map { "\(Self.quoted($0)) = EXCLUDED.\(Self.quoted($0))" }.joined(separator: ", ")
        let keyText =
            "jsonb_build_array(\(table.primaryKey.map { "r.\(Self.quoted($0))" }.joined(separator: ", ")))::text"
        try run(
            """
            WITH r AS (SELECT * FROM jsonb_populate_recordset(NULL::\(mirror), $1::jsonb)),
            revived AS (DELETE FROM courtsync_removed WHERE table_name = $3 AND key IN (SELECT \(keyText) FROM r))
            INSERT INTO \(mirror) (\(columns), courtsync_version)
            SELECT \(table.columns.map { "r.\(Self.quoted($0.name))" }.joined(separator: ", ")), $2 FROM r
            ON CONFLICT (\(key)) DO UPDATE SET \(updates)
            """, rows: rows, as: table, name: table.name, version: version)
    }

    public func remove(_ keys: [[StoredValue]], from table: MirroredTable, version: Int64) throws(ReplicaError) {
        let mirror = Self.mirror(table.name)
        let keyTable = MirroredTable(
            name: table.name, columns: table.keyPositions.map { table.columns[$0] }, primaryKey: table.primaryKey)
        let record = keyTable.columns.map { "\(Self.quoted($0.name)) \(Self.sqlType($0.type))" }.joined(separator: ", ")
        let match = table.primaryKey.map { "t.\(Self.quoted($0)) = k.\(Self.quoted($0))" }.joined(separator: " AND ")
        let keyText =
            "jsonb_build_array(\(table.primaryKey.map { "k.\(Self.quoted($0))" }.joined(separator: ", ")))::text"
        try run(
            """
            WITH k AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS k(\(record))),
            gone AS (DELETE FROM \(mirror) t USING k WHERE \(match))
            INSERT INTO courtsync_removed (table_name, key, version)
            SELECT $3, \(keyText), $2 FROM k
            ON CONFLICT (table_name, key) DO UPDATE SET version = EXCLUDED.version
            """, rows: keys, as: keyTable, name: table.name, version: version)
    }

    /// Runs `sql` for `rows` (of `shape`), at most ``rowsPerStatement`` at a time, with the rows
    /// as JSON in `$1`, `version` in `$2` and the replica table's `name` in `$3`.
    private func run(
        _ sql: String, rows: [[StoredValue]], as shape: MirroredTable, name: String, version: Int64
    ) throws(ReplicaError) {
        for chunk in stride(from: 0, to: rows.count, by: Self.rowsPerStatement) {
            var query = PostgresQuery(unsafeSQL: sql)
            query.binds.append(JSONRows.encode(rows[chunk..<min(rows.count, chunk + Self.rowsPerStatement)], of: shape))
            query.binds.append(version)
            query.binds.append(name)
            _ = try replicaErrors { () throws(PostgresStoreError) in try writer.query(query) }
        }
    }

    public func commit(version: Int64, tables: [String]) throws(ReplicaError) {
        let names = tables.map { "'\($0.filter(Self.isIdentifierCharacter))'" }.joined(separator: ", ")
        try replicaErrors { () throws(PostgresStoreError) in
            try writer.execute(
                """
                WITH listed AS (INSERT INTO courtsync_versions (version, tables) VALUES (\(version), ARRAY[\(names)]::text[])),
                head AS (UPDATE courtsync_head SET version = \(version))
                SELECT pg_notify('\(Self.channel)', '\(version)')
                """)
            try writer.execute("COMMIT")
        }
    }

    public func rollback() {
        writer.rollback()
    }

    /// How many rows one statement carries.
    static let rowsPerStatement = 2_000

    /// What was committed after `version`, read on `connection` inside its transaction.
    private static func changes(
        after version: Int64, tables: [MirroredTable], on connection: BlockingConnection
    ) throws(PostgresStoreError) -> StoreChanges {
        let head = try Self.version(try connection.query("SELECT version FROM courtsync_head"))
        var changes = StoreChanges(version: head)
        guard head > version else { return changes }
        var written = Set<String>()
        var listed = true
        var query = PostgresQuery(
            unsafeSQL:
                "SELECT min(version), array_agg(DISTINCT t) FROM courtsync_versions, unnest(tables) AS t WHERE version > $1"
        )
        query.binds.append(version)
        if let row = try connection.query(query).first {
            let (first, names) = try decode(row, as: (Int64?, [String]?).self)
            // Versions pruned from the list: read every table.
            listed = first == version + 1
            written = Set(names ?? [])
        }
        for table in tables where !listed || written.contains(table.name) {
            var select = PostgresQuery(
                unsafeSQL:
                    "SELECT \(table.columns.map { quoted($0.name) }.joined(separator: ", ")) FROM \(mirror(table.name)) WHERE courtsync_version > $1"
            )
            select.binds.append(version)
            let rows = try connection.query(select)
            for row in rows { changes.rows[table.name, default: []].append(try values(of: row, table: table)) }
        }
        var removed = PostgresQuery(unsafeSQL: "SELECT table_name, key FROM courtsync_removed WHERE version > $1")
        removed.binds.append(version)
        let byName = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })
        for row in try connection.query(removed) {
            let (name, key) = try decode(row, as: (String, String).self)
            guard let table = byName[name] else { continue }
            changes.removed[name, default: []].append(try JSONRows.key(key, of: table))
        }
        return changes
    }

    /// One row's columns as the replica stores them.
    private static func values(of row: PostgresRow, table: MirroredTable) throws(PostgresStoreError) -> [StoredValue] {
        var values: [StoredValue] = []
        values.reserveCapacity(table.columns.count)
        do {
            for (cell, column) in zip(row, table.columns) {
                switch column.type {
                case .integer: values.append(try cell.decode(Int64?.self).map(StoredValue.integer) ?? .null)
                case .real: values.append(try cell.decode(Double?.self).map(StoredValue.real) ?? .null)
                case .text: values.append(try cell.decode(String?.self).map(StoredValue.text) ?? .null)
                case .blob:
                    values.append(
                        try cell.decode(ByteBuffer?.self).map { StoredValue.blob(Array($0.readableBytesView)) } ?? .null
                    )
                }
            }
        } catch {
            throw PostgresStoreError(code: "storage", "cannot read a row of \(mirror(table.name)): \(error)")
        }
        return values
    }

    /// A row's columns as `type`, or a clear error.
    private static func decode<each Column: PostgresDecodable>(
        _ row: PostgresRow, as type: (repeat each Column).Type
    ) throws(PostgresStoreError) -> (repeat each Column) {
        do {
            return try row.decode(type)
        } catch {
            throw PostgresStoreError(code: "storage", "an answer of PostgreSQL could not be read: \(error)")
        }
    }

    private static func version(_ rows: [PostgresRow]) throws(PostgresStoreError) -> Int64 {
        guard let row = rows.first else {
            throw PostgresStoreError(
                code: "storage", "courtsync_head has no row: the database is not a CourtSync store")
        }
        do {
            return try row.decode(Int64.self)
        } catch {
            throw PostgresStoreError(code: "storage", "courtsync_head could not be read: \(error)")
        }
    }

    /// The statements that create a mirror table and its version index.
    static func definition(of table: MirroredTable) -> [String] {
        let mirror = mirror(table.name)
        let columns = table.columns.map { "\(quoted($0.name)) \(sqlType($0.type))" }
        return [
            """
            CREATE TABLE IF NOT EXISTS \(mirror) (\(columns.joined(separator: ", ")), \
            courtsync_version bigint NOT NULL, PRIMARY KEY (\(table.primaryKey.map(quoted).joined(separator: ", "))))
            """,
            "CREATE INDEX IF NOT EXISTS \(quoted("\(table.name)_by_version")) ON \(mirror) (courtsync_version)",
        ]
            + table.columns.map {
                "ALTER TABLE \(mirror) ADD COLUMN IF NOT EXISTS \(quoted($0.name)) \(sqlType($0.type))"
            }
    }

    /// The mirror of replica table `name`.
    static func mirror(_ name: String) -> String { quoted("replica_\(name)") }

    static func sqlType(_ type: MirroredTable.ColumnType) -> String {
        switch type {
        case .integer: "bigint"
        case .real: "double precision"
        case .text: "text"
        case .blob: "bytea"
        }
    }

    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    private static func isIdentifierCharacter(_ character: Character) -> Bool {
        character == "_" || (character.isASCII && (character.isLetter || character.isNumber))
    }

    /// Runs `body`, turning the store's errors into the replica's.
    private func replicaErrors<T>(_ body: () throws(PostgresStoreError) -> T) throws(ReplicaError) -> T {
        do {
            return try body()
        } catch {
            throw ReplicaError(.storage, "the hub's store: \(error.message)")
        }
    }
}
