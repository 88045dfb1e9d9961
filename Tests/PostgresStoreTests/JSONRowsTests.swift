import Foundation
import Replica
import Testing

@testable import PostgresStore

/// Rows as the JSON `jsonb_populate_recordset` reads, and keys back from PostgreSQL's text.
@Suite("rows as JSON for PostgreSQL")
struct JSONRowsTests {
    static let table = MirroredTable(
        name: "t",
        columns: [
            .init(name: "id", type: .text), .init(name: "n", type: .integer), .init(name: "x", type: .real),
            .init(name: "b", type: .blob),
        ],
        primaryKey: ["id", "n"])

    @Test(
        "values are written as JSON reads them",
        arguments: [
            (
                [StoredValue.text("京0105"), .integer(-7), .real(1.5), .blob([0, 0xAB])],
                #"[{"id":"京0105","n":-7,"x":1.5,"b":"\\x00ab"}]"#
            ),
            (
                [.text("a\"b\\c\nd\u{01}"), .null, .real(.nan), .null],
                #"[{"id":"a\"b\\c\nd\u0001","n":null,"x":null,"b":null}]"#
            ),
            (
                [.text(""), .integer(Int64.max), .real(-.infinity), .blob([])],
                #"[{"id":"","n":9223372036854775807,"x":null,"b":"\\x"}]"#
            ),
        ])
    func encodes(row: [StoredValue], json: String) throws {
        #expect(JSONRows.encode([row][...], of: Self.table) == json)
        // And it is JSON: it parses back.
        _ = try JSONSerialization.jsonObject(with: Data(JSONRows.encode([row][...], of: Self.table).utf8))
    }

    @Test("a key comes back in its columns' types")
    func keys() throws {
        #expect(
            try JSONRows.key(#"["粤0106-2026-000001", 3]"#, of: Self.table) == [.text("粤0106-2026-000001"), .integer(3)])
        #expect(try JSONRows.key(#"[null, 3]"#, of: Self.table) == [.null, .integer(3)])
    }

    @Test(
        "a key that is not this table's key is an error, never a guess",
        arguments: [#"["a"]"#, #"["a", 1, 2]"#, #"[1, 1]"#, #"["a", "1"]"#, "not json", #"{"id": "a"}"#, ""])
    func refusesMalformedKeys(text: String) {
        #expect(throws: PostgresStoreError.self) { try JSONRows.key(text, of: Self.table) }
    }
}
