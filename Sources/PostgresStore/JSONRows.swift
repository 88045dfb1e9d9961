import Entrustment
import Foundation
import Replica

/// Replica rows as the JSON PostgreSQL's `jsonb_populate_recordset` reads (one statement carries
/// many rows), and primary keys back from the text of `jsonb_build_array(…)`.
///
/// A row is an object keyed by column name; a blob is a string in `bytea`'s hex form (`\x…`); a
/// real that is not finite is `null` (JSON has no NaN). Text is escaped as JSON requires; a NUL
/// character, which PostgreSQL's `text` cannot hold, makes the statement fail rather than be
/// stored cut short.
enum JSONRows {
    /// `rows` of `table` (columns in the table's order) as a JSON array of objects.
    static func encode(_ rows: ArraySlice<[StoredValue]>, of table: MirroredTable) -> String {
        let names = table.columns.map { "\"\(escaped($0.name))\":" }
        var json = "["
        json.reserveCapacity(rows.count * table.columns.count * 16)
        for (index, row) in rows.enumerated() {
            if index > 0 { json += "," }
            json += "{"
            for (position, value) in row.enumerated() {
                if position > 0 { json += "," }
                json += names[position]
                append(value, to: &json)
            }
            json += "}"
        }
        return json + "]"
    }

    /// A primary key from the text PostgreSQL made of it (`["京0105-2026-1", 3]`), in the key's
    /// column types.
    static func key(_ text: String, of table: MirroredTable) throws(PostgresStoreError) -> [StoredValue] {
        guard let array = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [Any],
            array.count == table.primaryKey.count
        else {
            throw PostgresStoreError(
                code: "storage", "courtsync_removed holds a key of \(table.name) that is not its key: \(text)")
        }
        return try zip(array, table.keyPositions.map { table.columns[$0].type }).map {
            (value, type) throws(PostgresStoreError) in
            switch (value, type) {
            case (is NSNull, _): return .null
            case (let number as NSNumber, .integer): return .integer(number.int64Value)
            case (let number as NSNumber, .real): return .real(number.doubleValue)
            case (let string as String, .text): return .text(string)
            case (let string as String, .blob) where string.hasPrefix("\\x"):
                if let bytes = Hex.decode(String(string.dropFirst(2))) { return .blob(bytes) }
            default: break
            }
            throw PostgresStoreError(
                code: "storage", "courtsync_removed holds a key of \(table.name) of the wrong type: \(text)")
        }
    }

    private static func append(_ value: StoredValue, to json: inout String) {
        switch value {
        case .null: json += "null"
        case .integer(let number): json += String(number)
        case .real(let number): json += number.isFinite ? "\(number)" : "null"
        case .text(let text): json += "\"\(escaped(text))\""
        case .blob(let bytes): json += "\"\\\\x\(Hex.encode(bytes))\""
        }
    }

    private static func escaped(_ text: String) -> String {
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
