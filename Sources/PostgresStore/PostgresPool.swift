import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// The hub's connection pool to its PostgreSQL database: connects with the location's user, the
/// passfile's password and its `sslmode`, runs the pool for as long as ``run()`` is awaited, and
/// turns the driver's errors into ``PostgresStoreError``s that say what the server said.
public final class PostgresPool: Sendable {
    /// Where the database is.
    public let location: PostgresLocation
    let client: PostgresClient
    private let connection: PostgresConnection.Configuration
    let logger: Logger

    /// A pool of at most `maximumConnections` to `location`, with the password from `passwordFile`
    /// (else `PGPASSFILE`, else `~/.pgpass`; none if no line matches).
    public init(
        location: PostgresLocation, passwordFile: String? = nil, maximumConnections: Int = 20, logger: Logger
    ) throws(PostgresStoreError) {
        self.location = location
        self.logger = logger
        let settings = try Self.settings(location: location, passwordFile: passwordFile)
        var configuration = settings.pool
        configuration.options.maximumConnections = maximumConnections
        configuration.options.connectTimeout = .seconds(10)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        connection = settings.connection
    }

    /// How to connect to `location`, for a pool and for a connection of its own: the user, the
    /// passfile's password (else `PGPASSFILE`, else `~/.pgpass`) and the TLS `sslmode` asks for.
    static func settings(
        location: PostgresLocation, passwordFile: String?
    ) throws(PostgresStoreError) -> (pool: PostgresClient.Configuration, connection: PostgresConnection.Configuration) {
        let password = try PostgresPassfile.password(for: location, file: passwordFile)
        let tls = try Self.tls(location)
        let pool = PostgresClient.Configuration(
            host: location.host, port: location.port, username: location.user, password: password,
            database: location.database, tls: tls.pool)
        var connection = PostgresConnection.Configuration(
            host: location.host, port: location.port, username: location.user, password: password,
            database: location.database, tls: tls.connection)
        connection.options.connectTimeout = .seconds(10)
        return (pool, connection)
    }

    /// Runs the pool until the calling task is cancelled. Every other method needs it running.
    public func run() async { await client.run() }

    /// Runs `body` on one connection of the pool, outside a transaction.
    public func withConnection<Result: Sendable>(
        _ body: (PostgresConnection) async throws -> Result
    ) async throws(PostgresStoreError) -> Result {
        do {
            return try await client.withConnection { try await body($0) }
        } catch {
            throw Self.describe(error, at: location)
        }
    }

    /// A connection of its own, outside the pool (for `LISTEN`, which keeps its connection).
    func dedicatedConnection() async throws(PostgresStoreError) -> PostgresConnection {
        do {
            return try await PostgresConnection.connect(configuration: connection, id: 0, logger: logger)
        } catch {
            throw Self.describe(error, at: location)
        }
    }

    /// An error from the driver as the operator needs it: the server's own message and SQLSTATE
    /// when it answered, "cannot reach" when it did not.
    static func describe(_ error: any Error, at location: PostgresLocation) -> PostgresStoreError {
        if let error = error as? PostgresStoreError { return error }
        if let error = error as? PostgresTransactionError {
            return describe(error.closureError ?? error.beginError ?? error.commitError ?? error, at: location)
        }
        if let error = error as? PSQLError {
            if let server = error.serverInfo, let message = server[.message] {
                let state = server[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return PostgresStoreError(code: "storage", "PostgreSQL at \(location): \(message)\(state)")
            }
            switch error.code {
            case .authMechanismRequiresPassword:
                return PostgresStoreError(
                    code: "invalidConfig",
                    "PostgreSQL at \(location) asks for a password and no passfile line matches \(location.host):\(location.port):\(location.database):\(location.user)"
                )
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return PostgresStoreError(
                    code: "unreachable",
                    "cannot reach PostgreSQL at \(location): \(error.underlying.map { "\($0)" } ?? "connection failed")"
                )
            default:
                return PostgresStoreError(code: "storage", "PostgreSQL at \(location): \(error.code)")
            }
        }
        return PostgresStoreError(code: "unreachable", "PostgreSQL at \(location): \(error)")
    }

    /// The TLS settings `sslmode` asks for, for the pool and for a dedicated connection.
    private static func tls(
        _ location: PostgresLocation
    ) throws(PostgresStoreError) -> (
        pool: PostgresClient.Configuration.TLS, connection: PostgresConnection.Configuration.TLS
    ) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if location.tls != .verifyFull { configuration.certificateVerification = .none }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw PostgresStoreError(code: "invalidConfig", "cannot set up TLS for PostgreSQL: \(error)")
        }
        switch location.tls {
        case .disable: return (.disable, .disable)
        case .prefer: return (.prefer(configuration), .prefer(context))
        case .require, .verifyFull: return (.require(configuration), .require(context))
        }
    }
}
