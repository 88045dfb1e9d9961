import Entrustment
import Foundation
import Replica
import TestSupport
import Testing

@Suite("Replica: idempotent, atomic appends and the materialised fold")
struct ReplicaTests {
    @Test("appending the same event twice changes nothing the second time")
    func idempotent() throws {
        let r = try TemporaryReplica()
        defer { r.remove() }
        let create = Fixtures.create()
        let first = try r.receive([create])
        #expect(first.stored == 1 && first.duplicates == 0)
        let before = try r.replica.matter(create.matterID)
        let second = try r.receive([create, create])
        #expect(second.stored == 0 && second.duplicates == 2)
        #expect(try r.replica.eventCount() == 1)
        #expect(try r.replica.matter(create.matterID) == before)
    }

    @Test("a batch with one refused event stores none of it")
    func atomic() throws {
        let r = try TemporaryReplica()
        defer { r.remove() }
        let create = Fixtures.create()
        let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_100_000_000)
        let forged = Fixtures.act(
            .complete(outcome: .full, feedback: ""), by: "京0105", after: [sign], at: 1_795_200_000_000)
        #expect { try r.receive([create, sign, forged]) } throws: { error in
            let error = error as! ReplicaError
            return error.code == .rejectedEvent && error.message.contains("受托法院")
        }
        #expect(try r.replica.eventCount() == 0)
        #expect(try r.replica.matter(create.matterID) == nil)
        #expect(try r.replica.matters().isEmpty)
    }

    @Test("an event whose parent is missing is refused and nothing is stored")
    func missingParent() throws {
        let r = try TemporaryReplica()
        defer { r.remove() }
        let create = Fixtures.create()
        let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_100_000_000)
        let other = Fixtures.create(sequence: 2)
        #expect { try r.receive([other, sign]) } throws: { ($0 as! ReplicaError).code == .missingParent }
        #expect(try r.replica.eventCount() == 0)
    }

    @Test("matters of other courts are left out and counted, not stored")
    func visibility() throws {
        let r = try TemporaryReplica(court: "粤0106")
        defer { r.remove() }
        let mine = Fixtures.create(sequence: 1, from: "京0105", to: "粤0106")
        let theirs = Fixtures.create(sequence: 1, from: "京0101", to: "粤0104")
        let theirSign = Fixtures.act(.sign(note: ""), by: "粤0104", after: [theirs], at: 1_795_100_000_000)
        let report = try r.receive([mine, theirs, theirSign], visibleTo: Fixtures.code("粤0106"))
        #expect(report.stored == 1)
        #expect(report.notVisible == 2)
        #expect(try r.replica.matters().map(\.id) == [mine.matterID])
        let forDongcheng = try r.replica.events(after: 0, visibleTo: Fixtures.code("京0101"))
        #expect(forDongcheng.events.isEmpty && forDongcheng.through == 1)
        let forSuperior = try r.replica.events(after: 0, visibleTo: Fixtures.code("京03"))
        #expect(forSuperior.events.map(\.id) == [mine.id])
    }

    @Test(
        "replicas that receive the same events in different orders hold identical matters",
        arguments: try TestSeed.table(1...25))
    func convergence(seed: UInt64) throws {
        let events = RandomHistory.events(seed: seed, steps: 20)
        var folded: [Matter?] = []
        for order in 0..<3 {
            let r = try TemporaryReplica(court: "最高法")
            defer { r.remove() }
            let delivery = RandomHistory.causalShuffle(events, seed: seed &* 1000 &+ UInt64(order))
            // Deliver in a few batches, as separate change sets would.
            var index = 0
            while index < delivery.count {
                let size = min(delivery.count - index, 1 + (index % 4))
                try r.receive(Array(delivery[index..<index + size]))
                index += size
            }
            folded.append(try r.replica.matter(events[0].matterID))
        }
        #expect(folded[0] != nil)
        #expect(folded.allSatisfy { $0 == folded[0] }, "seed \(seed)")
        #expect(folded[0] == MatterFold.fold(events, directory: Fixtures.directory))
    }

    @Test("the node's clock and its data survive closing and reopening")
    func reopen() throws {
        let r = try TemporaryReplica(court: "粤0106")
        defer { r.directory.remove() }
        // Dated half an hour after the receiving node's clock: within the allowed lead, so the clock follows it.
        let ahead = Fixtures.time("2026-11-24T09:30:00+08:00").milliseconds
        let create = Fixtures.create(at: HybridTimestamp(wall: ahead, counter: 4))
        try r.receive([create])
        try r.replica.close()
        let reopened = try Replica.open(at: r.directory.path(Replica.fileName).path)
        defer { try? reopened.close() }
        #expect(reopened.identity.court == Fixtures.code("粤0106"))
        #expect(reopened.directory.count == Fixtures.directory.count)
        #expect(try #require(try reopened.calendars()).current.isRestDay(Fixtures.date("2025-10-03")))
        let tick = try reopened.write { tx in tx.tick(now: Fixtures.time("2026-01-01T00:00:00Z")) }
        #expect(tick > create.timestamp)
        #expect(try reopened.matter(create.matterID)?.state == .sent)
    }

    @Test("a parent from another matter is refused and nothing is stored")
    func parentFromAnotherMatter() throws {
        let r = try TemporaryReplica()
        defer { r.remove() }
        let first = Fixtures.create(sequence: 1)
        let second = Fixtures.create(sequence: 2)
        let crossed = try Event(
            matterID: second.matterID, author: Fixtures.code("粤0106"), origin: Fixtures.node("粤0106.node"),
            timestamp: HybridTimestamp(wall: 1_795_100_000_000, counter: 0), parents: [first.id],
            action: .sign(note: "")
        ).testSigned()
        #expect { try r.receive([first, second, crossed]) } throws: { error in
            let error = error as! ReplicaError
            return error.code == .rejectedEvent && error.message.contains("another matter")
        }
        #expect(try r.replica.eventCount() == 0)
    }

    @Test("an event dated further ahead of this node's clock than allowed is refused and the clock stays put")
    func clockTooFarAhead() throws {
        let r = try TemporaryReplica()
        defer { r.remove() }
        let receivedAt = Fixtures.time("2026-11-24T09:00:00+08:00").milliseconds  // TemporaryReplica.receive
        let before = try r.replica.write { tx in tx.clock.last }
        let future = Fixtures.create(
            at: HybridTimestamp(wall: receivedAt + ReplicaTransaction.maxClockAhead + 1, counter: 0))
        #expect { try r.receive([future]) } throws: { error in
            let error = error as! ReplicaError
            return error.code == .clockAhead && error.message.contains("ahead of this node's clock")
        }
        #expect(try r.replica.eventCount() == 0)
        #expect(try r.replica.write { tx in tx.clock.last } == before)
        let edge = Fixtures.create(at: HybridTimestamp(wall: receivedAt + ReplicaTransaction.maxClockAhead, counter: 0))
        #expect(try r.receive([edge]).stored == 1)
    }

    @Test("thousands of concurrent acts on one matter are all stored and folded")
    func manyEventsOnOneMatter() throws {
        let r = try TemporaryReplica()
        defer { r.remove() }
        let create = Fixtures.create()
        let urges = (0..<3000).map { index in
            Fixtures.act(
                .urge(note: "第\(index)次催办"), by: "京0105", after: [create], at: 1_795_000_100_000 + Int64(index))
        }
        let report = try r.receive([create] + urges, visibleTo: Fixtures.code("粤0106"))
        #expect(report.stored == 3001)
        let matter = try #require(try r.replica.matter(create.matterID))
        #expect(matter.urgeCount == 3000)
        #expect(matter.heads.count == 3000)
        #expect(matter == MatterFold.fold([create] + urges.reversed(), directory: Fixtures.directory))
    }

    @Test("opening a missing or foreign file fails with a clear error")
    func openErrors() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect { try Replica.open(at: dir.path("none.sqlite").path) } throws: {
            ($0 as! ReplicaError).code == .notInitialised
        }
        let junk = dir.path("junk.sqlite")
        try Data("this is not a database".utf8).write(to: junk)
        #expect { try Replica.open(at: junk.path) } throws: { ($0 as! ReplicaError).code == .corrupt }
    }
}
