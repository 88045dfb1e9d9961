import Foundation
import Testing
import TestSupport

/// Conflicts and digests through the real `courtsync` binary, with change files carried by hand
/// between two courts that cannot see each other (an air-gapped exchange).
@Suite("conflicts through change files", .serialized)
struct ConflictCLITests {
    /// 2025-09-01 09:00 +08:00 plus `minutes`.
    static func at(_ minutes: Int) -> String {
        let base = Date(timeIntervalSince1970: 1_756_688_400)
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        return formatter.string(from: base.addingTimeInterval(Double(minutes) * 60))
    }

    func conflicts(_ courts: TwoCourts, _ dir: String, all: Bool = false, at now: String) throws -> [[String: Any]] {
        let document = try courts.json(["conflicts", "--data-dir", dir] + (all ? ["--all"] : []), at: now)
        return document["conflicts"] as? [[String: Any]] ?? []
    }

    func digest(_ courts: TwoCourts, _ dir: String, at now: String) throws -> String {
        try courts.json(["digest", "--data-dir", dir], at: now)["digest"] as! String
    }

    @Test(
        "withdrawal ∥ completion: both end completed, one open conflict naming the withdrawal, acknowledged everywhere")
    func withdrawalAgainstCompletion() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let created = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "（2025）京0105执300号",
                "--to", "粤0106",
                "--kind", "deposit:freeze",
            ], at: Self.at(0))
        let id = created["id"] as! String
        _ = try courts.carry(from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: Self.at(5))

        // Partitioned: each court acts without seeing the other.
        _ = try courts.json(["matter", "withdraw", "--data-dir", courts.beijing, id, "--note", "已和解"], at: Self.at(60))
        _ = try courts.json(["matter", "sign", "--data-dir", courts.guangzhou, id], at: Self.at(30))
        _ = try courts.json(
            ["matter", "complete", "--data-dir", courts.guangzhou, id, "--outcome", "full", "--feedback", "已冻结"],
            at: Self.at(90))
        #expect(try conflicts(courts, courts.beijing, at: Self.at(95)).isEmpty)

        _ = try courts.carry(from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: Self.at(100))
        _ = try courts.carry(from: courts.guangzhou, to: courts.beijing, forCourt: "京0105", at: Self.at(100))

        for dir in [courts.beijing, courts.guangzhou] {
            let matter = try courts.json(["matter", "show", "--data-dir", dir, id], at: Self.at(101))
            #expect((matter["matter"] as! [String: Any])["state"] as? String == "completed")
            let open = try conflicts(courts, dir, at: Self.at(101))
            #expect(open.count == 1)
            #expect(open.first?["status"] as? String == "open")
            #expect(open.first?["rule"] as? String == "completeOverWithdraw")
            #expect((open.first?["superseded"] as? [String: Any])?["kind"] as? String == "withdraw")
            #expect((open.first?["winner"] as? [String: Any])?["kind"] as? String == "complete")
        }
        #expect(
            try digest(courts, courts.beijing, at: Self.at(102)) == digest(courts, courts.guangzhou, at: Self.at(102)))

        // Acknowledged at 粤0106; 京0105 sees it after the next exchange.
        let conflictID = try conflicts(courts, courts.guangzhou, at: Self.at(110))[0]["id"] as! String
        let ack = try courts.json(
            ["conflicts", "ack", String(conflictID.prefix(10)), "--data-dir", courts.guangzhou, "--note", "已电话告知"],
            at: Self.at(110))
        #expect(ack["status"] as? String == "acknowledged")
        #expect(try conflicts(courts, courts.guangzhou, at: Self.at(111)).isEmpty)
        #expect(try conflicts(courts, courts.beijing, at: Self.at(111)).count == 1)
        _ = try courts.carry(from: courts.guangzhou, to: courts.beijing, forCourt: "京0105", at: Self.at(120))
        let seen = try conflicts(courts, courts.beijing, all: true, at: Self.at(121))
        #expect(seen.count == 1)
        #expect(seen.first?["status"] as? String == "acknowledged")
        #expect(seen.first?["acknowledgedBy"] as? String == "粤0106")
        #expect(try conflicts(courts, courts.beijing, at: Self.at(121)).isEmpty)
        #expect(
            try digest(courts, courts.beijing, at: Self.at(122)) == digest(courts, courts.guangzhou, at: Self.at(122)))

        // A second acknowledgement is refused, and changes nothing.
        let again = try courts.run(
            ["conflicts", "ack", conflictID, "--data-dir", courts.beijing, "--note", "再次确认"], at: Self.at(130))
        #expect(again.status != 0)
        #expect(again.stderr.contains("already acknowledged"))
    }

    @Test(
        "random acts on both sides, change files carried late, twice and in any order: equal digests",
        arguments: try TestSeed.table([11, 12, 13]))
    func randomExchanges(seed: UInt64) throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        var rng = SeededGenerator(seed: seed)
        var minute = 0
        func now() -> String {
            minute += 1
            return Self.at(minute)
        }
        var ids: [String] = []
        for n in 0..<2 {
            let created = try courts.json(
                [
                    "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case",
                    "（2025）京0105执\(400 + n)号", "--to",
                    "粤0106", "--kind", "vehicle:seize",
                ], at: now())
            ids.append(created["id"] as! String)
        }
        _ = try courts.carry(from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: now())
        let dirs = [courts.beijing, courts.guangzhou]
        let acts: [[String]] = [
            ["matter", "withdraw"], ["matter", "urge"], ["matter", "edit", "--note", "京"], ["matter", "sign"],
            ["matter", "start"], ["matter", "complete", "--outcome", "partial", "--feedback", "部分"],
            ["matter", "return", "--reason", "assetNotFound", "--feedback", "无财产"], ["matter", "edit", "--note", "粤"],
        ]
        var files: [(file: String, to: String)] = []
        for _ in 0..<24 {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<6:
                let side = Int.random(in: 0..<2, using: &rng)
                let act = acts[side * 4 + Int.random(in: 0..<4, using: &rng)]
                let id = ids.randomElement(using: &rng)!
                // Acts the court may not do in the state it sees are refused; that is part of the run.
                _ = try courts.run(Array(act.prefix(2)) + ["--data-dir", dirs[side], id] + act.dropFirst(2), at: now())
            case 6..<8:
                let from = Int.random(in: 0..<2, using: &rng)
                let file = courts.temp.path("r\(seed)-\(files.count).csync").path
                _ = try courts.json(
                    ["export", "--data-dir", dirs[from], "--out", file, "--for", from == 0 ? "粤0106" : "京0105"],
                    at: now())
                files.append((file, dirs[1 - from]))
            default:
                // Import a random earlier file, perhaps again.
                if let pick = files.randomElement(using: &rng) {
                    _ = try courts.json(["import", "--data-dir", pick.to, pick.file], at: now())
                }
            }
        }
        _ = try courts.carry(from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: now())
        _ = try courts.carry(from: courts.guangzhou, to: courts.beijing, forCourt: "京0105", at: now())
        let t = now()
        #expect(try digest(courts, courts.beijing, at: t) == digest(courts, courts.guangzhou, at: t), "seed \(seed)")
        func summary(_ c: [String: Any]) -> String {
            "\(c["id"]!) \(c["rule"]!) \((c["winner"] as! [String: Any])["event"]!) \(c["status"]!)"
        }
        let left = try conflicts(courts, courts.beijing, all: true, at: t).map(summary)
        let right = try conflicts(courts, courts.guangzhou, all: true, at: t).map(summary)
        #expect(Set(left).count == left.count, "seed \(seed)")
        #expect(left.sorted() == right.sorted(), "seed \(seed)")
    }
}
