import Foundation
import Testing
import TestSupport

/// A hub and three courts as real `courtsync serve` processes on 127.0.0.1, each with its own
/// SQLite file, driven through the CLI as operators would.
@Suite("daemons over HTTP", .serialized)
struct DaemonNetworkTests {
    @Test("a matter travels 京0105 → 粤0106 and back without manual sync; the hub's outage does not stop peers")
    func hubAndThreeCourts() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106", "沪0115"], peers: [("京0105", "粤0106")])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }

        let created = try net.run([
            "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执123号",
            "--to", "粤0106",
            "--kind", "deposit:freeze", "--debtor", "广州某贸易有限公司", "--json",
        ])
        let id = try #require(created.json["id"] as? String)
        #expect(try await eventually { try net.matters("粤0106")[id] == "sent" }, "\(net.logs())")

        #expect(try net.run(["matter", "sign", "--data-dir", net.dir("粤0106"), id]).status == 0)
        #expect(
            try net.run(["matter", "complete", "--data-dir", net.dir("粤0106"), id, "--outcome", "full"]).status == 0)
        #expect(try await eventually { try net.matters("京0105")[id] == "completed" }, "\(net.logs())")
        #expect(try await eventually { try net.matters("最高法")[id] == "completed" }, "\(net.logs())")
        #expect(try net.count("沪0115", "SELECT count(*) FROM events") == 0)

        // The hub stops (SIGTERM: exit 0); 京0105 and 粤0106 still exchange directly.
        #expect(net.daemons["最高法"]!.stop() == 0)
        let second = try net.run([
            "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执124号",
            "--to", "粤0106",
            "--kind", "deposit:freeze", "--json",
        ])
        let secondID = try #require(second.json["id"] as? String)
        #expect(try await eventually { try net.matters("粤0106")[secondID] == "sent" }, "\(net.logs())")
        let failing = try net.run(["sync", "--data-dir", net.dir("京0105"), "--json"])
        #expect(failing.status == 1)
        let failedLinks = failing.json["links"] as? [[String: Any]] ?? []
        #expect(failedLinks.first { $0["court"] as? String == "最高法" }?["ok"] as? Bool == false)
        #expect(failedLinks.first { $0["court"] as? String == "粤0106" }?["ok"] as? Bool == true)

        // The restarted hub catches up by itself.
        try net.daemons["最高法"]!.start(runner: net.cli)
        #expect(try await eventually { try net.matters("最高法")[secondID] == "sent" }, "\(net.logs())")

        let synced = try net.run(["sync", "--data-dir", net.dir("京0105"), "--json"])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.json["via"] as? String == "daemon")
        let unknown = try net.run(["sync", "--data-dir", net.dir("京0105"), "--peer", "沪0115"])
        #expect(unknown.status == 1 && unknown.stderr.contains("is not a link of this node"), "\(unknown.stderr)")
        let peers =
            try net.run(["peers", "--data-dir", net.dir("京0105"), "--json"]).json["peers"] as? [[String: Any]] ?? []
        #expect(peers.map { $0["court"] as? String } == ["最高法", "粤0106"])
        for peer in peers {
            #expect(peer["lastSuccessAt"] is String)
            #expect(peer["pushBacklog"] as? Int == 0)
            #expect(peer["failures"] as? Int == 0)
        }
        let status = try net.run(["status", "--data-dir", net.dir("京0105"), "--json"]).json
        #expect(status["matters"] as? Int == 2)
        #expect((status["daemon"] as? [String: Any])?["running"] as? Bool == true)
        #expect(try net.matters("沪0115").isEmpty)

        for daemon in net.daemons.values { #expect(daemon.stop() == 0) }
        let stopped = try net.run(["status", "--data-dir", net.dir("京0105"), "--json"]).json
        #expect((stopped["daemon"] as? [String: Any])?["running"] as? Bool == false)
        let direct = try net.run(["sync", "--data-dir", net.dir("粤0106"), "--peer", "京0105", "--json"])
        #expect(direct.status == 1)
        #expect(direct.json["via"] as? String == "direct")
    }

    @Test("killing the hub mid-transfer loses and duplicates nothing")
    func killMidStream() async throws {
        let net = try DaemonNetwork(["京0105"]) { court, json in
            var limits = json["limits"] as! [String: Any]
            limits["maxEventsPerSet"] = 10
            json["limits"] = limits
        }
        let total = 600
        try TestWorkload.createMatters(dataDirectory: URL(fileURLWithPath: net.dir("京0105")), count: total)
        try net.daemons["最高法"]!.start(runner: net.cli)
        try net.daemons["京0105"]!.start(runner: net.cli)
        #expect(try await eventually { try net.count("最高法", "SELECT count(*) FROM events") > 0 })
        net.daemons["最高法"]!.kill()
        let atKill = try net.count("最高法", "SELECT count(*) FROM events")
        try net.daemons["最高法"]!.start(runner: net.cli)
        #expect(
            try await eventually(within: 120) { try net.count("最高法", "SELECT count(*) FROM events") == total },
            "\(net.logs())")
        #expect(try net.count("最高法", "SELECT count(DISTINCT id) FROM events") == total)
        #expect(try net.count("最高法", "SELECT count(*) FROM matters") == total)
        #expect(try net.count("最高法", "SELECT count(*) FROM quarantine") == 0)
        let integrity = Process()
        integrity.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        integrity.arguments = [
            net.folder.path("最高法").appendingPathComponent("replica.sqlite").path, "PRAGMA integrity_check",
        ]
        let out = Pipe()
        integrity.standardOutput = out
        try integrity.run()
        let verdict = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        integrity.waitUntilExit()
        #expect(verdict.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        Swift.print("hub held \(atKill) of \(total) events when killed")
    }

    @Test("partitioned from each other by the hub's outage, the courts' concurrent acts settle alike everywhere")
    func conflictAcrossDaemons() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106"])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let created = try net.run([
            "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执500号",
            "--to", "粤0106",
            "--kind", "vehicle:seize", "--json",
        ])
        let id = try #require(created.json["id"] as? String)
        #expect(try await eventually { try net.matters("粤0106")[id] == "sent" }, "\(net.logs())")

        // The courts reach each other only through the hub: while it is down they are partitioned.
        #expect(net.daemons["最高法"]!.stop() == 0)
        #expect(try net.run(["matter", "withdraw", "--data-dir", net.dir("京0105"), id, "--note", "已和解"]).status == 0)
        #expect(try net.run(["matter", "sign", "--data-dir", net.dir("粤0106"), id]).status == 0)
        #expect(
            try net.run(["matter", "complete", "--data-dir", net.dir("粤0106"), id, "--outcome", "full"]).status == 0)
        #expect(try net.matters("京0105")[id] == "withdrawn")

        try net.daemons["最高法"]!.start(runner: net.cli)
        func openConflicts(_ court: String) throws -> [[String: Any]] {
            try net.run(["conflicts", "--data-dir", net.dir(court), "--json"]).json["conflicts"] as? [[String: Any]]
                ?? []
        }
        for court in ["京0105", "粤0106", "最高法"] {
            #expect(try await eventually { try net.matters(court)[id] == "completed" }, "\(court)\n\(net.logs())")
            #expect(try await eventually { try openConflicts(court).count == 1 }, "\(court)")
            let conflict = try openConflicts(court).first
            #expect((conflict?["superseded"] as? [String: Any])?["kind"] as? String == "withdraw")
            #expect(conflict?["rule"] as? String == "completeOverWithdraw")
        }
        #expect(try await eventually { try net.digest("京0105") == net.digest("粤0106") })
        #expect(try net.digest("最高法", for: "京0105") == net.digest("京0105"))
        #expect(try net.digest("最高法", for: "粤0106") == net.digest("粤0106"))

        // Acknowledged at 京0105; the acknowledgement reaches 粤0106 and the hub by itself.
        let conflictID = try #require(try openConflicts("京0105").first?["id"] as? String)
        let ack = try net.run([
            "conflicts", "ack", conflictID, "--data-dir", net.dir("京0105"), "--note", "已与受托法院核实，账户已冻结",
        ])
        #expect(ack.status == 0, "\(ack.stderr)")
        for court in ["粤0106", "最高法"] {
            #expect(try await eventually { try openConflicts(court).isEmpty }, "\(court)\n\(net.logs())")
            let all =
                try net.run(["conflicts", "--data-dir", net.dir(court), "--all", "--json"]).json["conflicts"]
                as? [[String: Any]] ?? []
            #expect(all.first?["status"] as? String == "acknowledged")
            #expect(all.first?["acknowledgedBy"] as? String == "京0105")
        }
        #expect(try await eventually { try net.digest("京0105") == net.digest("粤0106") })
        #expect(try net.digest("最高法", for: "粤0106") == net.digest("粤0106"))
    }
}
