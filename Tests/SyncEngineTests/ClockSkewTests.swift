import Entrustment
import Foundation
import Monitoring
import Node
import Replica
import TestSupport
import Testing

/// Clock skew (`docs/reliability.md`): courts whose clocks are 10 minutes slow or fast, and one
/// whose clock jumps back 15 minutes, still sync (the request window, 15 minutes by default,
/// covers them); the hybrid logical clock keeps every act after what its
/// author had seen; every replica settles alike; and the indicators' spans are never negative.
@Suite("clock skew", .serialized)
struct ClockSkewTests {
    /// The system clock moved by an offset that a test can change (a clock that jumps).
    final class SkewedClock: TimeSource, @unchecked Sendable {
        private let lock = NSLock()
        private var offset: Int64
        init(minutes: Int64) { offset = minutes * 60_000 }
        func now() -> Timestamp { SystemTimeSource().now().adding(milliseconds: lock.withLock { offset }) }
        func jump(minutes: Int64) { lock.withLock { offset += minutes * 60_000 } }
    }

    @Test("courts 10 minutes slow and fast, one jumping back, sync and settle alike with causal times")
    func skewedCourts() async throws {
        let network = try InProcessNetwork()
        defer { network.remove() }
        let clocks = [
            "京0105": SkewedClock(minutes: -10), "粤0106": SkewedClock(minutes: 10), "沪0115": SkewedClock(minutes: 5),
        ]
        try network.add(CourtCode.supreme.rawValue)
        for (court, clock) in clocks.sorted(by: { $0.key < $1.key }) { try network.add(court, time: clock) }
        let courts = clocks.keys.sorted()
        let hub = CourtCode.supreme.rawValue
        var ids: [String] = []
        for (from, to) in [("京0105", "粤0106"), ("粤0106", "京0105"), ("沪0115", "京0105"), ("京0105", "沪0115")] {
            let matter = try network.members[from]!.node.createMatter(
                MatterDraft(caseNumber: "（2026）\(from)执\(ids.count + 1)号", entrustedCourt: to, kind: "deposit:freeze"))
            ids.append(matter.id.rawValue)
        }
        try await network.settle(courts, with: hub)
        // 沪0115's clock jumps back 15 minutes (from 5 fast to 10 slow) before it acts.
        let jumper = network.members["沪0115"]!.node
        let jumpersMatters = try ids.filter { id in
            let matter = try network.hub.node.matter(id)
            return [matter.entrustingCourt, matter.entrustedCourt].map(\.rawValue).contains("沪0115")
        }
        let latestBeforeJump = try #require(
            try jumpersMatters.flatMap { try jumper.events(of: MatterID($0)).map(\.event.timestamp) }.max())
        clocks["沪0115"]!.jump(minutes: -15)
        for id in ids {
            let matter = try network.hub.node.matter(id)
            let entrusted = network.members[matter.entrustedCourt.rawValue]!.node
            _ = try entrusted.act(on: id, .sign(note: ""))
            _ = try entrusted.act(on: id, .complete(outcome: .full, feedback: ""))
        }
        try await network.settle(courts, with: hub)

        // The jump did not take 沪0115's hybrid clock back: what it recorded afterwards is dated
        // after everything it had recorded or heard of before.
        // (Before the jump only sendings happened, so its signs and completions came after.)
        let actsAfterJump = try jumpersMatters.flatMap { id in
            try jumper.events(of: MatterID(id)).map(\.event).filter {
                $0.author.rawValue == "沪0115" && [.sign, .complete].contains($0.kind)
            }
        }
        #expect(actsAfterJump.count == 2, "沪0115 signs and completes the matter entrusted to it")
        for event in actsAfterJump {
            #expect(
                event.timestamp > latestBeforeJump,
                "\(event.kind) at \(event.timestamp), before the jump \(latestBeforeJump)")
        }

        // Every court syncs despite its clock, and holds what the hub holds of its matters.
        for court in courts {
            #expect(
                try network.members[court]!.node.replica.digest().digest
                    == network.hub.node.replica.digest(visibleTo: CourtCode(court)).digest, "\(court)")
        }
        for id in ids {
            let matter = try network.hub.node.matter(id)
            #expect(matter.state == .completed, "\(id)")
            // Causality: each event's clock reading is after its parents'.
            let events = try network.hub.node.events(of: matter.id).map(\.event)
            let byID = Dictionary(uniqueKeysWithValues: events.map { ($0.id, $0) })
            for event in events {
                for parent in event.parents { #expect(byID[parent]!.timestamp < event.timestamp, "\(id)") }
            }
            // The indicators' spans run forward whatever the clocks did.
            let timing = try #require(try network.hub.node.replica.matterTiming(matter.id))
            #expect(try #require(timing.signLagDays) >= 0, "\(id)")
            #expect(try #require(timing.completionDays) >= 0, "\(id)")
            #expect(try #require(timing.receivedAt) >= timing.sentAt, "\(id)")
        }
    }
}
