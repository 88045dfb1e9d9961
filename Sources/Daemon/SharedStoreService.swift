import Foundation
import Logging
import Node
import PostgresStore
import Replica
import ServiceLifecycle
import SyncEngine

/// On a hub running as several processes on one PostgreSQL store (`docs/postgres.md`): runs the
/// store's connection pool (request nonces, notifications), applies what the other processes
/// commit as soon as PostgreSQL notifies it, wakes the long-polls it concerns, and forgets
/// expired nonces once a minute.
struct SharedStoreService: Service {
    let node: CourtNode
    let database: PostgresPool
    let notifier: ChangeNotifier
    let logger: Logger

    /// The pool and the nonces of the store `config` names, checked against the replica's own
    /// binding: a daemon whose node.json and replica name different stores (or one names none)
    /// does not start.
    static func connect(node: CourtNode, config: NodeConfig, logger: Logger) throws -> PostgresPool? {
        let bound = try node.read { () throws(ReplicaError) in try node.replica.sharedStoreBinding() }
        switch (config.store, bound) {
        case (nil, nil):
            return nil
        case (let store?, nil):
            throw NodeError(
                code: "invalidConfig",
                "node.json names the store \(store.url), but this hub's replica is not in it: run `courtsync hub migrate --to \(store.url)` with the daemon stopped"
            )
        case (nil, let binding?):
            throw NodeError(
                code: "invalidConfig",
                "this hub's replica is kept in \(binding.location), but node.json names no store: put \"store\": \"\(binding.location)\" back"
            )
        case (let store?, let binding?):
            guard store.url == binding.location else {
                throw NodeError(
                    code: "invalidConfig",
                    "node.json names the store \(store.url), but this hub's replica is kept in \(binding.location)")
            }
            do {
                return try PostgresPool(
                    location: try PostgresLocation(store.url), passwordFile: store.passwordFile, logger: logger)
            } catch {
                throw NodeError(code: error.code, error.message)
            }
        }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await database.run() }
                group.addTask { await listen() }
                group.addTask { await forgetExpiredNonces() }
            }
        }
    }

    /// Catches up on every notification (and after the listener reconnects, when some may have
    /// been missed); notifications already covered by an earlier catch-up are skipped.
    private func listen() async {
        let replica = node.replica
        await catchUp()
        await PostgresChangeListener(database: database, logger: logger).run { version in
            if let version, let held = try? await Blocking.run({ try replica.sharedStoreVersion() }), version <= held {
                return
            }
            await catchUp()
        }
    }

    private func catchUp() async {
        let replica = node.replica
        do {
            let changed = try await Blocking.run { try replica.catchUp() }
            if changed > 0 { await notifier.changed() }
        } catch {
            logger.warning("cannot apply the other hub processes' commits yet", metadata: ["error": "\(error)"])
        }
    }

    private func forgetExpiredNonces() async {
        let nonces = PostgresNonces(database: database)
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            _ = try? await nonces.forget(before: Int64(Date().timeIntervalSince1970 * 1000))
        }
    }
}
