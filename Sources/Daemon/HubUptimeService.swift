import Entrustment
import Logging
import Node
import Replica
import ServiceLifecycle
import SyncEngine

/// On the hub: records in its replica when this daemon started and keeps that run's end current,
/// so that the hub's witnesses can state how long it was down (``HubUptime``): time the hub
/// itself was down never counts against a court.
struct HubUptimeService: Service {
    let node: CourtNode
    /// When this run began (already on record).
    let started: Timestamp
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let replica = node.replica
                    let now = node.time.now()
                    try await Blocking.run { try replica.recordHubRun(startedAt: started, aliveAt: now) }
                } catch {
                    logger.warning("cannot record the hub's uptime", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .milliseconds(HubUptime.heartbeatMilliseconds))
            }
        }
        // A graceful stop ends the run now: the downtime until the next start is counted from here.
        let replica = node.replica
        let now = node.time.now()
        _ = try? await Blocking.run { try replica.recordHubRun(startedAt: started, aliveAt: now) }
    }
}
