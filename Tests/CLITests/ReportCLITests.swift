import Foundation
import TestSupport
import Testing

/// The indicators on a hand-built history with answers worked out by hand (below), through the
/// real CLI: acts at set times (`COURTSYNC_NOW`), change files between the courts and to the hub,
/// and `courtsync report` at the hub. The courts work offline: everything reaches the hub on
/// 10-20, so each act is a late report (迟报) there, which hub staff accept after checking
/// (`hub accept-late`): the acts then count at their recorded times, as the table says.
///
/// The fixture calendar has the 2025 National Day holiday, Oct 1–8 (weekends are rest days too).
/// Default periods: complete within 30 calendar days (`documents:serve` 10), the last day rolled
/// forward past rest days; a deadline ends at 24:00 CST of its last day.
///
/// | matter | kind, sent | received at 粤0106 | signed | end | due (by hand) | on time | days (received → end) |
/// |---|---|---|---|---|---|---|---|
/// | M1 | freeze, Mon 09-01 09:00 | 09-01 11:00 | 09-02 09:00 | completed 10-08 10:00 | 10-01 is a holiday → 10-09 | yes | 36 d 23 h |
/// | M7 | freeze, 09-01 10:00 | 09-01 11:00 | 09-02 10:00 | open | 10-09 | — (overdue) | — |
/// | M4 | freeze, 09-03 09:00 | 09-03 12:00 | — | returned 09-04 10:00 | | | |
/// | M5 | freeze (M4 re-entrusted), 09-05 09:00 | 09-05 12:00 | 09-05 14:00 | completed 09-06 12:00 | 10-05 → 10-09 | yes | 1 d |
/// | M6 | freeze, 09-05 10:00 | 09-05 12:00 | 09-05 15:00 | withdrawn 09-07 10:00 | | | |
/// | M2 | serve, Wed 09-10 10:00 | 09-10 12:00 | 09-11 09:00 | completed 09-22 23:59:00 | Sat 09-20 → Mon 09-22 | yes (last minute) | 12 d 11 h 59 min |
/// | M3 | serve, 09-10 10:05 | 09-10 12:00 | 09-11 09:00 | completed 09-23 00:00:30 | 09-22 | no (30 s late) | 12 d 12 h 30 s |
/// | M8 | seize vehicle, 粤0106 → 京0105, 09-15 09:00 | 09-15 10:00 at 京0105 | 09-15 11:00 | completed 09-17 10:00 | 10-15 | yes | 2 d |
@Suite("courtsync report on a hand-built history", .serialized)
struct ReportCLITests {
    static let asOf = "2025-10-20T09:00:00+08:00"
    /// Completion days by hand, from the table.
    static let m1Days = 36 + 23.0 / 24
    static let m2Days = 12 + (11 * 60 + 59) / 1440.0
    static let m3Days = 12.5 + 30 / 86_400.0

    /// The acts of the history that count (a create and the acts that stand on each matter):
    /// 8 creates, 7 signs, 5 completions, 1 return, 1 withdrawal.
    static let acts = 22

