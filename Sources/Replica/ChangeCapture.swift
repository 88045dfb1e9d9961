import Foundation
import GRDB

/// Which rows a write transaction touched, for a replica kept in step with a ``SharedStore``.
///
/// Temporary triggers on the writer's connection record the primary key of every row inserted,
/// updated or deleted in a shared table into `temp.shared_touched`; at commit the rows still
/// there are read whole and the others are removals. Temporary objects live on the connection
/// only: nothing is added to the replica file, and readers are not affected.
enum ChangeCapture {
    /// Tables that stay with one process's file: its schema history, its binding to the store,
    /// its outgoing links (a hub has none) and SQLite's own.
    static let localTables: Set<String> = ["grdb_migrations", "shared_store", "links", "sqlite_sequence"]

    /// The replica's shared tables as the store mirrors them, from the SQLite schema.
    static func tables(_ db: Database) throws -> [MirroredTable] {
        let names = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        return try names.filter { !localTables.contains($0) }.map { name in
            let info = try Row.fetchAll(db, sql: "SELECT name, type, pk FROM pragma_table_info(?)", arguments: [name])
            let columns = info.map { MirroredTable.Column(name: $0["name"], type: storageClass(of: $0["type"])) }
            let key = info.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
                .map { $0["name"] as String }
            guard !key.isEmpty else {
                throw ReplicaError(
                    .corrupt, "table \(name) has no primary key: it cannot be kept in step with the store")
            }
            return MirroredTable(name: name, columns: columns, primaryKey: key)
        }
    }

    /// SQLite's type affinity of a declared column type (§3.1 of its datatype rules).
    static func storageClass(of declared: String) -> MirroredTable.ColumnType {
        let type = declared.uppercased()
        if type.contains("INT") { return .integer }
        if type.contains("CHAR") || type.contains("CLOB") || type.contains("TEXT") { return .text }
        if type.isEmpty || type.contains("BLOB") { return .blob }
        return .real
    }

    /// Creates the record of touched keys and the triggers that fill it, on this connection.
    static func install(_ db: Database, tables: [MirroredTable]) throws {
        let width = tables.map(\.primaryKey.count).max() ?? 1
        let keys = (1...width).map { "k\($0)" }
        try db.execute(
            sql: "CREATE TEMP TABLE IF NOT EXISTS shared_touched (tbl TEXT NOT NULL, \(keys.joined(separator: ", ")))")
        for table in tables {
            let columns = (["tbl"] + keys.prefix(table.primaryKey.count)).joined(separator: ", ")
            func record(_ row: String) -> String {
                let values = ["'\(table.name)'"] + table.primaryKey.map { "\(row).\(quoted($0))" }
                return "INSERT INTO shared_touched (\(columns)) VALUES (\(values.joined(separator: ", ")));"
            }
            let target = "main.\(quoted(table.name))"
            try db.execute(
                sql: """
                    CREATE TEMP TRIGGER IF NOT EXISTS \(quoted("shared_\(table.name)_insert")) AFTER INSERT ON \(target)
                    BEGIN \(record("NEW")) END;
                    CREATE TEMP TRIGGER IF NOT EXISTS \(quoted("shared_\(table.name)_update")) AFTER UPDATE ON \(target)
                    BEGIN \(record("OLD")) \(record("NEW")) END;
                    CREATE TEMP TRIGGER IF NOT EXISTS \(quoted("shared_\(table.name)_delete")) AFTER DELETE ON \(target)
                    BEGIN \(record("OLD")) END;
                    """)
        }
    }

    /// Forgets what was touched so far (applying the store's changes touches rows too).
    static func reset(_ db: Database) throws {
        try db.execute(sql: "DELETE FROM temp.shared_touched")
    }

