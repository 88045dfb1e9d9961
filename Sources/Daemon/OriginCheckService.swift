import Logging
import Node
import ServiceLifecycle
import SyncEngine

/// Re-checks, in the background, the origin signatures of events stored on the strength of the
/// hub's batch attestations (`Protocol/sync.md` §4.3.1): once the catch-up that brings them
/// pauses (no new attestation for a second: the catch-up has the cores while it runs), a few
/// thousand at a time on one core while any wait; then it looks again every second. What passes leaves the list; what fails stays in it,
/// marked (`courtsync status` shows both counts, `courtsync audit verify` names the events), and
/// the node asks for no attestation again.
struct OriginCheckService: Service {
    let node: CourtNode
    let logger: Logger

    /// Events re-checked per step.
    static let batch = 2_000
    /// How long to wait when nothing is left to re-check.
    static let idleMilliseconds = 1_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var attestationsSeen: Int64 = -1
            while !Task.isCancelled {
                let attestations = await latestAttestation()
                defer { attestationsSeen = attestations }
                guard attestations == attestationsSeen, await step() == Self.batch else {
                    try? await Task.sleep(for: .milliseconds(Self.idleMilliseconds))
                    continue
                }
            }
        }
    }

    /// The latest attestation the replica holds (a catch-up is running while it moves).
    private func latestAttestation() async -> Int64 {
        let replica = node.replica
        return (try? await Blocking.run { try replica.latestAttestation() }) ?? 0
    }

    /// Re-checks one batch; returns how many events it looked at.
    private func step() async -> Int {
        let replica = node.replica
        let now = node.time.now()
        do {
            let (passed, failed) = try await Blocking.run {
                try replica.recheckOrigins(limit: Self.batch, cores: 1, now: now)
            }
            for id in failed {
                logger.critical(
                    "an event the hub attested fails its origin-signature re-check: the hub vouched for what its origin did not sign; this node now verifies every event itself (courtsync audit verify)",
                    metadata: ["event": "\(id.prefix(12))"])
            }
            if passed + failed.count > 0 {
                logger.debug(
                    "re-checked attested events", metadata: ["passed": "\(passed)", "failed": "\(failed.count)"])
            }
            return passed + failed.count
        } catch {
            logger.warning("cannot re-check attested events", metadata: ["error": "\(error)"])
            return 0
        }
    }
}
