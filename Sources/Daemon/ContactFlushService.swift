import Logging
import Node
import ServiceLifecycle
import SyncEngine

/// Writes the other nodes' requests, noted in memory as they are served, to the replica about
/// once a second (``Replica/flushContacts()``), and once more when the daemon stops: the
/// sync-latency figures then cost one transaction a second, not one `fsync` per request.
struct ContactFlushService: Service {
    let node: CourtNode
    let logger: Logger

    /// How often the contacts are written.
    static let intervalMilliseconds = 1_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(Self.intervalMilliseconds))
                await flush()
            }
        }
        await flush()
    }

    private func flush() async {
        let replica = node.replica
        do {
            try await Blocking.run { try replica.flushContacts() }
        } catch {
            logger.warning("cannot write the contacts of other nodes", metadata: ["error": "\(error)"])
        }
    }
}
