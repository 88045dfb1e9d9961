import Foundation
import TestSupport
import Testing

/// `courtsync audit verify` on real replicas tampered with through the sqlite3 shell.
@Suite("audit verify", .serialized)
struct AuditCLITests {
    func sqlite(_ dataDir: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [dataDir + "/replica.sqlite", sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("a clean trail verifies; a tampered signature, encoding or matters row is named with its matter and event")
    func tampering() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let at = "2025-09-26T10:00:00+08:00"
        let created = try courts.json(
            [
                "matter", "create", "--documents-later", "--data-dir", courts.beijing, "--case", "(2025)京0105执1号",
                "--to", "粤0106",
                "--kind", "deposit:freeze",
            ], at: at)
        let id = try #require(created["id"] as? String)
        _ = try courts.carry(from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: at)
        _ = try courts.json(["matter", "sign", "--data-dir", courts.guangzhou, id], at: at)
        _ = try courts.carry(from: courts.guangzhou, to: courts.beijing, forCourt: "京0105", at: at)

        for dir in [courts.beijing, courts.guangzhou] {
            let clean = try courts.run(["audit", "verify", "--data-dir", dir, "--json"], at: at)
            #expect(clean.status == 0, "\(clean.stdout)")
            #expect(clean.json["events"] as? Int == 2 && (clean.json["findings"] as? [Any])?.isEmpty == true)
        }

        // 收到时间 moved by hand (it drives 平均用时): the row no longer matches the fold.
        try sqlite(courts.beijing, "UPDATE matters SET received_at = '2025-09-26T09:30:00+08:00'")
        let moved = try courts.run(["audit", "verify", "--data-dir", courts.beijing, "--json"], at: at)
        #expect(moved.status == 1, "\(moved.stdout)")
        #expect((moved.json["findings"] as? [[String: Any]])?.first?["matter"] as? String == id)
        try sqlite(courts.beijing, "UPDATE matters SET received_at = '\(at)'")
        #expect(try courts.run(["audit", "verify", "--data-dir", courts.beijing], at: at).status == 0)

        try sqlite(courts.guangzhou, "UPDATE events SET signature = zeroblob(64) WHERE arrival_seq = 2")
        let signed = try courts.run(["audit", "verify", "--data-dir", courts.guangzhou, "--json"], at: at)
        #expect(signed.status == 1)
        let finding = try #require((signed.json["findings"] as? [[String: Any]])?.first)
        #expect(finding["matter"] as? String == id && finding["sequence"] as? Int == 2)
        #expect((finding["problem"] as? String)?.contains("signature") == true)
        let human = try courts.run(["audit", "verify", "--data-dir", courts.guangzhou], at: at)
        #expect(human.status == 1 && human.stdout.contains("核验未通过") && human.stdout.contains(id))

        try sqlite(courts.beijing, "UPDATE events SET encoded = encoded || x'00' WHERE arrival_seq = 1")
        let encoded = try courts.run(["audit", "verify", "--data-dir", courts.beijing, "--json"], at: at)
        #expect(encoded.status == 1)
        let first = try #require((encoded.json["findings"] as? [[String: Any]])?.first)
        #expect(first["sequence"] as? Int == 1 && (first["problem"] as? String)?.contains("unreadable") == true)

        let third = try TwoCourts()
        defer { third.remove() }
        try third.initialise()
        let other = try third.json(
            [
                "matter", "create", "--documents-later", "--data-dir", third.beijing, "--case", "(2025)京0105执2号",
                "--to", "粤0106",
                "--kind", "deposit:freeze",
            ], at: at)
        try sqlite(third.beijing, "UPDATE matters SET state = 'completed'")
        let row = try third.run(["audit", "verify", "--data-dir", third.beijing, "--json"], at: at)
        #expect(row.status == 1)
        let rowFinding = try #require((row.json["findings"] as? [[String: Any]])?.first)
        #expect(rowFinding["matter"] as? String == other["id"] as? String && rowFinding["event"] == nil)
    }
}
