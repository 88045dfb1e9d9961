import Entrustment
import TestSupport
import Testing

@Suite("Dates, timestamps and the hybrid logical clock")
struct TimeTests {
    @Test(
        "RFC 3339 in any offset reads as the same instant and prints in CST",
        arguments: [
            ("2026-11-23T09:30:00+08:00", "2026-11-23T09:30:00+08:00"),
            ("2026-11-23T01:30:00Z", "2026-11-23T09:30:00+08:00"),
            ("2026-11-22T20:30:00-05:00", "2026-11-23T09:30:00+08:00"),
            ("2026-11-23 09:30:00.250+08:00", "2026-11-23T09:30:00.250+08:00"),
            ("2026-11-23T09:30:00.123456+08:00", "2026-11-23T09:30:00.123+08:00"),
            ("2024-02-29T23:59:59+08:00", "2024-02-29T23:59:59+08:00"),
            ("1970-01-01T00:00:00Z", "1970-01-01T08:00:00+08:00"),
            ("1999-03-04T05:06:07.008+08:00", "1999-03-04T05:06:07.008+08:00"),
            ("9999-12-31T23:59:59.999+08:00", "9999-12-31T23:59:59.999+08:00"),
        ])
    func rfc3339(input: String, printed: String) throws {
        let t = try Timestamp(rfc3339: input)
        #expect(t.rfc3339 == printed)
        #expect(try Timestamp(rfc3339: t.rfc3339) == t)
    }

    @Test(
        "malformed timestamps are refused",
        arguments: [
            "2026-11-23", "2026-11-23T09:30:00", "2026-11-23T25:00:00Z", "2026-02-30T09:00:00Z",
            "2026-11-23T09:30:00+8:00", "2026-11-23T09:30:00.Z", "2026-11-23T09:30:00Zjunk", "yesterday",
        ])
    func invalidTimestamp(input: String) {
        #expect(throws: DomainError.self) { try Timestamp(rfc3339: input) }
    }

    @Test("civil dates: day numbers, weekdays and strict parsing")
    func civilDates() throws {
        #expect(Fixtures.date("1970-01-01").daysSinceEpoch == 0)
        #expect(Fixtures.date("1970-01-01").isoWeekday == 4)
        #expect(Fixtures.date("2026-11-23").isoWeekday == 1)
        #expect(Fixtures.date("2024-02-28").adding(days: 1) == Fixtures.date("2024-02-29"))
        #expect(Fixtures.date("2025-02-28").adding(days: 1) == Fixtures.date("2025-03-01"))
        for days in stride(from: 0, to: 40_000, by: 37) {
            let date = CivilDate(daysSinceEpoch: days)
            #expect(date.daysSinceEpoch == days)
            #expect(try CivilDate(parsing: date.description) == date)
        }
        for bad in ["2026-13-01", "2026-1-1", "2026/11/23", "2025-02-29", "２０２６-11-23"] {
            #expect(throws: DomainError.self) { try CivilDate(parsing: bad) }
        }
    }

    @Test("the hybrid logical clock never goes backwards and orders after what it observed")
    func hybridClock() {
        var clock = HybridLogicalClock()
        let a = clock.tick(now: Timestamp(milliseconds: 1000))
        let b = clock.tick(now: Timestamp(milliseconds: 1000))
        let c = clock.tick(now: Timestamp(milliseconds: 900))
        #expect(a < b && b < c)
        #expect(c.wall == 1000)
        clock.observe(HybridTimestamp(wall: 5000, counter: 7), now: Timestamp(milliseconds: 1100))
        let d = clock.tick(now: Timestamp(milliseconds: 1200))
        #expect(d > HybridTimestamp(wall: 5000, counter: 7))
        let e = clock.tick(now: Timestamp(milliseconds: 6000))
        #expect(e == HybridTimestamp(wall: 6000, counter: 0))
    }

    @Test("an exhausted counter moves the clock to the next millisecond instead of wrapping")
    func exhaustedCounter() {
        let full = HybridTimestamp(wall: 7000, counter: .max)
        var observing = HybridLogicalClock()
        observing.observe(full, now: Timestamp(milliseconds: 1000))
        #expect(observing.last > full)
        var ticking = HybridLogicalClock(last: full)
        let next = ticking.tick(now: Timestamp(milliseconds: 7000))
        #expect(next > full && next.wall == 7001)
    }
}
