import Foundation
import TestSupport
import Testing

/// Network faults between a court and the hub (`docs/reliability.md`): 京0105 reaches the hub
/// only through a ``FaultProxy``. Under each fault the court keeps working, the operator sees the
/// link failing, nothing half-sent is stored; once the path heals, everything converges and every
/// event is stored once.
@Suite("partitions and broken paths", .serialized)
struct PartitionTests {
    @Test("black hole, lost answers (asymmetric), reset mid-request, truncated answers, delay; then heal and converge")
    func faultsThenHeal() throws {
        let net = try DaemonNetwork(["京0105", "粤0106"]) { court, json in
            guard court == "京0105" else { return }
            var sync = json["sync"] as! [String: Any]
            sync["requestTimeoutSeconds"] = 3
            sync["longPollSeconds"] = 2
            json["sync"] = sync
        }
        let proxy = try FaultProxy(to: net.ports["最高法"]!)
        defer { proxy.stop() }
        try net.editConfig("京0105") { $0["hub"] = "http://127.0.0.1:\(proxy.port)" }
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let bj = net.dir("京0105")
        var number = 0
        var created: [String] = []
        func create() throws -> String {
            number += 1
            let result = try net.run([
                "matter", "create", "--data-dir", bj, "--case", "（2026）京0105执\(number)号", "--to", "粤0106",
                "--kind", "deposit:freeze", "--json",
            ])
            let id = try #require(result.json["id"] as? String, "\(result.stderr)")
            created.append(id)
            return id
        }
        func hubLink() throws -> [String: Any] {
            let peers = try net.run(["peers", "--data-dir", bj, "--json"]).json["peers"] as? [[String: Any]]
            return peers?.first { $0["court"] as? String == "最高法" } ?? [:]
        }

        let first = try create()
        #expect(try eventually { try net.matters("最高法")[first] != nil }, "\(net.logs())")

        // A black hole: the court keeps working, the link fails, and the operator is told.
        proxy.fault = .blackhole
        let unheard = try create()
        #expect(
            try eventually(within: 20) { (try hubLink()["failures"] as? Int ?? 0) > 0 }, "\((try? hubLink()) ?? [:])")
        #expect(try hubLink()["lastError"] is String, "\((try? hubLink()) ?? [:])")
        #expect(try net.matters("最高法")[unheard] == nil)
        #expect(try net.matters("京0105")[unheard] == "sent")

        // Asymmetric: the hub hears the court's pushes, the court never hears back. The hub stores
        // the events; the court, unacknowledged, keeps them in its backlog and will send them again.
        proxy.fault = .answersLost(requestPrefix: "POST /v1/changes")
        let asymmetric = try create()
        #expect(try eventually(within: 20) { try net.matters("最高法")[asymmetric] != nil }, "\(net.logs())")
        #expect((try hubLink()["pushBacklog"] as? Int ?? 0) > 0, "\((try? hubLink()) ?? [:])")

        // Broken in the middle of requests, answers cut short, a slow path: nothing half-stored.
        for fault in [
            FaultProxy.Fault.resetRequestAfter(bytes: 600), .truncateAnswerAfter(bytes: 120), .delay(seconds: 0.2),
        ] {
            proxy.fault = fault
            _ = try create()
            Thread.sleep(forTimeInterval: 2)
            #expect(try net.count("最高法", "SELECT count(*) FROM quarantine") == 0, "\(fault)")
            #expect(try net.count("最高法", "SELECT count(*) FROM refusals") == 0, "\(fault)")
        }

        // Healed: everything arrives, once, and both courts agree with the hub.
        proxy.fault = .none
        #expect(
            try eventually(within: 60) { (try hubLink()["pushBacklog"] as? Int) == 0 }, "\((try? hubLink()) ?? [:])")
        #expect(try eventually(within: 30) { Set(try net.matters("粤0106").keys) == Set(created) }, "\(net.logs())")
        func digest(_ arguments: [String]) throws -> String {
            try net.run(["digest"] + arguments + ["--json"]).json["digest"] as? String ?? "?"
        }
        for court in ["京0105", "粤0106"] {
            #expect(
                try eventually(within: 30) {
                    try digest(["--data-dir", net.dir(court)])
                        == digest(["--data-dir", net.dir("最高法"), "--for", court])
                }, "\(court)")
        }
        for node in ["最高法", "京0105", "粤0106"] {
            #expect(try net.count(node, "SELECT count(*) FROM events") == created.count, "\(node)")
            #expect(try net.run(["audit", "verify", "--data-dir", net.dir(node)]).status == 0, "\(node)")
        }
    }
}
