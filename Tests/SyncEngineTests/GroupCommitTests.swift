import Entrustment
import Foundation
import Node
import Replica
import SyncProtocol
import Testing
import TestSupport

@testable import SyncEngine

/// Pushes that arrive while the writer is busy are committed together, each answered with its
/// own report once that transaction committed.
@Suite("group commit of pushes")
struct GroupCommitTests {
    /// A change set with one new matter of `court`, ready to push to the hub.
    private func push(_ net: InProcessNetwork, _ court: String, to hub: CourtNode) throws -> GroupCommit.Push {
        let node = net.members[court]!.node
        _ = try node.createMatter(
            MatterDraft(caseNumber: "（2026）\(court)执7号", entrustedCourt: "粤0106", kind: "deposit:freeze"))
        let batch = try node.replica.changes(
            after: 0, for: ChangeSelection(court: nil, excludingNode: nil), maxEvents: 10, maxBytes: 1 << 20)
        let set = ChangeSet(
            senderCourt: node.identity.court, senderNode: node.identity.node, createdAt: node.time.now(),
            throughSequence: UInt64(batch.through), events: batch.events)
        let now = hub.time.now()
        return GroupCommit.Push(
            set: set, source: court, newerDirectory: false, prepared: try hub.replica.prepare(set.events, now: now),
            now: now)
    }

    @Test("three pushes queued behind a busy writer share one transaction; each gets its own report")
    func grouped() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        let courts = ["京0105", "京0101", "沪0115", "粤0104"]
        for court in courts { try net.add(court) }
        try net.add("粤0106")
        let hub = net.hub.node
        let pushes = try courts.map { try push(net, $0, to: hub) }
        let writer = GroupCommit(node: hub, maxClockAhead: 3_600_000, maxQuarantined: 100)

        // Another writer holds the replica's write lock until released.
        let release = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? hub.replica.write { _ in
                holding.signal()
                release.wait()
            }
        }
        holding.wait()
        let first = Task { try await writer.store(pushes[0]) }
        while await writer.inFlight != 1 { await Task.yield() }
        let rest = pushes.dropFirst().map { push in Task { try await writer.store(push) } }
        while await writer.queued != 3 { await Task.yield() }
        release.signal()

        let firstReport = try await first.value
        var reports = [firstReport]
        for task in rest { reports.append(try await task.value) }
        #expect(await writer.transactions == 2, "one for the first push, one for the three queued behind it")
        #expect(reports.map(\.stored) == [1, 1, 1, 1])
        #expect(reports.allSatisfy { $0.refused.isEmpty && $0.quarantined.isEmpty })
        #expect(try hub.replica.eventCount() == 4)
        #expect(reports[1].concernedCourts.contains(Fixtures.code("京0101")))
        #expect(!reports[1].concernedCourts.contains(Fixtures.code("沪0115")))
    }
}