    /// The rows touched since the last ``reset(_:)``, per table: those that exist, whole, and
    /// the keys of those that no longer do.
    static func touched(
        _ db: Database, tables: [MirroredTable]
    ) throws -> (rows: [String: [[StoredValue]]], removed: [String: [[StoredValue]]]) {
        let byName = Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0) })
        var keys: [String: [[StoredValue]]] = [:]
        var seen: Set<[StoredValue]> = []
        for row in try Row.fetchAll(db, sql: "SELECT * FROM temp.shared_touched") {
            let name: String = row["tbl"]
            guard let table = byName[name] else { continue }
            let key = (1...table.primaryKey.count).map { value(row[$0] as DatabaseValue) }
            if seen.insert([.text(name)] + key).inserted { keys[name, default: []].append(key) }
        }
        var rows: [String: [[StoredValue]]] = [:]
        var removed: [String: [[StoredValue]]] = [:]
        for (name, tableKeys) in keys {
            let table = byName[name]!
            let statement = try db.cachedStatement(
                sql: "SELECT \(columnList(table)) FROM \(quoted(name)) WHERE \(keyMatch(table))")
            for key in tableKeys {
                if let row = try Row.fetchOne(statement, arguments: StatementArguments(key.map(databaseValue))) {
                    rows[name, default: []].append(table.columns.indices.map { value(row[$0] as DatabaseValue) })
                } else {
                    removed[name, default: []].append(key)
                }
            }
        }
        return (rows, removed)
    }

    /// Applies a store's changes: removals first (a key removed and written again is written
    /// last), then whole rows, inserted or replacing the row with the same key. Foreign keys are
    /// checked at commit, since rows arrive in no particular order.
    static func apply(_ changes: StoreChanges, to db: Database, tables: [MirroredTable]) throws {
        try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
        for table in tables {
            guard let keys = changes.removed[table.name], !keys.isEmpty else { continue }
            let statement = try db.cachedStatement(sql: "DELETE FROM \(quoted(table.name)) WHERE \(keyMatch(table))")
            for key in keys { try statement.execute(arguments: StatementArguments(key.map(databaseValue))) }
        }
        for table in tables {
            guard let rows = changes.rows[table.name], !rows.isEmpty else { continue }
            let statement = try db.cachedStatement(sql: upsert(table))
            for row in rows {
                guard row.count == table.columns.count else {
                    throw ReplicaError(
                        .corrupt,
                        "the store sent a row of \(table.name) with \(row.count) columns, not \(table.columns.count)")
                }
                try statement.execute(arguments: StatementArguments(row.map(databaseValue)))
            }
        }
    }

    /// Every row of `table`, `batch` at a time, in primary-key order.
    static func allRows(
        _ db: Database, table: MirroredTable, batch: Int, _ body: ([[StoredValue]]) throws -> Void
    ) throws {
        let cursor = try Row.fetchCursor(
            db,
            sql:
                "SELECT \(columnList(table)) FROM \(quoted(table.name)) ORDER BY \(table.primaryKey.map(quoted).joined(separator: ", "))"
        )
        var rows: [[StoredValue]] = []
        while let row = try cursor.next() {
            rows.append(table.columns.indices.map { value(row[$0] as DatabaseValue) })
            if rows.count == batch {
                try body(rows)
                rows.removeAll(keepingCapacity: true)
            }
        }
        if !rows.isEmpty { try body(rows) }
    }

    private static func upsert(_ table: MirroredTable) -> String {
        let names = table.columns.map { quoted($0.name) }
        let others = table.columns.map(\.name).filter { !table.primaryKey.contains($0) }
        let onConflict =
            others.isEmpty
            ? "DO NOTHING"
            : "DO UPDATE SET " + others.map { "\(quoted($0)) = excluded.\(quoted($0))" }.joined(separator: ", ")
        return """
            INSERT INTO \(quoted(table.name)) (\(names.joined(separator: ", "))) \
            VALUES (\(names.map { _ in "?" }.joined(separator: ", "))) \
            ON CONFLICT (\(table.primaryKey.map(quoted).joined(separator: ", "))) \(onConflict)
            """
    }

    private static func columnList(_ table: MirroredTable) -> String {
        table.columns.map { quoted($0.name) }.joined(separator: ", ")
    }

    private static func keyMatch(_ table: MirroredTable) -> String {
        table.primaryKey.map { "\(quoted($0)) IS ?" }.joined(separator: " AND ")
    }

    /// An SQL identifier in double quotes.
    static func quoted(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func value(_ value: DatabaseValue) -> StoredValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .integer(number)
        case .double(let number): .real(number)
        case .string(let text): .text(text)
        case .blob(let data): .blob(Array(data))
        }
    }

    static func databaseValue(_ value: StoredValue) -> DatabaseValue {
        switch value {
        case .null: .null
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        case .text(let text): text.databaseValue
        case .blob(let bytes): Data(bytes).databaseValue
        }
    }
}
