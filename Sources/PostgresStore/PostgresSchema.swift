import PostgresNIO

/// The hub's tables in PostgreSQL and their versions. Like the SQLite replica's schema, each
/// version is a step applied once, in order, in one transaction (PostgreSQL's DDL is
/// transactional: a step is whole or absent), recorded in `courtsync_schema`. Hub processes
/// starting together take an advisory lock first, so that one applies the steps and the others
/// find them done.
public enum PostgresSchema {
    /// The steps, version 1 first. The mirrors of the replica's tables (`replica_…`) are not
    /// here: they follow the replica's own schema (``PostgresSharedStore/definition(of:)``).
    static let steps: [[String]] = [
        // 1: the store's version and its log, removed rows, spent request nonces
        // (`docs/postgres.md`).
        [
            """
            CREATE TABLE courtsync_head (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                version bigint NOT NULL CHECK (version >= 0)
            )
            """,
            "INSERT INTO courtsync_head (version) VALUES (0)",
            """
            CREATE TABLE courtsync_versions (
                version bigint PRIMARY KEY,
                tables text[] NOT NULL,
                committed_at timestamptz NOT NULL DEFAULT now()
            )
            """,
            """
            CREATE TABLE courtsync_removed (
                table_name text NOT NULL,
                key text NOT NULL,
                version bigint NOT NULL,
                PRIMARY KEY (table_name, key)
            )
            """,
            "CREATE INDEX courtsync_removed_by_version ON courtsync_removed (version)",
            """
            CREATE TABLE courtsync_nonces (
                node_id text NOT NULL,
                nonce bytea NOT NULL,
                expires_ms bigint NOT NULL,
                PRIMARY KEY (node_id, nonce)
            )
            """,
            "CREATE INDEX courtsync_nonces_by_expiry ON courtsync_nonces (expires_ms)",
            """
            CREATE TABLE courtsync_replica_schema (
                singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
                migrations text NOT NULL
            )
            """,
        ]
    ]

    /// The version this build writes.
    public static var currentVersion: Int { steps.count }

    /// The key of the advisory lock migrations take (any fixed number; "csmigr" in ASCII).
    static let lockKey: Int64 = 0x6373_6D69_6772

    /// Brings the database to ``currentVersion`` inside the transaction `connection` has open;
    /// returns the version it found. A database made by a newer courtsync is refused, unchanged.
    @discardableResult
    static func migrate(_ connection: BlockingConnection, location: PostgresLocation) throws(PostgresStoreError) -> Int
    {
        try connection.execute("SELECT pg_advisory_xact_lock(\(lockKey))")
        try connection.execute("CREATE TABLE IF NOT EXISTS courtsync_schema (version integer NOT NULL)")
        var found = 0
        if let row = try connection.query("SELECT version FROM courtsync_schema").first {
            do {
                found = try row.decode(Int.self)
            } catch {
                throw PostgresStoreError(code: "storage", "courtsync_schema could not be read: \(error)")
            }
        } else {
            try connection.execute("INSERT INTO courtsync_schema (version) VALUES (0)")
        }
        guard found <= currentVersion else {
            throw PostgresStoreError(
                code: "schemaTooNew",
                "the database at \(location) has schema version \(found), newer than this courtsync's \(currentVersion): install the courtsync that made it"
            )
        }
        for version in found..<currentVersion {
            for statement in steps[version] { try connection.execute(statement) }
            try connection.execute("UPDATE courtsync_schema SET version = \(version + 1)")
        }
        return found
    }
}
