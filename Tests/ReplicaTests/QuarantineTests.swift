import Entrustment
import Foundation
import Replica
import Testing
import TestSupport

/// The quarantine holds only what time may cure, each event with what it waits for, at most
/// `maxPerSource` events per sending node, and retries an event when what it waits for arrives.
@Suite("quarantine: what is held, how much, and when it is retried")
struct QuarantineTests {
    static let now = Fixtures.time("2026-11-24T09:00:00+08:00")

    func receive(
        _ r: TemporaryReplica, _ events: [Event], from sender: String = "京0105.node", maxPerSource: Int = 10_000,
        newerDirectory: Bool = false
    ) throws -> ReplicaTransaction.AppendReport {
        try r.replica.write { tx in
            try tx.receive(
                events, from: Fixtures.node(sender), source: "test", now: Self.now, visibleTo: r.replica.identity.court,
                maxClockAhead: ReplicaTransaction.maxClockAhead, newerDirectory: newerDirectory,
                maxQuarantinedPerSource: maxPerSource)
        }
    }

    /// An event by a node no directory lists, with 64 bytes of junk for a signature: it can
    /// never verify.
    static func junk(_ index: Int) -> Event {
        try! unsigned(index).withSignature((0..<64).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ index) })
    }

    /// The same event, not yet signed.
    static func unsigned(_ index: Int) -> Event {
        let create = Fixtures.create(sequence: 500 + index)
        return try! Event(
            matterID: create.matterID, author: create.author, origin: Fixtures.node("京0105.nobody\(index)"),
            timestamp: create.timestamp, parents: [], action: create.action)
    }

    @Test("junk by unlisted origins is refused outright at the hub, unless a registration for it waits")
    func junkIsRefused() throws {
        let hub = try TemporaryReplica(court: "最高法")
        defer { hub.remove() }
        let report = try receive(hub, (0..<1_200).map(Self.junk))
        #expect(report.refused.count == 1_200 && report.quarantined.isEmpty)
        #expect(Set(report.refused.map(\.code)) == ["unknownKey"])
        #expect(try hub.replica.quarantineCount() == 0 && hub.replica.eventCount() == 0)
        // The refusal log keeps a bounded history.
        #expect(try hub.replica.refusalCount() <= ReplicaTransaction.refusalLogLimit)

        // The hub issues every directory: a sender's claim of a newer one changes nothing there.
        let claimed = try receive(hub, [Self.junk(1)], newerDirectory: true)
        #expect(claimed.refused.map(\.code) == ["unknownKey"] && claimed.quarantined.isEmpty)

        // A node whose registration waits for hub staff may yet be approved: its events are held,
        // but only those its registered key signed.
        let pendingNode = Fixtures.node("京0105.nobody0")
        _ = try hub.replica.recordRegistration(
            RegisteredNode(
                court: Fixtures.code("京0105"), node: pendingNode, publicKey: TestKeys.publicKey(for: pendingNode),
                status: .pending, requestedAt: Self.now.rfc3339), receivedAt: Self.now, maxPendingPerCourt: 10)
        let forged = try receive(hub, [Self.junk(0)])
        #expect(forged.refused.map(\.code) == ["unknownKey"] && forged.quarantined.isEmpty)
        let genuine = Self.unsigned(0).testSigned()
        let held = try receive(hub, [genuine])
        #expect(held.quarantined.map(\.code) == ["unknownKey"])
        #expect(try hub.replica.quarantined().map(\.waitingFor) == ["key:京0105.nobody0"])

        // A court, which receives directories, holds an unlisted origin's event only when the
        // sender announces a newer directory than its own.
        let court = try TemporaryReplica()
        defer { court.remove() }
        #expect(try receive(court, [Self.junk(2)]).refused.map(\.code) == ["unknownKey"])
        #expect(try receive(court, [Self.junk(2)], newerDirectory: true).quarantined.map(\.code) == ["unknownKey"])
    }

    @Test("each sender may have at most maxPerSource events held; beyond, quarantineFull")
    func capPerSource() throws {
        let r = try TemporaryReplica(court: "最高法")
        defer { r.remove() }
        let create = Fixtures.create()
        // Children of a create the hub does not hold: each waits for its parent.
        let orphans = (0..<5).map { index in
            Fixtures.act(.urge(note: "催\(index)"), by: "京0105", after: [create], at: 1_795_000_100_000 + Int64(index))
        }
        let report = try receive(r, orphans, maxPerSource: 3)
        #expect(report.quarantined.count == 3)
        #expect(report.refused.map(\.code) == ["quarantineFull", "quarantineFull"])
        // Another sender has its own allowance.
        let other = try receive(r, [orphans[4]], from: "京0105.a", maxPerSource: 3)
        #expect(other.quarantined.count == 1)
    }

    @Test("a held event is retried when its parent arrives, not by age: junk cannot starve it")
    func retriedByWhatItWaitsFor() throws {
        let r = try TemporaryReplica(court: "最高法")
        defer { r.remove() }
        let create = Fixtures.create()
        let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_000_100_000)
        // 1,500 older events wait for parents that never come (from another sender, within its cap).
        let ghost = Fixtures.create(sequence: 99)
        let stale = (0..<1_500).map { index in
            Fixtures.act(.urge(note: "\(index)"), by: "京0105", after: [ghost], at: 1_794_000_000_000 + Int64(index))
        }
        _ = try receive(r, stale, from: "京0105.a")
        let held = try receive(r, [sign])
        #expect(held.quarantined.map(\.code) == ["missingParent"])
        #expect(try r.replica.quarantined().first { $0.event == sign.id }?.waitingFor == "parent:\(create.id.hex)")
        // The create arrives: the sign follows it in the same transaction.
        let report = try receive(r, [create])
        #expect(report.stored == 2)
        #expect(try r.replica.matter(create.matterID)?.state == .signed)
        #expect(try r.replica.quarantineCount() == 1_500)
    }

    @Test("a create naming a calendar version not held waits for the directory that brings it")
    func waitsForCalendar() throws {
        let r = try TemporaryReplica()
        defer { r.remove() }
        let base = Fixtures.create()
        guard case .create(var request) = base.action else { return }
        request.calendarVersion = 2
        let create = try Event(
            matterID: base.matterID, author: base.author, origin: base.origin, timestamp: base.timestamp, parents: [],
            action: .create(request)
        ).testSigned()
        let report = try receive(r, [create])
        #expect(report.quarantined.map(\.code) == ["unknownCalendar"])
        // The hub, which publishes every version, refuses a version it never issued.
        let hub = try TemporaryReplica(court: "最高法")
        defer { hub.remove() }
        #expect(try receive(hub, [create]).refused.map(\.code) == ["unknownCalendar"])
        var next = TestKeys.directory(version: 2)
        next.calendar = try Fixtures.referenceCalendar.withGrace(seconds: 7200, issuedAt: Self.now)
        #expect(try r.replica.install(next, payload: [], signature: [], now: Self.now))
        let retried = try r.replica.write { tx in
            try tx.retryQuarantinedReferenceData(now: Self.now, visibleTo: r.replica.identity.court)
        }
        #expect(try retried.stored == 1 && r.replica.quarantineCount() == 0)
    }
}
