import Entrustment
import Foundation
import Node
import Replica
import Workload

/// A demo network brought to life: every node's `courtsync serve` process, the workload driven
/// through them, and the wait until every replica agrees with the hub.
public final class DemoRun: Sendable {
    /// The network on disk.
    public let network: DemoNetwork
    /// The workload.
    public let plan: WorkloadPlan
    /// The daemons, and which should be running.
    public let fleet: DaemonFleet

    /// Prepares the daemons of `network` (run by the `courtsync` binary `executable`).
    public init(network: DemoNetwork, plan: WorkloadPlan, executable: URL) {
        self.network = network
        self.plan = plan
        fleet = DaemonFleet(network: network, executable: executable)
    }

    /// Starts every daemon, the hub first.
    public func startAll() throws(NodeError) { try fleet.startAll() }

    /// Stops every daemon that runs (SIGTERM, then waits).
    public func stopAll() { fleet.stopAll() }

    /// The process ids of the running daemons (for a signal handler that must not take locks).
    public var processIdentifiers: [Int32] { fleet.processIdentifiers }

    /// Drives the plan through the running network. A court in `timeSources` stamps its acts with
    /// that clock instead of the network's (a court whose clock is off).
    public func drive(
        timeSources: [CourtCode: any TimeSource] = [:], report: (WorkloadRunner.Progress) -> Void
    ) async throws(NodeError) -> WorkloadRunner.Summary {
        guard let clock = network.clock else {
            throw NodeError(code: "invalidState", "the demo network has no simulated clock to drive the workload on")
        }
        let runner = try WorkloadRunner(
            plan: plan,
            dataDirectories: Dictionary(uniqueKeysWithValues: network.courts.map { ($0.court, $0.dataDirectory) }),
            clock: clock, timeSources: timeSources,
            setOnline: { [fleet] court, online throws(NodeError) in try fleet.setOnline(court, online) })
        return try await runner.run(report: report)
    }

    /// One court's agreement with the hub.
    public struct Agreement: Sendable {
        public var court: CourtCode
        /// The digest of the matters the court holds.
        public var digest: String
        /// The digest of the matters the hub holds that the court may see.
        public var hubView: String
        /// Matters the court holds.
        public var matters: Int
        /// Conflicts not yet acknowledged.
        public var openConflicts: Int
        public var agrees: Bool { digest == hubView }
    }

    /// Waits (up to `seconds`) until every court's replica digest equals the hub's view of that
    /// court's matters, and returns the comparison as it last stood.
    public func awaitAgreement(seconds: Double = 60) async throws(NodeError) -> [Agreement] {
        let deadline = Date().addingTimeInterval(seconds)
        while true {
            let agreements = try compare()
            if agreements.allSatisfy(\.agrees) || Date() >= deadline { return agreements }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }

    private func compare() throws(NodeError) -> [Agreement] {
        let hub = try CourtNode(dataDirectory: network.hub.dataDirectory, time: SystemTimeSource())
        defer { try? hub.close() }
        var result: [Agreement] = []
        for member in network.courts {
            let node = try CourtNode(dataDirectory: member.dataDirectory, time: SystemTimeSource())
            defer { try? node.close() }
            let own = try node.read { () throws(ReplicaError) in try node.replica.digest() }
            let view = try hub.read { () throws(ReplicaError) in try hub.replica.digest(visibleTo: member.court) }
            result.append(
                Agreement(
                    court: member.court, digest: own.digest.hex, hubView: view.digest.hex, matters: own.matters.count,
                    openConflicts: own.openConflicts))
        }
        return result
    }
}
