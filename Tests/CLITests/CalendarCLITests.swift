import Foundation
import TestSupport
import Testing

/// The hub's calendar through the CLI: provisional (暂定) deadlines past its last year, the
/// warning before it runs out, `hub calendar --import` publishing a year that every node installs
/// with the signed directory and that settles the deadlines; and free text at the CLI.
@Suite("calendar and free text at the CLI", .serialized)
struct CalendarCLITests {
    /// 2026 as the State Council's notice gives its New Year's Day.
    static let year2026 = """
        {"years": [{"year": 2026, "status": "official", "notice": "国务院办公厅关于2026年部分节假日安排的通知",
          "holidays": [{"date": "2026-01-01", "name": "元旦"}], "workdays": []}]}
        """

    @Test("a deadline past the calendar's last year is provisional, and settles when the hub publishes that year")
    func provisionalThenSettled() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let at = "2025-12-02T10:00:00+08:00"
        let calendar = try courts.json(["calendar", "--data-dir", courts.beijing], at: at)
        let status = try #require(calendar["status"] as? [String: Any])
        #expect(status["version"] as? Int == 1 && status["coversThrough"] as? String == "2025-12-31")
        #expect(status["daysLeft"] as? Int == 29 && (status["warning"] as? String)?.contains("2026") == true)
        #expect(try courts.run(["status", "--data-dir", courts.beijing], at: at).stdout.contains("⚠"))

        // Thirty days from 12-02 is Thu 2026-01-01: weekends only, as the calendar stops at 2025.
        let created = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执9号",
                "--to", "粤0106", "--kind",
                "deposit:freeze",
            ], at: at)
        let id = try #require(created["id"] as? String)
        #expect(created["dueDate"] as? String == "2026-01-01" && created["dueProvisional"] as? Bool == true)
        // Its sign deadline, three working days on (12-05), lies within 2025: settled already.
        #expect(created["signDueDate"] as? String == "2025-12-05" && created["signDueProvisional"] as? Bool == false)
        #expect(created["calendarVersion"] as? Int == 1)
        let shown = try courts.run(["matter", "show", "--data-dir", courts.beijing, id], at: at).stdout
        let lines = shown.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix("办理期限") && $0.contains("暂定") })
        #expect(lines.contains { $0.hasPrefix("签收期限") && !$0.contains("暂定") }, "\(shown)")

        // Hub staff publish 2026; 京0105 installs the new directory: the deadline settles.
        let file = courts.temp.path("2026.json")
        try Data(Self.year2026.utf8).write(to: file)
        let published = try courts.json(["hub", "calendar", "--data-dir", courts.hub, "--import", file.path], at: at)
        #expect(published["version"] as? Int == 2)
        let directory = courts.temp.path("directory-2.json").path
        _ = try courts.json(["hub", "directory", "--data-dir", courts.hub, "--out", directory], at: at)
        _ = try courts.json(["directory", "--data-dir", courts.beijing, "--import", directory], at: at)
        let settled = try #require(
            try courts.json(["matter", "show", "--data-dir", courts.beijing, id], at: at)["matter"] as? [String: Any])
        #expect(settled["dueDate"] as? String == "2026-01-02" && settled["dueProvisional"] as? Bool == false)
        #expect(settled["calendarVersion"] as? Int == 1)
        let now = try #require(
            try courts.json(["calendar", "--data-dir", courts.beijing], at: at)["status"] as? [String: Any])
        #expect(
            now["version"] as? Int == 2 && now["coversThrough"] as? String == "2026-12-31" && now["warning"] is NSNull)

        // A published year never changes; a year whose notice is not out is not published.
        let changed = courts.temp.path("changed.json")
        try Data(Self.year2026.replacingOccurrences(of: "01-01", with: "01-02").utf8).write(to: changed)
        let refused = try courts.run(["hub", "calendar", "--data-dir", courts.hub, "--import", changed.path], at: at)
        #expect(refused.status == 1 && refused.stderr.contains("never changes"))
        let provisional = courts.temp.path("2027.json")
        try Data(
            #"{"years": [{"year": 2027, "status": "provisional", "holidays": [], "workdays": []}]}"#.utf8
        ).write(to: provisional)
        let early = try courts.run(["hub", "calendar", "--data-dir", courts.hub, "--import", provisional.path], at: at)
        #expect(early.status == 1 && early.stderr.contains("official"))
        let grace = try courts.json(["hub", "calendar", "--data-dir", courts.hub, "--grace-hours", "48"], at: at)
        #expect(grace["version"] as? Int == 3)
    }

    @Test("control characters in free text are refused at the CLI; other unprintable text is escaped on screen")
    func freeText() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let at = "2025-09-26T10:00:00+08:00"
        let before = try courts.replicaBytes(courts.beijing)
        // (A NUL cannot travel in a command's arguments; the admission tests and the refused
        // vector `control-character` cover it.)
        for bad in ["\u{1B}]0;owned\u{7}冻结", "冻结\r覆盖", "\u{1B}[2J冻结"] {
            let result = try courts.run(
                [
                    "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执1号",
                    "--to", "粤0106",
                    "--kind", "deposit:freeze", "--note", bad,
                ], at: at)
            #expect(result.status == 1 && result.stderr.contains("control character"), "\(result.stderr)")
            #expect(!result.stderr.contains("\u{1B}"))
        }
        #expect(try courts.replicaBytes(courts.beijing) == before)
        // A right-to-left override is text, but shown escaped: it cannot reorder what the operator reads.
        let created = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执2号",
                "--to", "粤0106",
                "--kind", "deposit:freeze", "--note", "冻结\u{202E}户账",
            ], at: at)
        let id = try #require(created["id"] as? String)
        #expect(created["note"] as? String == "冻结\u{202E}户账")
        let shown = try courts.run(["matter", "show", "--data-dir", courts.beijing, id], at: at).stdout
        #expect(shown.contains("冻结\\u{202E}户账") && !shown.contains("\u{202E}"))

        // A note whose further lines imitate the fields (a forged 状态 and 办理期限): its lines are
        // indented under the value, so only the real fields start a line.
        let forged = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执3号",
                "--to", "粤0106",
                "--kind", "deposit:freeze", "--note", "请冻结\n状态        已办结（completed）\n办理期限    2099-12-31",
            ], at: at)
        let lines = try courts.run(
            ["matter", "show", "--data-dir", courts.beijing, try #require(forged["id"] as? String)], at: at
        ).stdout.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("状态 ") }.count == 1 && lines.filter { $0.hasPrefix("办理期限 ") }.count == 1)
        #expect(lines.contains { $0.hasPrefix(" ") && $0.contains("2099-12-31") })
    }
}
