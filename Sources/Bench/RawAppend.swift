import Entrustment
import Foundation
import GRDB

/// The reference for apply throughput: the same events appended as plain rows (id, matter,
/// encoding, signature) to a SQLite file with the replica's connection settings (WAL,
/// `synchronous = FULL`), one transaction per change set. No decoding, no checks, no fold.
enum RawAppend {
    /// Seconds to append `events` in transactions of `batch` to a new file `path`.
    static func seconds(_ events: [Event], batch: Int, path: String) throws -> Double {
        var config = Configuration()
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: path, configuration: config)
        try pool.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE raw_events (
                        sequence INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, matter TEXT NOT NULL,
                        payload BLOB NOT NULL, signature BLOB)
                    """)
        }
        return try Stopwatch.time {
            for start in stride(from: 0, to: events.count, by: batch) {
                try pool.write { db in
                    let statement = try db.makeStatement(
                        sql: "INSERT INTO raw_events (id, matter, payload, signature) VALUES (?, ?, ?, ?)")
                    for event in events[start..<min(start + batch, events.count)] {
                        try statement.execute(arguments: [
                            Data(event.id.bytes), event.matterID.rawValue, Data(event.encoded),
                            event.signature.map { Data($0) },
                        ])
                    }
                }
            }
        }
    }
}
