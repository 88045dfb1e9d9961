import Entrustment
import Foundation
import GRDB
import Replica
import TestSupport
import Testing

@Suite("Replica: conflicts, held events and digests")
struct ConflictStorageTests {
    static let create = Fixtures.create()
    static let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_000_100_000)
    static let complete = Fixtures.act(
        .complete(outcome: .full, feedback: "已扣押"), by: "粤0106", after: [sign], at: 1_795_000_200_000)
    static let withdraw = Fixtures.act(.withdraw(note: "已和解"), by: "京0105", after: [create], at: 1_795_000_050_000)

    func receive(_ r: TemporaryReplica, _ events: [Event]) throws -> ReplicaTransaction.AppendReport {
        try r.replica.write { tx in
            try tx.receive(
                events, from: Fixtures.node("京0105.node"), source: "京0105",
                now: Fixtures.time("2026-11-24T09:00:00+08:00"),
                visibleTo: Fixtures.code("最高法"), maxClockAhead: ReplicaTransaction.maxClockAhead)
        }
    }

    @Test("an event whose parents have not arrived is held, not guessed at, and applied when they arrive")
    func heldUntilParentsArrive() throws {
        let r = try TemporaryReplica(court: "最高法")
        defer { r.remove() }
        _ = try receive(r, [Self.create, Self.withdraw])
        #expect(try r.replica.matter(Self.create.matterID)?.state == .withdrawn)
        // The completion arrives before the sign it was made on: held in the quarantine.
        let early = try receive(r, [Self.complete])
        #expect(early.stored == 0)
        #expect(early.quarantined.map(\.code) == ["missingParent"])
        #expect(try r.replica.matter(Self.create.matterID)?.state == .withdrawn)
        #expect(try r.replica.conflicts().isEmpty)
        // The sign arrives: both are stored, and the withdrawal is now superseded.
        let late = try receive(r, [Self.sign])
        #expect(late.stored == 2)
        #expect(try r.replica.quarantineCount() == 0)
        let matter = try #require(try r.replica.matter(Self.create.matterID))
        #expect(matter.state == .completed)
        #expect(matter.conflicts.map(\.id) == [Self.withdraw.id])
        #expect(try r.replica.conflicts().map(\.winner.id) == [Self.complete.id])
    }

    @Test("conflicts and registers are stored with the matter and read back as the fold made them")
    func storedAsFolded() throws {
        let r = try TemporaryReplica(court: "最高法")
        defer { r.remove() }
        let edit = Fixtures.act(
            .edit(field: .contactPhone, value: "020-8888 0000"), by: "粤0106", after: [Self.complete],
            at: 1_795_000_300_000)
        try r.receive([Self.create, Self.sign, Self.withdraw, Self.complete, edit])
        let folded = try #require(
            MatterFold.fold(
                [Self.create, Self.sign, Self.withdraw, Self.complete, edit], directory: Fixtures.directory))
        let stored = try #require(try r.replica.matter(Self.create.matterID))
        #expect(stored.conflicts == folded.conflicts)
        #expect(stored.contactPhone == "020-8888 0000")
        #expect(MatterDigest.of(stored) == MatterDigest.of(folded))
        #expect(try r.replica.digest().digest == MatterDigest.combine([(stored.id, MatterDigest.of(folded))]))
        #expect(try r.replica.openConflictCount() == 1)
        #expect(try r.replica.conflicts(idPrefix: String(Self.withdraw.id.hex.prefix(8))).count == 1)
    }

    @Test("a replica whose matters lack a digest (an older schema) is refolded when it opens")
    func refoldOnOpen() throws {
        let r = try TemporaryReplica(court: "最高法")
        defer { r.directory.remove() }
        try r.receive([Self.create, Self.sign, Self.withdraw, Self.complete])
        let before = try r.replica.digest().digest
        try r.replica.close()
        let path = r.directory.path(Replica.fileName).path
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "UPDATE matters SET digest = '', state = 'withdrawn'; DELETE FROM conflicts")
        }
        try queue.close()
        let reopened = try Replica.open(at: path)
        defer { try? reopened.close() }
        #expect(try reopened.digest().digest == before)
        #expect(try reopened.matter(Self.create.matterID)?.state == .completed)
        #expect(try reopened.conflicts().count == 1)
    }

    @Test("the digest changes with any difference in state, and the hub's view of a court matches that court's")
    func digestScope() throws {
        let hub = try TemporaryReplica(court: "最高法")
        let court = try TemporaryReplica(court: "粤0106")
        defer {
            hub.remove()
            court.remove()
        }
        let unrelated = Fixtures.create(sequence: 9, from: "京0101", to: "京0105")
        try hub.receive([Self.create, Self.sign, unrelated])
        try court.receive([Self.create, Self.sign])
        #expect(try hub.replica.digest(visibleTo: Fixtures.code("粤0106")).digest == court.replica.digest().digest)
        #expect(try hub.replica.digest().digest != court.replica.digest().digest)
        try court.receive([Self.complete])
        #expect(try hub.replica.digest(visibleTo: Fixtures.code("粤0106")).digest != court.replica.digest().digest)
    }
}
