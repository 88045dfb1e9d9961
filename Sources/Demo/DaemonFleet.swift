import Entrustment
import Foundation
import Node
import Synchronization

/// The `courtsync serve` processes of a demo network, and which of them should be running.
///
/// A node's daemon is kept up unless the workload has taken the court offline (a planned
/// outage), a fault has crashed it and it has not been recovered yet, or its disk is full (a
/// daemon cannot start there; it is started once the disk is usable). Every change goes through
/// one lock, so the workload and a fault injector can act on the same node at once.
public final class DaemonFleet: Sendable {
    private struct Wanted {
        var online = true
        var crashed = false
        var diskFull = false
        var shouldRun: Bool { online && !crashed }
    }

    private let order: [CourtCode]
    private let daemons: [CourtCode: ServeProcess]
    /// What each daemon should be doing; every change holds this lock while it acts.
    private let wanted: Mutex<[CourtCode: Wanted]>

    /// The daemons of `network`, run by the `courtsync` binary `executable`.
    public init(network: DemoNetwork, executable: URL) {
        order = network.members.map(\.court)
        var daemons: [CourtCode: ServeProcess] = [:]
        for member in network.members {
            daemons[member.court] = ServeProcess(executable: executable, dataDirectory: member.dataDirectory)
        }
        self.daemons = daemons
        wanted = Mutex(Dictionary(uniqueKeysWithValues: order.map { ($0, Wanted()) }))
    }

    /// Starts every daemon, the hub first.
    public func startAll() throws(NodeError) {
        for court in order { try daemons[court]!.start() }
    }

    /// Stops every daemon that runs (SIGTERM, then waits), the hub last.
    public func stopAll() {
        for court in order.reversed() { daemons[court]!.stop() }
    }

    /// The process ids of the running daemons (for a signal handler that must not take locks).
    public var processIdentifiers: [Int32] { order.compactMap { daemons[$0]!.processIdentifier } }

    /// The process id of the court's daemon, if it runs.
    public func processIdentifier(of court: CourtCode) -> Int32? { daemons[court]?.processIdentifier }

    /// Takes a court offline (SIGTERM) or brings it back: a planned outage.
    public func setOnline(_ court: CourtCode, _ online: Bool) throws(NodeError) {
        try change(court) { $0.online = online }
    }

    /// Kills the court's daemon with SIGKILL (a crash). It stays down until ``recover(_:)``.
    /// Returns false (and does nothing) if it was not running.
    @discardableResult
    public func crash(_ court: CourtCode) -> Bool {
        wanted.withLock { wanted in
            guard let daemon = daemons[court], daemon.isRunning else { return false }
            wanted[court]?.crashed = true
            daemon.kill()
            return true
        }
    }

    /// Restarts a crashed daemon (unless the court is offline or its disk is full meanwhile).
    public func recover(_ court: CourtCode) throws(NodeError) {
        try change(court) { $0.crashed = false }
    }

    /// Records that the court's disk is full, or usable again; a daemon that should run is
    /// started once it is.
    public func setDiskFull(_ court: CourtCode, _ full: Bool) throws(NodeError) {
        try change(court) { $0.diskFull = full }
    }

    /// Stops and starts the court's daemon if it runs (it rereads `node.json` and `clock.json`).
    public func restart(_ court: CourtCode) throws(NodeError) {
        try wanted.withLock { _ throws(NodeError) in
            guard let daemon = daemons[court], daemon.isRunning else { return }
            daemon.stop()
            try daemon.start()
        }
    }

    private func change(_ court: CourtCode, _ edit: (inout Wanted) -> Void) throws(NodeError) {
        try wanted.withLock { wanted throws(NodeError) in
            guard var state = wanted[court], let daemon = daemons[court] else {
                throw NodeError(code: "invalidArgument", "\(court) is not in the demo network")
            }
            edit(&state)
            wanted[court] = state
            if state.shouldRun, !state.diskFull, !daemon.isRunning {
                try daemon.start()
            } else if !state.shouldRun, daemon.isRunning {
                daemon.stop()
            }
        }
    }
}
