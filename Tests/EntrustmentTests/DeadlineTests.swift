import Entrustment
import TestSupport
import Testing

/// Deadlines counted per Civil Procedure Law art. 85 on the fixture calendar (2025 National Day
/// holiday Oct 1–8 with adjusted working days Sun Sep 28 and Sat Oct 11; 2026-01-01 holiday).
@Suite("Deadlines (art. 85 counting)")
struct DeadlineTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var sentAt: String
        var kind: MatterKind
        var urgent: Bool
        var signDue: String
        var due: String
        var why: String
        var testDescription: String { "\(sentAt) \(kind.id)\(urgent ? " urgent" : ""): \(why)" }
    }

    static let cases: [Case] = [
        Case(
            sentAt: "2025-09-26T10:00:00+08:00", kind: .depositFreeze, urgent: false, signDue: "2025-09-30",
            due: "2025-10-27",
            why: "Fri; working days Sun 28 (调休), Mon 29, Tue 30; day 30 is Sun Oct 26 → Mon 27"),
        Case(
            sentAt: "2025-09-26T10:00:00+08:00", kind: .documentsServe, urgent: false, signDue: "2025-09-30",
            due: "2025-10-09", why: "day 10 is Oct 6, inside the holiday → first working day Thu Oct 9"),
        Case(
            sentAt: "2025-09-26T10:00:00+08:00", kind: .depositFreeze, urgent: true, signDue: "2025-09-28",
            due: "2025-09-29", why: "urgent: sign in 1 working day (the adjusted Sunday), complete in 3 days"),
        Case(
            sentAt: "2025-09-30T10:00:00+08:00", kind: .depositRenewFreeze, urgent: true, signDue: "2025-10-09",
            due: "2025-10-09", why: "urgent during the holiday: day 3 (Oct 3) rolls to Oct 9"),
        Case(
            sentAt: "2025-12-29T09:00:00+08:00", kind: .realEstateSeal, urgent: false, signDue: "2026-01-02",
            due: "2026-01-28", why: "Jan 1 is a holiday, not a working day"),
        Case(
            sentAt: "2026-11-18T09:00:00+08:00", kind: .documentsServe, urgent: false, signDue: "2026-11-23",
            due: "2026-11-30", why: "day 10 is Sat Nov 28 → Mon Nov 30; signing skips the weekend"),
        Case(
            sentAt: "2025-09-26T17:30:00Z", kind: .documentsServe, urgent: false, signDue: "2025-09-30",
            due: "2025-10-09", why: "17:30Z is Sat 01:30 CST: the start day is Sep 27"),
        Case(
            sentAt: "2025-09-26T15:59:59Z", kind: .assetsInvestigate, urgent: false, signDue: "2025-09-30",
            due: "2025-10-27", why: "15:59:59Z is still Fri in CST"),
    ]

    @Test("deadlines across weekends, holidays and adjusted working days", arguments: cases)
    func deadlines(_ c: Case) {
        let sentOn = Fixtures.time(c.sentAt).chinaDate
        let result = DeadlinePolicy.standard.deadlines(
            for: c.kind, urgent: c.urgent, sentOn: sentOn, calendar: Fixtures.calendar)
        #expect(result.signDue == Fixtures.date(c.signDue))
        #expect(result.due == Fixtures.date(c.due))
    }

    @Test("a deadline ends at 24:00 China Standard Time of its last day")
    func endOfDay() {
        let end = DeadlinePolicy.end(of: Fixtures.date("2025-10-09"))
        #expect(end == Fixtures.time("2025-10-10T00:00:00+08:00"))
        #expect(Fixtures.time("2025-10-09T23:59:59.999+08:00") < end)
    }

    @Test(
        "rest days: holidays, weekends unless adjusted to working days",
        arguments: [
            ("2025-10-01", true), ("2025-10-08", true), ("2025-10-09", false), ("2025-09-28", false),
            ("2025-10-11", false), ("2025-10-12", true), ("2025-09-27", true), ("2026-01-01", true),
            ("2026-01-02", false),
        ])
    func restDays(date: String, rest: Bool) {
        #expect(Fixtures.calendar.isRestDay(Fixtures.date(date)) == rest)
    }

    @Test("a calendar that contradicts itself is refused")
    func contradictoryCalendar() {
        let bad = HolidayCalendar.File(years: [
            .init(
                year: 2025, status: "official", holidays: [],
                workdays: [.init(date: Fixtures.date("2025-10-01"), name: "x")])
        ])
        #expect(throws: DomainError.self) { try HolidayCalendar(bad) }
    }
}
