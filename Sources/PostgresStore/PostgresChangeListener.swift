import Logging
import PostgresNIO

/// Wakes a hub process when any process commits to the shared store: `LISTEN courtsync_changes`
/// on a connection of its own. When the connection is lost (PostgreSQL restarted, the network
/// cut) it connects again with a growing delay (0.2 s doubling to 5 s) and, once listening
/// again, reports a change, since a commit made while it was away sent a notification no one
/// heard.
public struct PostgresChangeListener: Sendable {
    private let database: PostgresPool
    private let logger: Logger

    public init(database: PostgresPool, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Listens until the calling task is cancelled, calling `changed` with the head each
    /// notification carries (nil after a reconnection).
    public func run(_ changed: @Sendable (Int64?) async -> Void) async {
        var delay = 0.2
        var first = true
        while !Task.isCancelled {
            do {
                let connection = try await database.dedicatedConnection()
                // The notification sequence ends only when its connection does: closing it is how
                // a cancelled listener (the daemon shutting down) stops waiting.
                try await withTaskCancellationHandler {
                    do {
                        try await connection.listen(on: PostgresSharedStore.channel) { notifications in
                            delay = 0.2
                            if !first { await changed(nil) }
                            first = false
                            for try await notification in notifications {
                                await changed(Int64(notification.payload))
                            }
                        }
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try? await connection.close()
                } onCancel: {
                    connection.close().whenComplete { _ in }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "lost the PostgreSQL notification connection; reconnecting",
                    metadata: ["error": "\(PostgresPool.describe(error, at: database.location))", "delay": "\(delay)"])
            }
            try? await Task.sleep(for: .seconds(delay))
            delay = Swift.min(delay * 2, 5)
        }
    }
}
