import Entrustment
import Foundation
import GRDB
import Replica
import Testing
import TestSupport

/// The replica refuses events whose signature or key does not hold, whatever path they come by, in
/// both signature suites.
@Suite("signed events at the replica")
struct SignatureTests {
    func receive(
        _ r: TemporaryReplica, _ events: [Event], newerDirectory: Bool = false
    ) throws -> ReplicaTransaction.AppendReport {
        try r.replica.write { tx in
            try tx.receive(
                events, from: Fixtures.node("京0105.node"), source: "京0105",
                now: Fixtures.time("2026-11-24T09:00:00+08:00"), visibleTo: r.replica.identity.court,
                maxClockAhead: ReplicaTransaction.maxClockAhead, newerDirectory: newerDirectory)
        }
    }

    @Test(
        "a forged signature is refused, logged, never stored; a change file carrying one is refused whole",
        arguments: SignatureSuite.allCases)
    func forgedSignature(suite: SignatureSuite) throws {
        let r = try TemporaryReplica(suite: suite)
        defer { r.remove() }
        let create = Fixtures.create(suite: suite)
        var signature = create.signature!
        signature[0] ^= 0x80
        let forged = try create.withSignature(signature)
        #expect { try r.receive([forged]) } throws: { ($0 as! ReplicaError).code == .badSignature }
        #expect(try r.replica.eventCount() == 0)
        let report = try receive(r, [forged])
        #expect(report.stored == 0 && report.refused.map(\.event) == [create.id])
        #expect(report.refused.first?.code == "badSignature" && report.quarantined.isEmpty)
        #expect(try r.replica.eventCount() == 0 && r.replica.quarantineCount() == 0)
        let logged = try r.replica.refusals()
        #expect(logged.count == 1 && logged[0].event == create.id.hex && logged[0].source == "京0105")
    }

    @Test(
        "acts the author may not do are refused: the entrusting court signing, a court not party, an impostor",
        arguments: SignatureSuite.allCases)
    func unauthorised(suite: SignatureSuite) throws {
        let r = try TemporaryReplica(suite: suite)
        defer { r.remove() }
        let create = Fixtures.create(suite: suite)
        try r.receive([create])
        let ownSign = Fixtures.act(.sign(note: ""), by: "京0105", after: [create], at: 1_795_000_100_000, suite: suite)
        let stranger = Fixtures.act(.sign(note: ""), by: "京0101", after: [create], at: 1_795_000_100_000, suite: suite)
        let impostor = try Event(
            suite: suite, matterID: create.matterID, author: Fixtures.code("粤0106"),
            origin: Fixtures.node("粤0104.node"),
            timestamp: HybridTimestamp(wall: 1_795_000_100_000, counter: 0), parents: [create.id],
            action: .sign(note: "")
        ).testSigned(suite: suite)
        let report = try receive(r, [ownSign, stranger, impostor])
        #expect(report.stored == 0)
        #expect(report.refused.map(\.event) == [ownSign.id, stranger.id, impostor.id])
        #expect(report.refused.allSatisfy { $0.code == "rejectedEvent" })
        #expect(report.refused[2].reason.contains("serves 粤0104"))
        #expect(try r.replica.eventCount() == 1 && r.replica.matter(create.matterID)?.state == .sent)
    }