    /// Builds the history; returns the courts (hub holding everything, every late report
    /// accepted) and the matter ids.
    static func history() throws -> (TwoCourts, [String: String]) {
        let courts = try TwoCourts()
        try courts.initialise()
        var ids: [String: String] = [:]
        func create(_ name: String, at: String, from: String, to: String, kind: String, case number: String) throws {
            let created = try courts.json(
                [
                    "matter", "create", "--documents-later", "--data-dir", from, "--case", number, "--to", to, "--kind",
                    kind,
                ], at: at)
            ids[name] = created["id"] as? String
        }
        func act(_ dir: String, _ verb: String, _ name: String, at: String, _ extra: [String] = []) throws {
            _ = try courts.json(["matter", verb, "--data-dir", dir, ids[name]!] + extra, at: at)
        }
        let bj = courts.beijing
        let gz = courts.guangzhou
        try create(
            "M1", at: "2025-09-01T09:00:00+08:00", from: bj, to: "粤0106", kind: "deposit:freeze", case: "（2025）京0105执1号"
        )
        try create(
            "M7", at: "2025-09-01T10:00:00+08:00", from: bj, to: "粤0106", kind: "deposit:freeze", case: "（2025）京0105执7号"
        )
        _ = try courts.carry(from: bj, to: gz, forCourt: "粤0106", at: "2025-09-01T11:00:00+08:00")
        try act(gz, "sign", "M1", at: "2025-09-02T09:00:00+08:00")
        try act(gz, "sign", "M7", at: "2025-09-02T10:00:00+08:00")
        try create(
            "M4", at: "2025-09-03T09:00:00+08:00", from: bj, to: "粤0106", kind: "deposit:freeze", case: "（2025）京0105执4号"
        )
        _ = try courts.carry(from: bj, to: gz, forCourt: "粤0106", at: "2025-09-03T12:00:00+08:00")
        try act(gz, "return", "M4", at: "2025-09-04T10:00:00+08:00", ["--reason", "documentsIncomplete"])
        try create(
            "M5", at: "2025-09-05T09:00:00+08:00", from: bj, to: "粤0106", kind: "deposit:freeze", case: "（2025）京0105执4号"
        )
        try create(
            "M6", at: "2025-09-05T10:00:00+08:00", from: bj, to: "粤0106", kind: "deposit:freeze", case: "（2025）京0105执6号"
        )
        _ = try courts.carry(from: bj, to: gz, forCourt: "粤0106", at: "2025-09-05T12:00:00+08:00")
        try act(gz, "sign", "M5", at: "2025-09-05T14:00:00+08:00")
        try act(gz, "sign", "M6", at: "2025-09-05T15:00:00+08:00")
        try act(gz, "complete", "M5", at: "2025-09-06T12:00:00+08:00", ["--outcome", "full"])
        _ = try courts.carry(from: gz, to: bj, forCourt: "京0105", at: "2025-09-06T13:00:00+08:00")
        try act(bj, "withdraw", "M6", at: "2025-09-07T10:00:00+08:00")
        try create(
            "M2", at: "2025-09-10T10:00:00+08:00", from: bj, to: "粤0106", kind: "documents:serve",
            case: "（2025）京0105执2号")
        try create(
            "M3", at: "2025-09-10T10:05:00+08:00", from: bj, to: "粤0106", kind: "documents:serve",
            case: "（2025）京0105执3号")
        _ = try courts.carry(from: bj, to: gz, forCourt: "粤0106", at: "2025-09-10T12:00:00+08:00")
        try act(gz, "sign", "M2", at: "2025-09-11T09:00:00+08:00")
        try act(gz, "sign", "M3", at: "2025-09-11T09:00:00+08:00")
        try create(
            "M8", at: "2025-09-15T09:00:00+08:00", from: gz, to: "京0105", kind: "vehicle:seize", case: "（2025）粤0106执8号")
        _ = try courts.carry(from: gz, to: bj, forCourt: "京0105", at: "2025-09-15T10:00:00+08:00")
        try act(bj, "sign", "M8", at: "2025-09-15T11:00:00+08:00")
        try act(bj, "complete", "M8", at: "2025-09-17T10:00:00+08:00", ["--outcome", "full"])
        try act(gz, "complete", "M2", at: "2025-09-22T23:59:00+08:00", ["--outcome", "full"])
        try act(gz, "complete", "M3", at: "2025-09-23T00:00:30+08:00", ["--outcome", "partial"])
        try act(gz, "complete", "M1", at: "2025-10-08T10:00:00+08:00", ["--outcome", "full"])
        for dir in [bj, gz] {
            _ = try courts.carry(from: dir, to: courts.hub, forCourt: "最高法", at: "2025-10-20T08:00:00+08:00")
        }
        let late = try Self.lateReports(courts)
        guard late.count == acts, late.allSatisfy({ $0["witnessedAt"] as? String == "2025-10-20T08:00:00+08:00" })
        else {
            throw TwoCourts.Failure("expected \(acts) late reports witnessed at 10-20 08:00, got \(late)")
        }
        for report in late {
            _ = try courts.json(
                ["hub", "accept-late", "--data-dir", courts.hub, report["event"] as! String, "--note", "离线介质报送，已核实"],
                at: asOf)
        }
        return (courts, ids)
    }

    /// `courtsync report late` at the hub, as JSON.
    static func lateReports(_ courts: TwoCourts, open: Bool = false) throws -> [[String: Any]] {
        let result = try courts.run(
            ["report", "late", "--data-dir", courts.hub, "--format", "json"] + (open ? ["--open"] : []), at: asOf)
        guard result.status == 0 else { throw TwoCourts.Failure(result.stderr) }
        return result.json["reports"] as? [[String: Any]] ?? []
    }

    static func report(_ courts: TwoCourts, _ arguments: [String] = []) throws -> [String: Any] {
        let result = try courts.run(
            ["report", "--data-dir", courts.hub, "--format", "json"] + arguments, at: asOf)
        guard result.status == 0 else { throw TwoCourts.Failure(result.stderr) }
        return result.json
    }

