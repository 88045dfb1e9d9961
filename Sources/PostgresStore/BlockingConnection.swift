import Dispatch
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// One PostgreSQL connection used from a thread that may block (a replica's writer), never
/// from Swift's cooperative pool or an event loop: each call waits for its answer. Connects on
/// first use and again after the connection was lost; a statement that fails because the
/// connection broke throws, and the next call starts on a new connection.
final class BlockingConnection: Sendable {
    private let location: PostgresLocation
    private let configuration: PostgresConnection.Configuration
    private let logger: Logger
    private let current = Mutex<PostgresConnection?>(nil)

    init(location: PostgresLocation, configuration: PostgresConnection.Configuration, logger: Logger) {
        self.location = location
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs `query` and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery) throws(PostgresStoreError) -> [PostgresRow] {
        let connection = try connected()
        do {
            return try wait(connection.query(query, logger: logger), on: connection).rows
        } catch {
            if connection.isClosed { drop(connection) }
            throw PostgresPool.describe(error, at: location)
        }
    }

    /// Runs one statement without parameters.
    func execute(_ statements: String) throws(PostgresStoreError) {
        let connection = try connected()
        do {
            _ = try wait(connection.simpleQuery(statements), on: connection)
        } catch {
            if connection.isClosed { drop(connection) }
            throw PostgresPool.describe(error, at: location)
        }
    }

    /// Closes the connection (the next call opens another).
    func close() {
        if let connection = current.withLock({ $0.take() }) { try? connection.close().wait() }
    }

    deinit {
        // The driver insists that a connection is closed before it goes; this object is released
        // on a thread that may block (the replica's, a test's), never on the connection's loop.
        close()
    }

    /// Ends an open transaction, if the connection still works; a broken one is dropped (the
    /// server rolls back what it was doing).
    func rollback() {
        guard let connection = current.withLock({ $0 }) else { return }
        do {
            _ = try wait(connection.simpleQuery("ROLLBACK"), on: connection)
        } catch {
            drop(connection)
            try? connection.close().wait()
        }
    }

    private func connected() throws(PostgresStoreError) -> PostgresConnection {
        if let connection = current.withLock({ $0 }), !connection.isClosed { return connection }
        do {
            let connection = try Self.wait(
                PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration, id: 1,
                    logger: logger),
                seconds: Self.answerSeconds)
            // Nothing waits forever: not for the store's lock, not on a statement, and a process
            // that stops talking in a transaction (cut off, stopped) loses its lock within a minute.
            do {
                for setting in Self.timeouts {
                    _ = try wait(
                        connection.query(PostgresQuery(unsafeSQL: "SET \(setting)"), logger: logger), on: connection)
                }
            } catch {
                try? connection.close().wait()
                throw error
            }
            current.withLock { $0 = connection }
            return connection
        } catch {
            throw PostgresPool.describe(error, at: location)
        }
    }

    /// The longest this process waits for any answer of the server (the server's own limits are
    /// shorter): a connection that gives none by then is closed, and the call fails.
    static let answerSeconds = 45

    /// Waits for `future`, at most ``answerSeconds``; past that, closes `connection` (which fails
    /// whatever else waits on it) and throws.
    private func wait<T>(_ future: EventLoopFuture<T>, on connection: PostgresConnection) throws -> T {
        do {
            return try Self.wait(future, seconds: Self.answerSeconds)
        } catch let error as BlockingConnection.NoAnswer {
            drop(connection)
            connection.close().whenComplete { _ in }
            throw error
        }
    }

    /// `future`'s value, or ``NoAnswer`` after `seconds`.
    private static func wait<T>(_ future: EventLoopFuture<T>, seconds: Int) throws -> T {
        let done = DispatchSemaphore(value: 0)
        future.whenComplete { _ in done.signal() }
        guard done.wait(timeout: .now() + .seconds(seconds)) == .success else { throw NoAnswer(seconds: seconds) }
        return try future.wait()
    }

    /// The server gave no answer in time.
    struct NoAnswer: Error, CustomStringConvertible {
        var seconds: Int
        var description: String { "no answer from PostgreSQL within \(seconds) s: the connection was closed" }
    }

    /// The session's limits: the store's lock, one statement, a transaction left idle.
    static let timeouts = [
        "lock_timeout = '30s'", "statement_timeout = '40s'", "idle_in_transaction_session_timeout = '60s'",
    ]

    private func drop(_ connection: PostgresConnection) {
        current.withLock { if $0 === connection { $0 = nil } }
    }
}
