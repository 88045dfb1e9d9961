import Entrustment
import Foundation
import TestSupport
import Testing

/// The worked examples of `docs/indicators.md` (honest time), computed with the shipped calendar
/// (`Nodes/calendar.json` as the hub publishes it, version 1): the document states what these
/// tests compute, so a change of rule that changes an example fails here.
@Suite("indicators: the worked examples of docs/indicators.md")
struct IndicatorExamplesTests {
    static let hour: Int64 = 3_600_000
    static let calendars: CalendarVersions = {
        let data = try! Data(contentsOf: Fixtures.nodesFolder.appendingPathComponent("calendar.json"))
        let file = try! JSONDecoder().decode(HolidayCalendar.File.self, from: data)
        return try! CalendarVersions(
            ReferenceCalendar.first(
                from: file, deadlines: .standard, issuedAt: Fixtures.time("2026-01-05T09:00:00+08:00")))
    }()
    static let hubKey = TestKeys.key(for: Fixtures.node("最高法.node"))

    static func ms(_ text: String) -> Int64 { Fixtures.time(text).milliseconds }

    /// 京0105 → 粤0106, 冻结存款, recorded at `sentAt`, with the deadlines the shipped calendar gives.
    static func create(recordedAt sentAt: String) -> Event {
        let at = Fixtures.time(sentAt)
        let deadlines = try! calendars.deadlines(for: .depositFreeze, urgent: false, sentOn: at.chinaDate, version: 1)
        let request = MatterRequest(
            caseNumber: CaseNumber(year: 2026, court: Fixtures.code("京0105"), type: .enforcement, sequence: 123),
            entrustedCourt: Fixtures.code("粤0106"), kind: .depositFreeze, signDue: deadlines.signDue,
            due: deadlines.due, calendarVersion: 1)
        return try! Event(
            matterID: MatterID(court: Fixtures.code("京0105"), year: 2026, sequence: 123),
            author: Fixtures.code("京0105"), origin: Fixtures.node("京0105.node"),
            timestamp: HybridTimestamp(wall: at.milliseconds, counter: 0), parents: [], action: .create(request))
    }

    static func stored(_ event: Event, at: String, downtimeHours: Int64 = 0) -> Witness {
        try! Witness(
            kind: .stored, event: event.id, matter: event.matterID, court: nil, at: Fixtures.time(at),
            hubDowntimeMilliseconds: downtimeHours * hour, graceMilliseconds: 24 * hour
        ).signed(with: hubKey)
    }

    static func count(_ events: [Event], _ witnesses: [Witness], accepted: [EventID: LateAcceptance] = [:]) throws
        -> CountedTimes
    {
        var (matter, acts) = try #require(MatterFold.foldWithActs(events, directory: Fixtures.directory))
        acts.acceptedLate = accepted
        return HonestTime.count(matter, acts: acts, events: events, witnesses: witnesses, calendars: calendars)
    }

    static let create = create(recordedAt: "2026-03-02T09:00:00+08:00")
    static let sign = Fixtures.act(
        .sign(note: "", receivedAt: Fixtures.time("2026-03-02T09:10:00+08:00")), by: "粤0106", after: [create],
        at: ms("2026-03-03T10:00:00+08:00"))
    static let complete = Fixtures.act(
        .complete(outcome: .full, feedback: "已冻结"), by: "粤0106", after: [sign], at: ms("2026-04-01T17:00:00+08:00"))
    static let prompt = [
        stored(create, at: "2026-03-02T09:00:01+08:00"), stored(sign, at: "2026-03-03T10:00:02+08:00"),
    ]

    @Test("the matter's deadlines: 签收期限 2026-03-05, 办理期限 2026-04-01")
    func deadlines() throws {
        let counted = try Self.count([Self.create], Self.prompt)
        #expect(counted.deadlines.signDue == Fixtures.date("2026-03-05"))
        #expect(counted.deadlines.due == Fixtures.date("2026-04-01"))
        #expect(counted.deadlines.dueAt == Fixtures.time("2026-04-02T00:00:00+08:00"))
        #expect(!counted.deadlines.provisional)
    }

    struct Completion: Sendable, CustomTestStringConvertible {
        var name: String
        var witnessedAt: String
        var downtimeHours: Int64 = 0
        var accepted = false
        var countsAt: String
        var onTime: Bool
        var lateDays: Double?
        var testDescription: String { name }
    }

    static let completions: [Completion] = [
        Completion(
            name: "A: witnessed two seconds later", witnessedAt: "2026-04-01T17:00:02+08:00",
            countsAt: "2026-04-01T17:00:00+08:00", onTime: true),
        Completion(
            name: "B: pushed 41 hours later, a late report", witnessedAt: "2026-04-03T10:00:00+08:00",
            countsAt: "2026-04-03T10:00:00+08:00", onTime: false, lateDays: 41.0 / 24),
        Completion(
            name: "C: B accepted by hub staff", witnessedAt: "2026-04-03T10:00:00+08:00", accepted: true,
            countsAt: "2026-04-01T17:00:00+08:00", onTime: true, lateDays: 41.0 / 24),
        Completion(
            name: "D: B with 22 hours of hub downtime", witnessedAt: "2026-04-03T10:00:00+08:00", downtimeHours: 22,
            countsAt: "2026-04-01T17:00:00+08:00", onTime: true),
    ]

