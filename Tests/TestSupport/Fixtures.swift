import Entrustment
import Foundation

/// Shared fixtures: a small court directory, calendars, and builders for events.
public enum Fixtures {
    /// The repository's root folder (for `Nodes/` and `Protocol/`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `Nodes/` in the repository.
    public static var nodesFolder: URL { repositoryRoot.appendingPathComponent("Nodes") }

    /// `Protocol/vectors/` in the repository.
    public static var vectorsFolder: URL { repositoryRoot.appendingPathComponent("Protocol/vectors") }

    /// A code that is known to be valid.
    public static func code(_ text: String) -> CourtCode { try! CourtCode(text) }

    /// A small directory: the SPC, two high courts, their intermediate and basic courts.
    public static let directory: CourtDirectory = try! CourtDirectory([
        Court(code: .supreme, name: "最高人民法院", parent: nil),
        Court(code: code("京"), name: "北京市高级人民法院", parent: .supreme),
        Court(code: code("粤"), name: "广东省高级人民法院", parent: .supreme),
        Court(code: code("京03"), name: "北京市第三中级人民法院", parent: code("京")),
        Court(code: code("京02"), name: "北京市第二中级人民法院", parent: code("京")),
        Court(code: code("粤01"), name: "广东省广州市中级人民法院", parent: code("粤")),
        Court(code: code("京0105"), name: "北京市朝阳区人民法院", parent: code("京03")),
        Court(code: code("京0101"), name: "北京市东城区人民法院", parent: code("京02")),
        Court(code: code("粤0106"), name: "广州市天河区人民法院", parent: code("粤01")),
        Court(code: code("粤0104"), name: "广州市越秀区人民法院", parent: code("粤01")),
    ])

    /// A date that is known to be valid.
    public static func date(_ text: String) -> CivilDate { try! CivilDate(parsing: text) }

    /// An instant that is known to be valid.
    public static func time(_ text: String) -> Timestamp { try! Timestamp(rfc3339: text) }

    /// The 2025 National Day holiday (Oct 1–8) and its adjusted working days (Sep 28, Oct 11),
    /// per 国办发明电〔2024〕12号, plus New Year's Day 2026.
    public static let calendar: HolidayCalendar = try! HolidayCalendar(
        .init(years: [
            .init(
                year: 2025, status: "official",
                holidays: (1...8).map { .init(date: date("2025-10-0\($0)"), name: "国庆节、中秋节") },
                workdays: [
                    .init(date: date("2025-09-28"), name: "调休上班"), .init(date: date("2025-10-11"), name: "调休上班"),
                ]),
            .init(
                year: 2026, status: "official",
                holidays: [.init(date: date("2026-01-01"), name: "元旦")], workdays: []),
        ]))

    /// ``calendar`` as the hub publishes it: version 1, the standard deadline policy, the default grace.
    public static let referenceCalendar: ReferenceCalendar = try! ReferenceCalendar.first(
        from: calendar.file, deadlines: .standard, issuedAt: time("2026-11-01T09:00:00+08:00"))

    /// The versions of ``referenceCalendar``.
    public static let calendars: CalendarVersions = try! CalendarVersions(referenceCalendar)

    /// The deadlines version 1 of ``referenceCalendar`` gives a matter sent at `at`.
    public static func deadlines(_ kind: MatterKind = .depositFreeze, urgent: Bool = false, sentAt at: Timestamp)
        -> MatterDeadlines
    {
        try! calendars.deadlines(for: kind, urgent: urgent, sentOn: at.chinaDate, version: 1)
    }

    /// A node id that is known to be valid.
    public static func node(_ text: String) -> NodeID { try! NodeID(text) }

    /// A `create` from 京0105 to 粤0106, sent at `at`, with the deadlines calendar version 1 gives.
    public static func create(
        sequence: Int = 1, from: String = "京0105", to: String = "粤0106", kind: MatterKind = .depositFreeze,
        at: HybridTimestamp = HybridTimestamp(wall: 1_795_000_000_000, counter: 0), suite: SignatureSuite = .ed25519
    ) -> Event {
        let deadlines = deadlines(kind, sentAt: at.timestamp)
        let request = MatterRequest(
            caseNumber: CaseNumber(year: 2026, court: code(from), type: .enforcement, sequence: 100 + sequence),
            entrustedCourt: code(to), kind: kind, debtor: "某某公司", signDue: deadlines.signDue,
            due: deadlines.due, calendarVersion: 1)
        return try! Event(
            suite: suite, matterID: MatterID(court: code(from), year: 2026, sequence: sequence), author: code(from),
            origin: node("\(from).node"), timestamp: at, parents: [], action: .create(request)
        ).testSigned(suite: suite)
    }

    /// An act on the matter of `parent`, by `author`, on top of `parents`.
    public static func act(
        _ action: EventAction, by author: String, after parents: [Event], at wall: Int64, counter: UInt32 = 0,
        node origin: String? = nil, suite: SignatureSuite = .ed25519
    ) -> Event {
        try! Event(
            suite: suite, matterID: parents[0].matterID, author: code(author), origin: node(origin ?? "\(author).node"),
            timestamp: HybridTimestamp(wall: wall, counter: counter), parents: parents.map(\.id), action: action
        ).testSigned(suite: suite)
    }
}
