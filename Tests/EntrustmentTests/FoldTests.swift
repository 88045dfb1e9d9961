import Entrustment
import TestSupport
import Testing

@Suite("The fold")
struct FoldTests {
    @Test("a matter's whole life folds into the expected state and times")
    func life() throws {
        let create = Fixtures.create()
        let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_100_000_000)
        let complete = Fixtures.act(
            .complete(outcome: .full, feedback: "已冻结"), by: "粤0106", after: [sign], at: 1_795_200_000_000)
        let close = Fixtures.act(.close(note: ""), by: "京0105", after: [complete], at: 1_795_300_000_000)
        let (matter, acts) = try #require(
            MatterFold.foldWithActs([close, sign, create, complete], directory: Fixtures.directory))
        #expect(matter.state == .closed)
        #expect(matter.signedAt == Timestamp(milliseconds: 1_795_100_000_000))
        #expect(matter.completedAt == Timestamp(milliseconds: 1_795_200_000_000))
        #expect(matter.outcome == .full)
        #expect(
            HonestTime.count(
                matter, acts: acts, events: [close, sign, create, complete], witnesses: [], calendars: nil
            ).onTime
                == true)
        #expect(matter.heads == [close.id])
        #expect(matter.eventCount == 4)
        #expect(matter.superseded.isEmpty)
    }

    @Test("a withdrawal concurrent with a completion is superseded, and both stay heads")
    func concurrentWithdrawal() throws {
        let create = Fixtures.create()
        let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_100_000_000)
        let complete = Fixtures.act(
            .complete(outcome: .full, feedback: ""), by: "粤0106", after: [sign], at: 1_795_200_000_000)
        let withdraw = Fixtures.act(.withdraw(note: ""), by: "京0105", after: [sign], at: 1_795_200_000_500)
        let matter = try #require(MatterFold.fold([create, sign, withdraw, complete], directory: Fixtures.directory))
        #expect(matter.state == .completed)
        #expect(matter.superseded == [withdraw.id])
        #expect(Set(matter.heads) == [complete.id, withdraw.id])
    }

    @Test("an event by a court with no role is ignored by the fold")
    func outsiderIgnored() throws {
        let create = Fixtures.create()
        let forged = Fixtures.act(.sign(note: ""), by: "京0101", after: [create], at: 1_795_100_000_000)
        let matter = try #require(MatterFold.fold([create, forged], directory: Fixtures.directory))
        #expect(matter.state == .sent)
        #expect(matter.superseded.isEmpty)
    }

    @Test("the fold depends only on the set of events, never on their order", arguments: try TestSeed.table(1...60))
    func orderIndependence(seed: UInt64) {
        let events = RandomHistory.events(seed: seed)
        let reference = MatterFold.fold(events, directory: Fixtures.directory)
        #expect(reference != nil)
        var rng = SeededGenerator(seed: seed &* UInt64(31))
        for _ in 0..<8 {
            let shuffled = events.shuffled(using: &rng)
            #expect(MatterFold.fold(shuffled, directory: Fixtures.directory) == reference, "seed \(seed)")
        }
    }
}
