import Foundation
import TestSupport
import Testing

/// 延期 and 同比 through the real CLI, with answers worked out by hand. Every act is carried to
/// the hub within a minute (so none is a late report), and between the courts when the other
/// needs it. The fixture calendar publishes 2025 (National Day Oct 1–8); 2024 counts weekends only.
///
/// 2024 (the year before), 京0105 → 粤0106, deposit freezes:
/// | P1 | sent 2024-09-02 | completed 09-05 (on time) |
/// | P2 | sent 2024-09-03 | completed 10-20 (outside the compared period) |
///
/// 2025, deposit freezes sent 09-01 … 09-05: every one's original deadline is 10-09 (30 days end
/// in the holiday, rolled to the first working day).
/// | matter | extension | end (at 2025-10-20) | original: on time / overdue | extended deadline | extended: on time / overdue |
/// |---|---|---|---|---|---|
/// | E1 | 10 days asked 09-20, approved by 京0105 | completed 10-15 | late | 10-09 + 10 = Sun 10-19 → Mon 10-20 | on time |
/// | E2 | until 10-15 asked 09-22, refused by the hub | completed 10-12 | late | — | late |
/// | E3 | — | completed 09-10 | on time | — | on time |
/// | E4 | asked 10-10, after the deadline: refused by the CLI | open | overdue | — | overdue |
/// | E5 | 20 days asked 10-08, approved by the hub | open | overdue | 10-29 | not overdue |
///
/// Period 2025-09-01 … 2025-10-19, compared with 2024-09-01 … 2024-10-19. For 粤0106:
/// 办结数 3, 期限内办结数 1 (1/3), 延期后 2 (2/3); 超期未办结 2, 延期后 1; 去年同期办结数 1 (P1, on
/// time: 100%), so 办结数 +2 (+200%) and 期限内办结率 −2/3. For 京0105: 事项委托数 5, 去年同期 2 (+3, +150%).
@Suite("extensions (延期) and 同比 through the CLI", .serialized)
struct ExtensionCLITests {
    static let asOf = "2025-10-20T09:00:00+08:00"

