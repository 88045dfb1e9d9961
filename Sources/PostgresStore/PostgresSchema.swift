import Logging
import PostgresNIO

/// The hub's tables in PostgreSQL and their versions. Like the SQLite replica's schema, each
/// version is a step applied once, in order, in one transaction (PostgreSQL's DDL is
/// transactional: a step is whole or absent), recorded in `courtsync_schema`. Hub processes
/// starting together take an advisory lock first, so that one applies the steps and the others
/// find them done.
public enum PostgresSchema {
    /// The steps, version 1 first.
    static let steps: [[String]] = [
        // 1: the event log and its arrival counter (`docs/postgres.md`, "Arrival sequence").
        [
            """
            CREATE TABLE courtsync_arrival (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                head bigint NOT NULL CHECK (head >= 0)
            )
            """,
            "INSERT INTO courtsync_arrival (head) VALUES (0)",
            """
            CREATE TABLE courtsync_event_log (
                arrival_seq bigint PRIMARY KEY,
                id text NOT NULL UNIQUE,
                matter_id text NOT NULL,
                kind text NOT NULL,
                author text NOT NULL,
                origin text NOT NULL,
                hlc_wall bigint NOT NULL,
                hlc_counter integer NOT NULL,
                recorded_at text NOT NULL,
                parents text NOT NULL,
                stored_at text NOT NULL,
                encoded bytea NOT NULL
            )
            """,
            "CREATE INDEX courtsync_event_log_by_matter ON courtsync_event_log (matter_id, arrival_seq)",
        ]
    ]

    /// The version this build writes.
    public static var currentVersion: Int { steps.count }

    /// The key of the advisory lock migrations take (any fixed number; "csmigr" in ASCII).
    static let lockKey: Int64 = 0x6373_6D69_6772

    /// Brings the database to ``currentVersion``; returns the version it found. A database made
    /// by a newer courtsync is refused, unchanged.
    @discardableResult
    public static func migrate(_ database: PostgresPool) async throws(PostgresStoreError) -> Int {
        let location = database.location
        return try await database.transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS courtsync_schema (version integer NOT NULL)", logger: logger)
            var found = 0
            for try await (version) in try await connection.query(
                "SELECT version FROM courtsync_schema", logger: logger
            ).decode(Int.self) {
                found = version
            }
            if found == 0 {
                try await connection.query("INSERT INTO courtsync_schema (version) VALUES (0)", logger: logger)
            }
            guard found <= currentVersion else {
                throw PostgresStoreError(
                    code: "schemaTooNew",
                    "the database at \(location) has schema version \(found), newer than this courtsync's \(currentVersion): install the courtsync that made it"
                )
            }
            for version in found..<currentVersion {
                for statement in steps[version] {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("UPDATE courtsync_schema SET version = \(version + 1)", logger: logger)
            }
            return found
        }
    }

    /// Migrations log nothing of their own.
    private static let logger = Logger(label: "courtsync.postgres.schema")
}
