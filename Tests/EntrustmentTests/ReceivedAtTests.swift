import Entrustment
import TestSupport
import Testing

/// 收到时间: carried by the entrusted court's `sign` or `return` (`Protocol/changeset.md` §3).
@Suite("the arrival time carried by sign and return")
struct ReceivedAtTests {
    let sent = Fixtures.time("2026-03-02T09:00:00+08:00")

    func create() -> Event {
        Fixtures.create(at: HybridTimestamp(wall: sent.milliseconds, counter: 0))
    }

    func sign(after create: Event, at: String, receivedAt: Timestamp?) throws -> Event {
        try Event(
            matterID: create.matterID, author: Fixtures.code("粤0106"), origin: Fixtures.node("粤0106.node"),
            timestamp: HybridTimestamp(wall: Fixtures.time(at).milliseconds, counter: 0), parents: [create.id],
            action: .sign(note: "", receivedAt: receivedAt)
        ).testSigned()
    }

    @Test("present or absent, it round-trips; absent keeps the encoding events had before it")
    func roundTrip() throws {
        let c = create()
        let with = try sign(
            after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: Fixtures.time("2026-03-02T11:00:00+08:00"))
        let without = try sign(after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: nil)
        #expect(try Event(decoding: with.encoded).action == with.action)
        #expect(try Event(decoding: without.encoded).action == .sign(note: "", receivedAt: nil))
        #expect(with.encoded.count > without.encoded.count)
        #expect(Array(with.encoded.prefix(without.encoded.count)) == without.encoded)
    }

    @Test("a marker other than 1, or bytes after the time, are refused")
    func malformed() throws {
        let c = create()
        let with = try sign(
            after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: Fixtures.time("2026-03-02T11:00:00+08:00"))
        let without = try sign(after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: nil)
        for bytes in [without.encoded + [0], without.encoded + [2, 1], with.encoded + [0], without.encoded + [1]] {
            #expect(throws: DomainError.self) { try Event(decoding: bytes) }
        }
    }

    @Test("an arrival time outside 1970 … 9999 is refused when the event is made")
    func outOfRange() throws {
        let c = create()
        for ms in [Int64(-1), Timestamp.latest.milliseconds + 1] {
            #expect(throws: DomainError.self) {
                try sign(after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: Timestamp(milliseconds: ms))
            }
        }
    }

    @Test("admission refuses an arrival before the sending or after the act")
    func admission() throws {
        let c = create()
        let early = try sign(after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: sent.adding(milliseconds: -1))
        let late = try sign(
            after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: Fixtures.time("2026-03-03T10:00:01+08:00"))
        let fine = try sign(after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: sent)
        for event in [early, late] {
            #expect(throws: DomainError.self) {
                try Admission.check(event, history: [c], directory: Fixtures.directory, calendars: Fixtures.calendars)
            }
        }
        try Admission.check(fine, history: [c], directory: Fixtures.directory, calendars: Fixtures.calendars)
    }

    @Test("the fold takes the earliest arrival any sign or return reports")
    func fold() throws {
        let c = create()
        let sign = try sign(
            after: c, at: "2026-03-03T10:00:00+08:00", receivedAt: Fixtures.time("2026-03-02T11:00:00+08:00"))
        let other = Fixtures.act(
            .return(reason: .other, feedback: "", receivedAt: Fixtures.time("2026-03-02T10:30:00+08:00")), by: "粤0106",
            after: [c], at: Fixtures.time("2026-03-03T09:00:00+08:00").milliseconds, node: "粤0106.second")
        let matter = try #require(MatterFold.fold([c, sign, other], directory: Fixtures.directory))
        #expect(matter.receivedAt == Fixtures.time("2026-03-02T10:30:00+08:00"))
        let (unsigned, acts) = try #require(MatterFold.foldWithActs([c], directory: Fixtures.directory))
        #expect(unsigned.receivedAt == nil)
        let counted = HonestTime.count(
            unsigned, acts: acts, events: [c], witnesses: [], calendars: Fixtures.calendars)
        #expect(MatterTiming(unsigned, counted: counted).clockStart == sent)
    }
}
