import Entrustment
import Node
import Replica
import SyncProtocol

/// The one writer of pushed change sets: pushes that arrive while a commit is under way wait in
/// a queue and are then stored together, in one write transaction and one `fsync` (group
/// commit). Each push is answered only after the transaction holding it committed, with its own
/// report. If a group's transaction fails, its pushes are tried again one by one, so that one
/// push can never fail another.
actor GroupCommit {
    /// One pushed change set waiting to be stored.
    struct Push: Sendable {
        var set: ChangeSet
        var source: String
        var newerDirectory: Bool
        var prepared: PreparedEvents
        var now: Timestamp
    }

    private struct Waiting {
        var push: Push
        var continuation: CheckedContinuation<ReplicaTransaction.AppendReport, any Error>
    }

    /// The most pushes in one transaction, and the most events.
    static let maxPushes = 64
    static let maxEvents = 20_000

    private let node: CourtNode
    private let maxClockAhead: Int64
    private let maxQuarantined: Int
    private var queue: [Waiting] = []
    private var writing = false
    /// Transactions committed (or tried) so far, pushes in the one under way, and pushes queued.
    private(set) var transactions = 0
    private(set) var inFlight = 0
    var queued: Int { queue.count }

    init(node: CourtNode, maxClockAhead: Int64, maxQuarantined: Int) {
        self.node = node
        self.maxClockAhead = maxClockAhead
        self.maxQuarantined = maxQuarantined
    }

    /// Stores `push`, with whatever else is queued, and returns its report once committed.
    func store(_ push: Push) async throws -> ReplicaTransaction.AppendReport {
        try await withCheckedThrowingContinuation { continuation in
            queue.append(Waiting(push: push, continuation: continuation))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !queue.isEmpty {
            var count = 0
            var events = 0
            while count < queue.count, count < Self.maxPushes,
                count == 0 || events + queue[count].push.set.events.count <= Self.maxEvents
            {
                events += queue[count].push.set.events.count
                count += 1
            }
            let group = Array(queue.prefix(count))
            queue.removeFirst(count)
            inFlight = count
            transactions += 1
            let results = await commit(group.map(\.push))
            inFlight = 0
            for (waiting, result) in zip(group, results) { waiting.continuation.resume(with: result) }
        }
        writing = false
    }

    /// Commits the pushes in one transaction; if it fails, each on its own.
    private nonisolated func commit(_ pushes: [Push]) async -> [Result<ReplicaTransaction.AppendReport, any Error>] {
        do {
            return try await transaction(pushes).map { .success($0) }
        } catch {
            guard pushes.count > 1 else { return [.failure(error)] }
            var results: [Result<ReplicaTransaction.AppendReport, any Error>] = []
            for push in pushes {
                do {
                    results.append(.success(try await transaction([push])[0]))
                } catch {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    private nonisolated func transaction(_ pushes: [Push]) async throws -> [ReplicaTransaction.AppendReport] {
        let replica = node.replica
        let court = node.identity.court
        let (clockAhead, quarantined) = (maxClockAhead, maxQuarantined)
        let reports = try await replica.write { tx in
            var reports: [ReplicaTransaction.AppendReport] = []
            for push in pushes {
                let set = push.set
                reports.append(
                    try tx.receive(
                        set.events, witnesses: set.witnesses, from: set.senderNode, source: push.source,
                        now: push.now, visibleTo: court, maxClockAhead: clockAhead,
                        newerDirectory: push.newerDirectory, maxQuarantinedPerSource: quarantined,
                        prepared: push.prepared))
            }
            CrashPoint.receiveApplied.reached()
            return reports
        }
        CrashPoint.receiveCommitted.reached()
        return reports
    }
}
