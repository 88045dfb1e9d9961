import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import Logging
import PostgresNIO
import PostgresStore

/// A database of its own for one test, in the PostgreSQL cluster `COURTSYNC_TEST_POSTGRES`
/// names (`bash Nodes/test.sh` starts a throwaway one and sets it, with the password in
/// `PGPASSFILE`). Without it the test fails with the line that says how to provide it.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "test.postgres")
        logger.logLevel = .critical
        return logger
    }()

    /// The cluster's administrative location.
    public static func cluster() throws -> PostgresLocation {
        guard let url = ProcessInfo.processInfo.environment["COURTSYNC_TEST_POSTGRES"], !url.isEmpty else {
            throw PostgresStoreError(
                code: "notConfigured",
                "this test needs PostgreSQL: run the tests with `bash Nodes/test.sh` (it starts a throwaway cluster), or set COURTSYNC_TEST_POSTGRES=postgres://USER@127.0.0.1:PORT/postgres for a role that may create databases, its password in PGPASSFILE"
            )
        }
        return try PostgresLocation(url)
    }

    /// Runs `body` with a pool on a new, empty database, dropped afterwards.
    public static func with<Result: Sendable>(
        _ body: @Sendable (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let admin = try cluster()
        var made = admin
        made.database = "courtsync_test_\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
        let location = made
        try await run(on: admin) {
            try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(location.database)"), logger: logger)
        }
        let drop = { @Sendable in
            try? await run(on: admin) {
                try await $0.query(
                    PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(location.database) WITH (FORCE)"),
                    logger: logger)
            }
        }
        do {
            let result = try await withPool(location, body)
            await drop()
            return result
        } catch {
            await drop()
            throw error
        }
    }

    /// Runs `body` with a running pool on `location`.
    public static func withPool<Result: Sendable>(
        _ location: PostgresLocation, maximumConnections: Int = 8,
        _ body: @Sendable (PostgresPool) async throws -> Result
    ) async throws -> Result {
        let database = try PostgresPool(location: location, maximumConnections: maximumConnections, logger: logger)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await database.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(database)
        }
    }

    /// Runs `body` on one connection to `location`.
    public static func run(
        on location: PostgresLocation, _ body: @Sendable (PostgresConnection) async throws -> Void
    ) async throws {
        try await withPool(location, maximumConnections: 1) { database in
            try await database.withConnection { try await body($0) }
        }
    }
}

/// The same cluster driven with `psql`, for tests that run `courtsync` processes and read what
/// they wrote as an operator or an analyst would.
extension TestDatabase {
    /// Makes a new, empty database and returns its location (drop it with ``drop(_:)``).
    public static func create() throws -> PostgresLocation {
        var made = try cluster()
        made.database = "courtsync_test_\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
        _ = try psql(cluster(), "CREATE DATABASE \(made.database)")
        return made
    }

    /// Drops a database made by ``create()``, whoever is still connected to it.
    public static func drop(_ location: PostgresLocation) {
        _ = try? psql(cluster(), "DROP DATABASE IF EXISTS \(location.database) WITH (FORCE)")
    }

    /// Runs `sql` with `psql` on `location` (as `user`, when given) and returns its unaligned
    /// output, fields separated by `|`; a failing statement throws with psql's message.
    public static func psql(_ location: PostgresLocation, _ sql: String, user: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        process.arguments = [
            "-X", "-q", "-w", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", location.host, "-p", "\(location.port)", "-U",
            user ?? location.user, "-d", location.database, "-c", sql,
        ]
        let result = try CommandRunner.collect(process)
        guard process.terminationStatus == 0 else {
            throw PostgresStoreError(
                code: "storage", "psql \(sql.prefix(60)): \(String(decoding: result.stderr, as: UTF8.self))")
        }
        return String(decoding: result.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Restarts the test cluster (the script `bash Nodes/test.sh` writes, named by
    /// `COURTSYNC_TEST_POSTGRES_RESTART`), waiting until it accepts connections again.
    public static func restartCluster() throws {
        guard let script = ProcessInfo.processInfo.environment["COURTSYNC_TEST_POSTGRES_RESTART"], !script.isEmpty
        else {
            throw PostgresStoreError(
                code: "notConfigured",
                "this test restarts PostgreSQL: run the tests with `bash Nodes/test.sh`, which starts a throwaway cluster and sets COURTSYNC_TEST_POSTGRES_RESTART to the script that restarts it"
            )
        }
        // Not through `Process`: the restarted server inherits what its parent had open, and
        // Foundation then waits for it as for the script. `system` waits for the script alone.
        let status = system("/bin/bash '\(script)' </dev/null >/dev/null 2>&1")
        guard status == 0 else {
            throw PostgresStoreError(
                code: "storage",
                "restarting PostgreSQL with \(script) failed (status \(status)): see the cluster's server.log")
        }
    }
}

extension TestDatabase {
    /// Whether the hub-facing suites run with the hub's replica kept in PostgreSQL
    /// (`COURTSYNC_TEST_HUB_STORE=postgres`; `bash Nodes/test.sh` runs them both ways): the
    /// in-process and daemon networks then make a database for their hub and move it there.
    public static var hubOnPostgres: Bool {
        ProcessInfo.processInfo.environment["COURTSYNC_TEST_HUB_STORE"] == "postgres"
    }
}
