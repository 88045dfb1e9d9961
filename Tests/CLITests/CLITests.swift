import Foundation
import TestSupport
import Testing

@Suite("courtsync CLI across two courts", .serialized)
struct CLITests {
    @Test("a matter's whole life between 京0105 and 粤0106 through change files")
    func wholeLife() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let created = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "(2025)京0105执123号",
                "--to", "粤0106",
                "--kind", "deposit:freeze", "--debtor", "广州某贸易有限公司", "--applicant", "某银行", "--debtor-id",
                "91440101MA5C1234XY",
            ], at: "2025-09-26T10:00:00+08:00")
        let id = try #require(created["id"] as? String)
        #expect(created["debtorId"] as? String == "91440101MA5C1234XY")
        let masked = try courts.run(
            ["matter", "show", "--data-dir", courts.beijing, id], at: "2025-09-26T10:00:00+08:00")
        #expect(masked.stdout.contains("（914401********34XY）") && !masked.stdout.contains("91440101MA5C1234XY"))
        #expect(created["state"] as? String == "sent")
        #expect(created["caseNumber"] as? String == "（2025）京0105执123号")
        #expect(created["signDueDate"] as? String == "2025-09-30")
        #expect(created["dueDate"] as? String == "2025-10-27")
        #expect(created["completedAt"] is NSNull)

        let toGuangzhou = try courts.carry(
            from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: "2025-09-26T11:00:00+08:00")
        #expect(toGuangzhou["stored"] as? Int == 1)
        let signed = try courts.json(
            ["matter", "sign", "--data-dir", courts.guangzhou, id], at: "2025-09-29T09:00:00+08:00")
        #expect(signed["state"] as? String == "signed")
        #expect(signed["signedOnTime"] as? Bool == true)
        let completed = try courts.json(
            ["matter", "complete", "--data-dir", courts.guangzhou, id, "--outcome", "full", "--feedback", "已冻结 10 万元"],
            at: "2025-10-09T16:00:00+08:00")
        #expect(completed["state"] as? String == "completed")

        let back = try courts.carry(
            from: courts.guangzhou, to: courts.beijing, forCourt: "京0105", at: "2025-10-09T17:00:00+08:00")
        #expect(back["stored"] as? Int == 2)
        #expect(back["duplicates"] as? Int == 1)
        let shown = try courts.json(
            ["matter", "show", "--data-dir", courts.beijing, id], at: "2025-10-10T09:00:00+08:00")
        let matter = try #require(shown["matter"] as? [String: Any])
        #expect(matter["state"] as? String == "completed")
        #expect(matter["completedAt"] as? String == "2025-10-09T16:00:00+08:00")
        #expect(matter["onTime"] as? Bool == true)
        #expect(matter["outcome"] as? String == "full")
        #expect((shown["events"] as? [Any])?.count == 3)

        let closed = try courts.json(
            ["matter", "close", "--data-dir", courts.beijing, id], at: "2025-10-10T09:05:00+08:00")
        #expect(closed["state"] as? String == "closed")
    }

    @Test("every refusal exits non-zero with one line naming the problem and leaves replica.sqlite unchanged")
    func refusals() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let now = "2025-09-26T10:00:00+08:00"
        let created = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执1号",
                "--to", "粤0106", "--kind",
                "vehicle:seize",
            ],
            at: now)
        let id = try #require(created["id"] as? String)
        let good = courts.temp.path("good.csync").path
        _ = try courts.json(["export", "--data-dir", courts.beijing, "--out", good], at: now)
        let goodBytes = try Data(contentsOf: URL(fileURLWithPath: good))
        func write(_ name: String, _ bytes: Data) throws -> String {
            let url = courts.temp.path(name)
            try bytes.write(to: url)
            return url.path
        }
        var flipped = goodBytes
        flipped[flipped.count - 5] ^= 0x10
        let garbage = try write("garbage.csync", Data("这不是变更文件 not a change file".utf8))
        let truncated = try write("truncated.csync", goodBytes.prefix(goodBytes.count - 9))
        let bitFlipped = try write("flipped.csync", flipped)
        let empty = try write("empty.csync", Data())
        let endless = courts.temp.path("endless.csync").path
        try FileManager.default.createSymbolicLink(atPath: endless, withDestinationPath: "/dev/zero")

        let create = ["matter", "create", "--documents-later", "--data-dir", courts.beijing]
        let cases: [(args: [String], dir: String, expect: String)] = [
            (
                create + ["--case", "（2025）京0105民初1号", "--to", "粤0106", "--kind", "deposit:freeze"], courts.beijing,
                "case-type code"
            ),
            (
                create + ["--case", "2025京0105执1号", "--to", "粤0106", "--kind", "deposit:freeze"], courts.beijing,
                "invalid case number"
            ),
            (
                create + ["--case", "（2025）京0105执2号", "--to", "粤9999", "--kind", "deposit:freeze"], courts.beijing,
                "unknown court 粤9999"
            ),
            (
                create + ["--case", "（2025）京0105执2号", "--to", "广州", "--kind", "deposit:freeze"], courts.beijing,
                "invalid court code"
            ),
            (
                create + ["--case", "（2025）京0105执2号", "--to", "粤0106", "--kind", "deposit:melt"], courts.beijing,
                "unknown matter kind"
            ),
            (
                create + ["--case", "（2025）京0105执2号", "--to", "京0105", "--kind", "deposit:freeze"], courts.beijing,
                "itself"
            ),
            (
                create + [
                    "--case", "（2025）京0105执2号", "--to", "粤0106", "--kind", "deposit:freeze", "--expires", "2025-02-30",
                ], courts.beijing, "invalid date"
            ),
            (["matter", "complete", "--data-dir", courts.beijing, id, "--outcome", "full"], courts.beijing, "受托法院"),
            (["matter", "sign", "--data-dir", courts.beijing, id], courts.beijing, "受托法院"),
            (["matter", "close", "--data-dir", courts.beijing, id], courts.beijing, "cannot close"),
            (["matter", "sign", "--data-dir", courts.beijing, "京0105-2025-000099"], courts.beijing, "unknown matter"),
            (["matter", "sign", "--data-dir", courts.beijing, "no-such-id"], courts.beijing, "invalid matter id"),
            (["import", "--data-dir", courts.guangzhou, garbage], courts.guangzhou, "not a change set"),
            (["import", "--data-dir", courts.guangzhou, truncated], courts.guangzhou, "cut short"),
            (["import", "--data-dir", courts.guangzhou, bitFlipped], courts.guangzhou, "checksum"),
            (["import", "--data-dir", courts.guangzhou, empty], courts.guangzhou, "not a change set"),
            (["import", "--data-dir", courts.guangzhou, endless], courts.guangzhou, "not a regular file"),
            (["import", "--data-dir", courts.guangzhou, courts.temp.url.path], courts.guangzhou, "not a regular file"),
            (
                ["import", "--data-dir", courts.guangzhou, courts.temp.path("missing.csync").path], courts.guangzhou,
                "no such file"
            ),
            (["matter", "list", "--data-dir", courts.temp.path("nowhere").path], courts.guangzhou, "courtsync init"),
            (["serve", "--data-dir", courts.temp.path("nowhere").path], courts.guangzhou, "courtsync init"),
            (
                [
                    "init", "--data-dir", courts.temp.path("half-tls").path, "--court", "京0101", "--tls-certificate",
                    courts.temp.path("cert.pem").path,
                ], courts.guangzhou, "--tls-certificate and --tls-key together"
            ),
            (["sync", "--data-dir", courts.beijing, "--peer", "沪0115"], courts.beijing, "is not a link in node.json"),
            (
                [
                    "init", "--data-dir", courts.temp.path("twice").path, "--court", "京0101", "--hub-key",
                    String(repeating: "ab", count: 32), "--hub", "http://10.0.0.1:7400", "--hub",
                    "http://10.0.0.1:7400",
                ], courts.guangzhou, "lists a hub URL twice"
            ),
            (["serve", "--data-dir", courts.beijing, "--listen", "nonsense"], courts.beijing, "is not HOST:PORT"),
        ]
        for c in cases {
            let before = try courts.replicaBytes(c.dir)
            let result = try courts.run(c.args, at: "2025-09-27T10:00:00+08:00")
            let lines = result.stderr.split(separator: "\n")
            #expect(result.status != 0, "\(c.args)")
            #expect(lines.count == 1, "\(c.args): \(result.stderr)")
            #expect(result.stderr.contains(c.expect), "\(c.args): \(result.stderr)")
            #expect(try courts.replicaBytes(c.dir) == before, "\(c.args) changed the replica")
        }
        // The good file still applies after all that.
        let applied = try courts.json(["import", "--data-dir", courts.guangzhou, good], at: now)
        #expect(applied["stored"] as? Int == 1)
    }

    @Test("--json failures print an error document as well as the stderr line")
    func jsonError() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let result = try courts.run(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "bad", "--to", "粤0106",
                "--kind", "other",
                "--json",
            ],
            at: "2025-09-26T10:00:00+08:00")
        #expect(result.status == 1)
        let error = try #require(result.json["error"] as? [String: Any])
        #expect(error["code"] as? String == "invalidCaseNumber")
        #expect((error["message"] as? String)?.contains("\"bad\"") == true)
    }

    @Test("overdue matters are listed once their deadline has passed, and COURTSYNC_DATA_DIR stands in for --data-dir")
    func overdue() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        _ = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执7号",
                "--to", "粤0106", "--kind",
                "documents:serve",
            ],
            at: "2025-09-26T10:00:00+08:00")
        func overdueCount(at now: String) throws -> Int {
            let result = try courts.cli.run(
                ["matter", "list", "--overdue", "--json"],
                environment: ["COURTSYNC_NOW": now, "COURTSYNC_DATA_DIR": courts.beijing])
            return (result.json["matters"] as? [Any])?.count ?? -1
        }
        // documents:serve sent Fri Sep 26: day 10 falls in the holiday, so the deadline is Thu Oct 9.
        #expect(try overdueCount(at: "2025-10-09T23:59:59+08:00") == 0)
        #expect(try overdueCount(at: "2025-10-10T00:00:00+08:00") == 1)
    }

    @Test(
        "the sqlite3 shell reads the matters table",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")))
    func sqliteShell() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        _ = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执8号",
                "--to", "粤0106", "--kind",
                "equity:freeze",
            ],
            at: "2025-09-26T10:00:00+08:00")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [
            courts.beijing + "/replica.sqlite",
            "SELECT id, case_number, entrusted_court, kind, state, due_date FROM matters",
        ]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(
            text.trimmingCharacters(in: .whitespacesAndNewlines)
                == "京0105-2025-000001|（2025）京0105执8号|粤0106|equity:freeze|sent|2025-10-27")
    }

    @Test("the shipped court directory lists every level and the help shows the Chinese terms")
    func directoryAndHelp() throws {
        let cli = CommandRunner(environment: ["COURTSYNC_NODES_DIR": Fixtures.nodesFolder.path])
        let basic = try cli.run(["courts", "--level", "basic", "--json"])
        let courts = try #require(basic.json["courts"] as? [[String: Any]])
        #expect(courts.contains { $0["code"] as? String == "京0105" && $0["parent"] as? String == "京03" })
        #expect(courts.allSatisfy { $0["level"] as? String == "basic" })
        let every = try #require(try cli.run(["courts", "--json"]).json["courts"] as? [[String: Any]])
        func codes(_ level: String) -> [String] {
            every.filter { $0["level"] as? String == level }.compactMap { $0["code"] as? String }
        }
        #expect(codes("supreme") == ["最高法"])
        #expect(Set(codes("high")).isSuperset(of: ["京", "沪", "粤", "新", "兵", "军"]) && codes("high").count == 33)
        let lower = codes("intermediate") + codes("basic")
        #expect(lower.count >= 60 && Set(lower.map(\.first)).count >= 8)
        for (code, name) in [("京0105", "北京市朝阳区人民法院"), ("粤0106", "广州市天河区人民法院"), ("沪0115", "上海市浦东新区人民法院")] {
            #expect(every.contains { $0["code"] as? String == code && $0["name"] as? String == name })
        }
        let temp = try TemporaryDirectory()
        defer { temp.remove() }
        let unpinned = try cli.run(["init", "--data-dir", temp.path("unpinned").path, "--court", "京0105", "--json"])
        #expect(unpinned.status == 1 && unpinned.stderr.contains("--hub-key"))
        #expect(!FileManager.default.fileExists(atPath: temp.path("unpinned").path))
        let initialised = try cli.run([
            "init", "--data-dir", temp.path("node").path, "--court", "京0105", "--json", "--hub-key",
            String(repeating: "ab", count: 32),
        ])
        #expect(initialised.status == 0)
        // A court's node takes the holiday calendar from the hub's signed directory; the hub
        // publishes the shipped one as version 1.
        #expect((initialised.json["calendarYears"] as? [Int])?.isEmpty == true)
        let hub = try cli.run(["init", "--data-dir", temp.path("hub").path, "--role", "hub", "--json"])
        #expect(Set(hub.json["calendarYears"] as? [Int] ?? []).isSuperset(of: [2024, 2025, 2026]))
        let help = try cli.run(["matter", "--help"])
        #expect(help.stdout.contains("签收") && help.stdout.contains("退回") && help.stdout.contains("办结反馈"))
        let kinds = try cli.run(["matter", "kinds", "--json"])
        #expect((kinds.json["kinds"] as? [Any])?.count == 17)
    }
}