    static func history() throws -> (TwoCourts, [String: String]) {
        let courts = try TwoCourts()
        try courts.initialise(at: "2024-08-30T09:00:00+08:00")
        let (bj, gz, hub) = (courts.beijing, courts.guangzhou, courts.hub)
        var ids: [String: String] = [:]
        func later(_ at: String) -> String { at.replacingOccurrences(of: ":00:00+08:00", with: ":01:00+08:00") }
        func toHub(_ dir: String, at: String) throws {
            _ = try courts.carry(from: dir, to: hub, forCourt: "最高法", at: later(at))
        }
        func create(_ name: String, at: String, number: Int, year: Int) throws {
            let created = try courts.json(
                [
                    "matter", "create", "--documents-later", "--data-dir", bj, "--case", "（\(year)）京0105执\(number)号",
                    "--to", "粤0106", "--kind", "deposit:freeze",
                ], at: at)
            ids[name] = created["id"] as? String
            try toHub(bj, at: at)
        }
        func act(_ dir: String, _ verb: String, _ name: String, at: String, _ extra: [String] = []) throws {
            _ = try courts.json(["matter", verb, "--data-dir", dir, ids[name]!] + extra, at: at)
            if dir != hub { try toHub(dir, at: at) }
        }
        func carry(_ from: String, _ to: String, _ court: String, at: String) throws {
            _ = try courts.carry(from: from, to: to, forCourt: court, at: later(at))
        }
        try create("P1", at: "2024-09-02T09:00:00+08:00", number: 1, year: 2024)
        try create("P2", at: "2024-09-03T09:00:00+08:00", number: 2, year: 2024)
        try carry(bj, gz, "粤0106", at: "2024-09-03T09:00:00+08:00")
        try act(gz, "sign", "P1", at: "2024-09-03T10:00:00+08:00")
        try act(gz, "sign", "P2", at: "2024-09-03T11:00:00+08:00")
        try act(gz, "complete", "P1", at: "2024-09-05T10:00:00+08:00", ["--outcome", "full"])
        try act(gz, "complete", "P2", at: "2024-10-20T10:00:00+08:00", ["--outcome", "full"])

        for (index, name) in ["E1", "E2", "E3", "E4", "E5"].enumerated() {
            try create(name, at: "2025-09-0\(index + 1)T09:00:00+08:00", number: 10 + index, year: 2025)
        }
        try carry(bj, gz, "粤0106", at: "2025-09-05T10:00:00+08:00")
        for name in ["E1", "E2", "E3", "E4", "E5"] { try act(gz, "sign", name, at: "2025-09-05T11:00:00+08:00") }
        try act(gz, "complete", "E3", at: "2025-09-10T10:00:00+08:00", ["--outcome", "full"])

        try act(
            gz, "request-extension", "E1", at: "2025-09-20T10:00:00+08:00", ["--days", "10", "--reason", "拍卖程序尚未完成"])
        try carry(gz, bj, "京0105", at: "2025-09-20T11:00:00+08:00")
        let pending = try courts.json(
            ["matter", "list", "--data-dir", bj, "--pending-extension"], at: "2025-09-20T12:00:00+08:00")
        let listed = (pending["matters"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        guard listed == [ids["E1"]!] else {
            throw TwoCourts.Failure("pending extensions at 京0105: \(String(describing: listed))")
        }
        try act(bj, "decide-extension", "E1", at: "2025-09-21T10:00:00+08:00", ["--approve", "--note", "同意延期"])

        try act(
            gz, "request-extension", "E2", at: "2025-09-22T10:00:00+08:00",
            ["--until", "2025-10-15", "--reason", "第三人异议"])
        try act(hub, "decide-extension", "E2", at: "2025-09-23T10:00:00+08:00", ["--refuse", "--note", "理由不充分"])
        try act(gz, "request-extension", "E5", at: "2025-10-08T10:00:00+08:00", ["--days", "20", "--reason", "评估"])
        try act(hub, "decide-extension", "E5", at: "2025-10-08T12:00:00+08:00", ["--approve"])
        let late = try courts.run(
            ["matter", "request-extension", "--data-dir", gz, ids["E4"]!, "--days", "5", "--reason", "迟了"],
            at: "2025-10-10T10:00:00+08:00")
        guard late.status == 1, late.stderr.contains("passed before the request") else {
            throw TwoCourts.Failure("a request after the deadline was not refused: \(late.status) \(late.stderr)")
        }
        try carry(hub, gz, "粤0106", at: "2025-10-10T11:00:00+08:00")
        try act(gz, "complete", "E2", at: "2025-10-12T10:00:00+08:00", ["--outcome", "full"])
        try act(gz, "complete", "E1", at: "2025-10-15T10:00:00+08:00", ["--outcome", "partial"])
        try carry(hub, bj, "京0105", at: "2025-10-16T10:00:00+08:00")
        return (courts, ids)
    }

    /// What ``history()`` built, handed back from the queue it was built on.
    struct Built: @unchecked Sendable {
        let courts: TwoCourts
        let ids: [String: String]
    }

    /// Builds the history on a dispatch queue: its minute of blocking process runs must not hold
    /// one of the cooperative pool's few threads, which the async suites running beside it need.
    static func historyOffPool() async throws -> (TwoCourts, [String: String]) {
        let built = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Built, any Error>) in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result {
                        let (courts, ids) = try history(); return Built(courts: courts, ids: ids)
                    })
            }
        }
        return (built.courts, built.ids)
    }

    static func report(_ courts: TwoCourts, _ dir: String, _ arguments: [String]) throws -> [String: Any] {
        let result = try courts.run(["report", "--data-dir", dir, "--format", "json"] + arguments, at: asOf)
        guard result.status == 0 else { throw TwoCourts.Failure(result.stderr) }
        return result.json
    }

    static func rows(_ document: [String: Any]) -> [String: [String: Any]] {
        let rows = document["rows"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["key"] as! String, $0) })
    }

    static func close(_ value: Any?, _ expected: Double) -> Bool {
        guard let value = value as? Double else { return false }
        return abs(value - expected) < 1e-12
    }

    @Test("both variants, 同比, the overdue list and matter show agree with the answers worked out by hand")
    func knownAnswers() async throws {
        let (courts, ids) = try await Self.historyOffPool()
        defer { courts.remove() }
        let period = ["--from", "2025-09-01", "--to", "2025-10-19"]
        let report = try Self.report(courts, courts.hub, period + ["--compare", "previous-year"])
        #expect(report["comparedFrom"] as? String == "2024-09-01")
        #expect(report["comparedTo"] as? String == "2024-10-19")
        let rows = Self.rows(report)
        let gz = try #require(rows["粤0106"])
        #expect(gz["completed"] as? Int == 3)
        #expect(gz["completedOnTime"] as? Int == 1)
        #expect(gz["completedOnTimeExtended"] as? Int == 2)
        #expect(Self.close(gz["onTimeRate"], 1.0 / 3))
        #expect(Self.close(gz["onTimeRateExtended"], 2.0 / 3))
        #expect(gz["overdueOpen"] as? Int == 2)
        #expect(gz["overdueOpenExtended"] as? Int == 1)
        let gzYear = try #require(gz["yearOnYear"] as? [String: Any])
        #expect(gzYear["completed"] as? Int == 1)
        #expect(gzYear["completedChange"] as? Int == 2)
        #expect(Self.close(gzYear["completedGrowth"], 2))
        #expect(Self.close(gzYear["onTimeRate"], 1))
        #expect(Self.close(gzYear["onTimeRateChange"], 1.0 / 3 - 1))
        let bj = try #require(rows["京0105"])
        #expect(bj["sent"] as? Int == 5)
        let bjYear = try #require(bj["yearOnYear"] as? [String: Any])
        #expect(bjYear["sent"] as? Int == 2)
        #expect(bjYear["sentChange"] as? Int == 3)
        #expect(Self.close(bjYear["sentGrowth"], 1.5))
        let total = try #require(report["total"] as? [String: Any])
        #expect((total["yearOnYear"] as? [String: Any])?["sent"] as? Int == 2)

        // The same figures at the entrusted court's own node, which holds all of its matters.
        let atCourt = Self.rows(try Self.report(courts, courts.guangzhou, period + ["--compare", "previous-year"]))
        for key in [
            "completed", "completedOnTime", "completedOnTimeExtended", "onTimeRate", "onTimeRateExtended",
            "overdueOpen", "overdueOpenExtended",
        ] {
            #expect(
                (atCourt["粤0106"]?[key] as? NSNumber) == (gz[key] as? NSNumber), "\(key) at 粤0106 and at the hub")
        }

        // Without --compare, no 同比.
        let plain = Self.rows(try Self.report(courts, courts.hub, period))
        #expect(plain["粤0106"]?["yearOnYear"] is NSNull)

        let overdue = try courts.run(
            ["report", "overdue", "--data-dir", courts.hub, "--format", "json"], at: Self.asOf)
        let listed = try #require(overdue.json["matters"] as? [[String: Any]])
        #expect(Set(listed.compactMap { $0["id"] as? String }) == [ids["E4"]!, ids["E5"]!])
        let e5 = try #require(listed.first { $0["id"] as? String == ids["E5"] })
        #expect(e5["extendedDue"] as? String == "2025-10-29")
        #expect(e5["overdueExtended"] as? Bool == false)
        let e4 = try #require(listed.first { $0["id"] as? String == ids["E4"] })
        #expect(e4["extendedDue"] is NSNull)
        #expect(e4["overdueExtended"] as? Bool == true)

        for dir in [courts.hub, courts.guangzhou, courts.beijing] {
            let shown = try courts.json(["matter", "show", "--data-dir", dir, ids["E1"]!], at: Self.asOf)
            let e1 = try #require(shown["matter"] as? [String: Any])
            #expect(e1["dueDate"] as? String == "2025-10-09")
            #expect(e1["extendedDueDate"] as? String == "2025-10-20")
            #expect(e1["onTime"] as? Bool == false)
            #expect(e1["onTimeExtended"] as? Bool == true)
            let extensions = try #require(e1["extensions"] as? [[String: Any]])
            #expect(extensions.map { $0["status"] as? String } == ["approved"])
            #expect(extensions.first?["decidedBy"] as? String == "京0105")
            #expect(extensions.first?["days"] as? Int == 10)
        }
        let e2 = try #require(
            try courts.json(["matter", "show", "--data-dir", courts.guangzhou, ids["E2"]!], at: Self.asOf)["matter"]
                as? [String: Any])
        #expect((e2["extensions"] as? [[String: Any]])?.first?["status"] as? String == "refused")
        #expect((e2["extensions"] as? [[String: Any]])?.first?["days"] as? Int == 6)
        #expect(e2["extendedDueDate"] is NSNull)
    }

    @Test("bad arguments are refused with the reason and change nothing")
    func badArguments() async throws {
        let (courts, ids) = try await Self.historyOffPool()
        defer { courts.remove() }
        let before = try courts.replicaBytes(courts.guangzhou)
        let cases: [([String], String)] = [
            (
                ["matter", "request-extension", "--data-dir", courts.guangzhou, ids["E3"]!, "--reason", "x"],
                "either --days"
            ),
            (
                [
                    "matter", "request-extension", "--data-dir", courts.guangzhou, ids["E5"]!, "--days", "5",
                    "--reason", "x",
                ],
                "has had 1 extension"
            ),
            (
                ["matter", "decide-extension", "--data-dir", courts.guangzhou, ids["E5"]!, "--approve"],
                "no request for more time"
            ),
            (["matter", "decide-extension", "--data-dir", courts.beijing, ids["E5"]!], "either --approve or --refuse"),
            (["report", "--data-dir", courts.hub, "--compare", "previous-year"], "needs a period"),
        ]
        for (arguments, message) in cases {
            let result = try courts.run(arguments, at: Self.asOf)
            #expect(result.status != 0, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try courts.replicaBytes(courts.guangzhou) == before)
    }
}