    static func rows(_ document: [String: Any]) -> [String: [String: Any]] {
        let rows = document["rows"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as! String, $0) })
    }

    @Test("by court: counts, rates, days and overdue equal the answers worked out by hand")
    func byCourt() throws {
        let (courts, ids) = try Self.history()
        defer { courts.remove() }
        #expect(try Self.lateReports(courts).count == Self.acts)
        #expect(try Self.lateReports(courts, open: true).isEmpty)
        let shown = try courts.json(["matter", "show", "--data-dir", courts.hub, ids["M2"]!], at: Self.asOf)
        let m2 = try #require(shown["matter"] as? [String: Any])
        #expect(m2["dueDate"] as? String == "2025-09-22")
        #expect(m2["receivedAt"] as? String == "2025-09-10T12:00:00+08:00")
        let m1 = try #require(
            try courts.json(["matter", "show", "--data-dir", courts.hub, ids["M1"]!], at: Self.asOf)["matter"]
                as? [String: Any])
        #expect(m1["dueDate"] as? String == "2025-10-09")

        let report = try Self.report(courts)
        let rows = Self.rows(report)
        let gz = try #require(rows["粤0106"])
        #expect(gz["label"] as? String == "广州市天河区人民法院")
        #expect(gz["sent"] as? Int == 1)
        #expect(gz["received"] as? Int == 7)
        #expect(gz["completed"] as? Int == 4)
        #expect(gz["returned"] as? Int == 1)
        #expect(gz["withdrawn"] as? Int == 0)  // M6 was withdrawn by 京0105: counted there
        #expect(gz["completedOnTime"] as? Int == 3)
        #expect(gz["completionRate"] as? Double == 0.8)
        #expect(gz["returnRate"] as? Double == 0.2)
        #expect(gz["onTimeRate"] as? Double == 0.75)
        let days = [Self.m1Days, Self.m2Days, Self.m3Days, 1.0]
        #expect(abs((gz["meanDays"] as? Double ?? 0) - days.reduce(0, +) / 4) < 1e-9)
        #expect(abs((gz["medianDays"] as? Double ?? 0) - (Self.m2Days + Self.m3Days) / 2) < 1e-9)
        #expect(abs((gz["p90Days"] as? Double ?? 0) - Self.m1Days) < 1e-9)
        #expect(gz["overdueOpen"] as? Int == 1)
        // Sign lags of M1, M7, M5, M6, M2, M3 (sent → signed): 24 h, 24 h, 5 h, 5 h, 23 h, 22 h 55 min.
        let lags = [24.0, 24, 5, 5, 23, 22 + 55 / 60.0].map { $0 / 24 }
        #expect(abs((gz["meanSignLagDays"] as? Double ?? 0) - lags.reduce(0, +) / 6) < 1e-9)

        let bj = try #require(rows["京0105"])
        #expect(bj["sent"] as? Int == 7)
        #expect(bj["withdrawn"] as? Int == 1)
        #expect(bj["received"] as? Int == 1)
        #expect(bj["completed"] as? Int == 1)
        #expect(bj["onTimeRate"] as? Double == 1)
        #expect(bj["meanDays"] as? Double == 2)
        #expect(bj["overdueOpen"] as? Int == 0)
        #expect(bj["returnRate"] as? Double == 0)

        let total = try #require(report["total"] as? [String: Any])
        #expect(total["sent"] as? Int == 8)
        #expect(total["completed"] as? Int == 5)
        #expect(total["completedOnTime"] as? Int == 4)
        #expect(total["onTimeRate"] as? Double == 0.8)
        #expect(abs((total["completionRate"] as? Double ?? 0) - 5.0 / 6) < 1e-12)

        let overdue =
            try courts.run(
                ["report", "overdue", "--data-dir", courts.hub, "--format", "json"], at: Self.asOf
            ).json["matters"] as? [[String: Any]]
        #expect(overdue?.map { $0["id"] as? String } == [ids["M7"]])
        // Due 2025-10-09 ends 10-10 00:00; at 10-20 09:00 that is 10 d 9 h.
        #expect(abs((overdue?.first?["daysOverdue"] as? Double ?? 0) - 10.375) < 1e-9)
    }

    @Test("periods, months, pairs and kinds; the table and CSV show the same figures")
    func slicesAndFormats() throws {
        let (courts, _) = try Self.history()
        defer { courts.remove() }
        // October: only M1 was completed (on time); nothing was sent; M7 is still overdue.
        let october = Self.rows(try Self.report(courts, ["--from", "2025-10-01", "--to", "2025-10-31"]))
        let gz = try #require(october["粤0106"])
        #expect(gz["completed"] as? Int == 1)
        #expect(gz["onTimeRate"] as? Double == 1)
        #expect(gz["received"] as? Int == 0)
        #expect(gz["overdueOpen"] as? Int == 1)
        #expect(abs((gz["meanDays"] as? Double ?? 0) - Self.m1Days) < 1e-9)
        // Open-ended periods reach the end of the calendar: the same completions as no period.
        for bounds in [
            ["--from", "2025-09-01"], ["--to", "9999-12-31"], ["--from", "2025-01-01", "--to", "9999-12-31"],
        ] {
            let open = Self.rows(try Self.report(courts, bounds))
            #expect(open["粤0106"]?["completed"] as? Int == 4, "\(bounds)")
            #expect(open["粤0106"]?["returned"] as? Int == 1, "\(bounds)")
        }
        // 09-23 00:00:30 falls in the 23rd, not the 22nd: a period ending 09-22 sees M2 but not M3.
        let toThe22nd = Self.rows(try Self.report(courts, ["--from", "2025-09-22", "--to", "2025-09-22"]))
        #expect(toThe22nd["粤0106"]?["completed"] as? Int == 1)
        #expect(toThe22nd["粤0106"]?["onTimeRate"] as? Double == 1)

        let months = Self.rows(try Self.report(courts, ["--by", "month"]))
        #expect(months["2025-09"]?["sent"] as? Int == 8)
        #expect(months["2025-09"]?["completed"] as? Int == 4)
        #expect(months["2025-09"]?["onTimeRate"] as? Double == 0.75)
        #expect(months["2025-10"]?["completed"] as? Int == 1)
        #expect(months["2025-10"]?["overdueOpen"] as? Int == 1)

        let pairs = Self.rows(try Self.report(courts, ["--by", "pair"]))
        #expect(pairs["京→粤"]?["label"] as? String == "北京→广东")
        #expect(pairs["京→粤"]?["sent"] as? Int == 7)
        #expect(pairs["粤→京"]?["completed"] as? Int == 1)
        let kinds = Self.rows(try Self.report(courts, ["--by", "kind"]))
        #expect(kinds["documents:serve"]?["completed"] as? Int == 2)
        #expect(kinds["documents:serve"]?["onTimeRate"] as? Double == 0.5)
        let levels = Self.rows(try Self.report(courts, ["--by", "level"]))
        #expect(levels["basic"]?["label"] as? String == "基层法院")
        #expect(levels["basic"]?["sent"] as? Int == 8)

        let table = try courts.run(["report", "--data-dir", courts.hub], at: Self.asOf).stdout
        #expect(table.contains("期限内办结率"))
        let gzLine = try #require(table.split(separator: "\n").first { $0.hasPrefix("粤0106") })
        #expect(gzLine.contains("75.00%") && gzLine.contains("80.00%") && gzLine.contains("20.00%"))

        let csv = try courts.run(["report", "--data-dir", courts.hub, "--format", "csv"], at: Self.asOf)
        #expect(csv.stdout.unicodeScalars.first == "\u{FEFF}")
        let lines = csv.stdout.components(separatedBy: "\r\n")
        #expect(lines[0].contains("期限内办结率"))
        let gzCSV = try #require(lines.first { $0.hasPrefix("粤0106,") }).split(
            separator: ",", omittingEmptySubsequences: false)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let column = try #require(header.firstIndex(of: "期限内办结率"))
        #expect(gzCSV[column] == "0.75")
    }

    @Test("bad report arguments are refused with the reason")
    func badArguments() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        for (arguments, message) in [
            (["--from", "2025-13-01"], "--from 2025-13-01"),
            (["--from", "2025-10-02", "--to", "2025-10-01"], "before --from"),
            (["--by", "planet"], "planet"),
        ] {
            let result = try courts.run(["report", "--data-dir", courts.hub] + arguments, at: Self.asOf)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}

@Suite("deadlines follow the recorded sending")
struct SendingClockTests {
    @Test("a node whose clock reading is ahead of the wall clock counts the deadlines from the day it records")
    func deadlinesFromTheRecordedDay() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        // 京0105 acts on 09-26; then its wall clock says 08-01. Its clock reading never goes back,
        // so the new matter is recorded on 09-26, and its deadlines must count from 09-26 too.
        _ = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执1号",
                "--to", "粤0106",
                "--kind", "deposit:freeze",
            ], at: "2025-09-26T10:00:00+08:00")
        let created = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执2号",
                "--to", "粤0106",
                "--kind", "deposit:freeze",
            ], at: "2025-08-01T10:00:00+08:00")
        #expect((created["sentAt"] as? String)?.hasPrefix("2025-09-26") == true, "\(created)")
        // 09-26 + 30 = 10-26, a Sunday → 10-27; 3 working days after Fri 09-26 → Tue 09-30.
        #expect(created["dueDate"] as? String == "2025-10-27")
        #expect(created["signDueDate"] as? String == "2025-09-30")
    }
}