    @Test("cases A–D: the completion counts at its recorded or its witnessed time", arguments: completions)
    func completion(_ c: Completion) throws {
        let witness = Self.stored(Self.complete, at: c.witnessedAt, downtimeHours: c.downtimeHours)
        let accepted =
            c.accepted
            ? [
                Self.complete.id: LateAcceptance(
                    event: Self.complete.id, at: Fixtures.time("2026-04-03T11:00:00+08:00"), note: "断网，纸质回执核实")
            ]
            : [:]
        let counted = try Self.count(
            [Self.create, Self.sign, Self.complete], Self.prompt + [witness], accepted: accepted)
        #expect(counted.completedAt == Fixtures.time(c.countsAt))
        #expect(counted.onTime == c.onTime)
        let late = counted.lateReports.first
        #expect((late != nil) == (c.lateDays != nil))
        if let late, let days = c.lateDays {
            #expect(abs(Double(late.delayMilliseconds) / 86_400_000 - days) < 1e-9)
            #expect(String(format: "%.2f", Double(late.delayMilliseconds) / 86_400_000) == "1.71")
        }
    }

    @Test("case F: a completion dated 2026-03-20 but pushed on 2026-04-10 counts on 04-10, not on time")
    func latePush() throws {
        let early = Fixtures.act(
            .complete(outcome: .full, feedback: ""), by: "粤0106", after: [Self.sign],
            at: Self.ms("2026-03-20T10:00:00+08:00"))
        let counted = try Self.count(
            [Self.create, Self.sign, early], Self.prompt + [Self.stored(early, at: "2026-04-10T09:00:00+08:00")])
        #expect(counted.completedAt == Fixtures.time("2026-04-10T09:00:00+08:00"))
        #expect(counted.onTime == false)
    }

    @Test("cases G and H: 收到时间 53 hours after the delivery counts at the delivery; 11 hours after, as reported")
    func received() throws {
        let delivery = try Witness(
            kind: .delivered, event: Self.create.id, matter: Self.create.matterID, court: Fixtures.code("粤0106"),
            at: Fixtures.time("2026-03-02T09:05:00+08:00"), hubDowntimeMilliseconds: 0,
            graceMilliseconds: 24 * Self.hour
        ).signed(with: Self.hubKey)
        for (reported, counts) in [
            ("2026-03-04T14:00:00+08:00", "2026-03-02T09:05:00+08:00"),
            ("2026-03-02T20:00:00+08:00", "2026-03-02T20:00:00+08:00"),
        ] {
            let sign = Fixtures.act(
                .sign(note: "", receivedAt: Fixtures.time(reported)), by: "粤0106", after: [Self.create],
                at: Self.ms("2026-03-04T15:00:00+08:00"))
            let counted = try Self.count(
                [Self.create, sign], [Self.prompt[0], delivery, Self.stored(sign, at: "2026-03-04T15:00:01+08:00")])
            #expect(counted.receivedAt == Fixtures.time(counts), "reported \(reported)")
        }
    }

    @Test("case I: a create recorded three days slow counts from the day the hub stored it, deadlines too")
    func slowSender() throws {
        let slow = Self.create(recordedAt: "2026-02-27T09:00:00+08:00")
        let counted = try Self.count([slow], [Self.stored(slow, at: "2026-03-02T09:00:00+08:00")])
        #expect(counted.sentAt == Fixtures.time("2026-03-02T09:00:00+08:00"))
        #expect(counted.deadlines.due == Fixtures.date("2026-04-01"))
        #expect(counted.deadlines.signDue == Fixtures.date("2026-03-05"))
        let request: MatterRequest? = if case .create(let request) = slow.action { request } else { nil }
        #expect(request?.due == Fixtures.date("2026-03-30"), "as the slow clock computed them")
        #expect(counted.lateReports.map(\.kind) == [.create])
    }

    @Test("provisional: a freeze sent 2026-12-02 is due 2027-01-01 (暂定) until 2027 is published")
    func provisional() throws {
        let sent = Fixtures.date("2026-12-02")
        let before = try Self.calendars.deadlines(for: .depositFreeze, urgent: false, sentOn: sent, version: 1)
        #expect(before.due == Fixtures.date("2027-01-01") && before.provisional)
        let year2027 = HolidayCalendar.File(years: [
            .init(
                year: 2027, status: "official",
                holidays: (1...3).map { .init(date: Fixtures.date("2027-01-0\($0)"), name: "元旦") }, workdays: [])
        ])
        let published = try CalendarVersions(
            Self.calendars.reference.publishing(year2027, issuedAt: Fixtures.time("2026-12-20T09:00:00+08:00")))
        let after = published.settledDeadlines(for: .depositFreeze, urgent: false, sentOn: sent, version: 1)
        #expect(after.due == Fixtures.date("2027-01-04") && !after.provisional)
    }
}