    @Test(
        "an event of a node the directory does not list waits in the quarantine until a directory lists it",
        arguments: SignatureSuite.allCases)
    func unknownKeyWaitsForDirectory(suite: SignatureSuite) throws {
        let r = try TemporaryReplica(suite: suite)
        defer { r.remove() }
        let create = Fixtures.create(suite: suite)
        try r.receive([create])
        let newcomer = Fixtures.act(
            .sign(note: ""), by: "粤0106", after: [create], at: 1_795_000_100_000, node: "粤0106.new", suite: suite)
        // From a sender whose directory is no newer, an unlisted key can never verify: refused.
        let refused = try receive(r, [newcomer])
        #expect(refused.refused.map(\.code) == ["unknownKey"] && refused.quarantined.isEmpty)
        #expect(try r.replica.quarantineCount() == 0)
        // From a sender holding a newer directory, it may: held until that directory arrives.
        let report = try receive(r, [newcomer], newerDirectory: true)
        #expect(report.quarantined.map(\.code) == ["unknownKey"])
        #expect(try r.replica.eventCount() == 1)
        var next = TestKeys.directory(version: 2, suite: suite)
        next.nodes.append(
            RegisteredNode(
                court: Fixtures.code("粤0106"), node: newcomer.origin,
                publicKey: TestKeys.publicKey(for: newcomer.origin, suite: suite),
                status: .approved, requestedAt: next.issuedAt, decidedAt: next.issuedAt))
        #expect(
            try r.replica.install(next, payload: [], signature: [], now: Fixtures.time("2026-11-24T10:00:00+08:00")))
        #expect(
            !(try r.replica.install(next, payload: [], signature: [], now: Fixtures.time("2026-11-24T10:00:00+08:00"))))
        let retried = try r.replica.write { tx in
            try tx.retryQuarantinedReferenceData(
                now: Fixtures.time("2026-11-24T10:00:00+08:00"), visibleTo: r.replica.identity.court)
        }
        #expect(retried.stored == 1)
        #expect(try r.replica.quarantineCount() == 0 && r.replica.matter(create.matterID)?.state == .signed)
    }

    @Test(
        "signatures verified ahead count only under the directory they were verified with",
        arguments: SignatureSuite.allCases)
    func preparedUnderOlderDirectory(suite: SignatureSuite) throws {
        let r = try TemporaryReplica(suite: suite)
        defer { r.remove() }
        let now = Fixtures.time("2026-11-24T09:00:00+08:00")
        let create = Fixtures.create(suite: suite)
        var signature = create.signature!
        signature[5] ^= 0x01
        let forged = try Fixtures.create(sequence: 2, suite: suite).withSignature(signature)
        let prepared = try r.replica.prepare([create, forged], now: now)
        #expect(prepared.verifiedCount == 1, "the forged signature is not verified ahead")
        // The hub revokes the creating node (its key stolen before the act) after the preparation.
        var next = TestKeys.directory(version: 2, suite: suite)
        let index = next.nodes.firstIndex { $0.node == create.origin }!
        next.nodes[index].status = .revoked
        next.nodes[index].revokedAt = "2026-01-01T00:00:00+08:00"
        #expect(try r.replica.install(next, payload: [], signature: [], now: now))
        let report = try r.replica.write { tx in
            try tx.receive(
                [create, forged], from: Fixtures.node("京0105.node"), source: "京0105", now: now,
                visibleTo: r.replica.identity.court, maxClockAhead: ReplicaTransaction.maxClockAhead,
                prepared: prepared)
        }
        #expect(report.stored == 0)
        #expect(report.refused.map(\.event) == [create.id, forged.id])
        #expect(report.refused.first?.code == "revokedKey", "verified ahead under version 1, refused under 2")
    }

    @Test("a batch prepared ahead stores exactly what an unprepared one does")
    func preparedMatchesUnprepared() throws {
        let events = RandomHistory.events(seed: 22, steps: 60)
        var digests: [String] = []
        for prepare in [false, true] {
            let r = try TemporaryReplica()
            defer { r.remove() }
            let now = Fixtures.time("2026-11-24T09:00:00+08:00")
            let prepared = prepare ? try r.replica.prepare(events, now: now) : .none
            if prepare { #expect(prepared.verifiedCount == Set(events.map(\.id)).count) }
            let report = try r.replica.write { tx in
                try tx.receive(
                    events, from: Fixtures.node("京0105.node"), source: "京0105", now: now,
                    visibleTo: .supreme, maxClockAhead: ReplicaTransaction.maxClockAhead, prepared: prepared)
            }
            #expect(report.stored == Set(events.map(\.id)).count && report.refused.isEmpty)
            digests.append("\(try r.replica.digest().digest)")
        }
        #expect(digests[0] == digests[1])
    }
}
