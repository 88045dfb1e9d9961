import Entrustment
import Foundation
import TestSupport
import Testing

/// The calendar as the hub publishes it: versioned, append-only, every earlier version rebuilt
/// exactly; deadlines computed the same way everywhere, provisional (暂定) past its last year.
@Suite("the published calendar and computed deadlines")
struct ReferenceCalendarTests {
    /// The shipped calendar (2024–2026), as the hub publishes it at init.
    static let shipped: ReferenceCalendar = {
        let data = try! Data(contentsOf: Fixtures.nodesFolder.appendingPathComponent("calendar.json"))
        let file = try! JSONDecoder().decode(HolidayCalendar.File.self, from: data)
        return try! ReferenceCalendar.first(
            from: file, deadlines: .standard, issuedAt: Fixtures.time("2026-12-01T09:00:00+08:00"))
    }()

    /// 2027 as a later notice would publish it (New Year's Day only, enough for the rules).
    static let year2027 = HolidayCalendar.File(years: [
        .init(
            year: 2027, status: "official", holidays: [.init(date: Fixtures.date("2027-01-01"), name: "元旦")],
            workdays: [])
    ])

    @Test(
        "the completion deadline is never lengthened to the signing deadline (documents:serve over the Spring Festival)"
    )
    func neverLengthened() throws {
        let calendars = try CalendarVersions(Self.shipped)
        let deadlines = try calendars.deadlines(
            for: .documentsServe, urgent: false, sentOn: Fixtures.date("2026-02-13"), version: 1)
        // Ten days from Fri 02-13 is 02-23, a holiday → Tue 02-24; three working days would end on
        // 02-25, after it: the signing deadline is the completion deadline.
        #expect(deadlines.due == Fixtures.date("2026-02-24"))
        #expect(deadlines.signDue == Fixtures.date("2026-02-24"))
        #expect(!deadlines.provisional)
    }

    @Test(
        "deadlines in a year the calendar does not cover are provisional (weekends only), and settle when it is published",
        arguments: [
            ("2026-11-02", false, "2026-12-02"), ("2026-12-02", true, "2027-01-01"), ("2026-12-28", true, "2027-01-27"),
        ])
    func provisional(sentOn: String, provisional: Bool, due: String) throws {
        let v1 = try CalendarVersions(Self.shipped)
        let first = try v1.deadlines(for: .depositFreeze, urgent: false, sentOn: Fixtures.date(sentOn), version: 1)
        #expect(first.provisional == provisional)
        #expect(first.due == Fixtures.date(due))
        let v2 = try CalendarVersions(
            Self.shipped.publishing(Self.year2027, issuedAt: Fixtures.time("2026-12-05T09:00:00+08:00")))
        // A create names version 1: checked against exactly that version, even where 2 holds more.
        #expect(
            try v2.deadlines(for: .depositFreeze, urgent: false, sentOn: Fixtures.date(sentOn), version: 1) == first)
        let settled = v2.settledDeadlines(for: .depositFreeze, urgent: false, sentOn: Fixtures.date(sentOn), version: 1)
        #expect(!settled.provisional)
        // 2027-01-01 is a holiday in version 2: a deadline that fell on it moves to the next working day.
        #expect(settled.due == (due == "2027-01-01" ? Fixtures.date("2027-01-04") : Fixtures.date(due)))
    }

    @Test("publishing adds years; a published year never changes; a provisional year is refused")
    func publishing() throws {
        let v2 = try Self.shipped.publishing(Self.year2027, issuedAt: Fixtures.time("2026-12-05T09:00:00+08:00"))
        #expect(v2.version == 2 && v2.years.map(\.year) == [2024, 2025, 2026, 2027])
        #expect(v2.years.last?.since == 2 && v2.years.first?.since == 1)
        #expect(throws: DomainError.self) { try v2.publishing(Self.year2027, issuedAt: .latest) }
        var changed = Self.year2027
        changed.years[0].holidays.append(.init(date: Fixtures.date("2027-01-02"), name: "假"))
        #expect { try v2.publishing(changed, issuedAt: .latest) } throws: {
            ($0 as? DomainError)?.message.contains("never changes") == true
        }
        var provisional = Self.year2027
        provisional.years[0].year = 2028
        provisional.years[0].holidays = [.init(date: Fixtures.date("2028-01-01"), name: "元旦")]
        provisional.years[0].status = "provisional"
        #expect(throws: DomainError.self) { try v2.publishing(provisional, issuedAt: .latest) }
        // Version 1 is rebuilt exactly from version 2: without 2027.
        #expect(try v2.holidays(at: 1).covers(2027) == false)
        #expect(try v2.holidays(at: 2).isRestDay(Fixtures.date("2027-01-01")))
    }

    @Test("a new grace applies from its version on; earlier versions keep theirs")
    func grace() throws {
        let v2 = try Self.shipped.withGrace(seconds: 3600, issuedAt: Fixtures.time("2026-12-05T09:00:00+08:00"))
        #expect(v2.rules(at: 1).lateReportGraceSeconds == 86_400)
        #expect(v2.rules(at: 2).lateReportGraceSeconds == 3600)
        #expect(try CalendarVersions(v2).graceMilliseconds == 3_600_000)
        #expect(throws: DomainError.self) {
            try Self.shipped.withGrace(seconds: 31 * 86_400, issuedAt: .latest)
        }
    }

    @Test("coverage: the calendar runs out at the end of its last year")
    func coverage() {
        #expect(Self.shipped.coverage(from: Fixtures.date("2026-12-02")) == Fixtures.date("2026-12-31"))
        #expect(Self.shipped.coverage(from: Fixtures.date("2024-03-01")) == Fixtures.date("2026-12-31"))
        #expect(Self.shipped.coverage(from: Fixtures.date("2027-01-02")) == nil)
    }

    @Test("a version a node does not hold is unknownCalendar; malformed documents are refused")
    func unknownAndMalformed() throws {
        let v1 = try CalendarVersions(Self.shipped)
        #expect {
            try v1.deadlines(for: .depositFreeze, urgent: false, sentOn: Fixtures.date("2026-12-01"), version: 2)
        } throws: { ($0 as? DomainError)?.code == .unknownCalendar }
        var bad = Self.shipped
        bad.years[0].since = 5
        #expect(throws: DomainError.self) { try bad.validate() }
        bad = Self.shipped
        bad.rules = []
        #expect(throws: DomainError.self) { try bad.validate() }
    }
}
