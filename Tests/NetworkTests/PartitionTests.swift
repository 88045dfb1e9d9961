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
    func faultsThenHeal() async throws {
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
                "matter", "create", "--documents-later", "--data-dir", bj, "--case", "（2026）京0105执\(number)号", "--to",
                "粤0106",
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
        #expect(try await eventually { try net.matters("最高法")[first] != nil }, "\(net.logs())")

        // A black hole: the court keeps working, the link fails, and the operator is told.
        let beforeBlackhole = proxy.strikes
        proxy.fault = .blackhole
        let unheard = try create()
        #expect(
            try await eventually(within: 20) { (try hubLink()["failures"] as? Int ?? 0) > 0 },
            "\((try? hubLink()) ?? [:])")
        #expect(try hubLink()["lastError"] is String, "\((try? hubLink()) ?? [:])")
        #expect(try net.matters("最高法")[unheard] == nil)
        #expect(try net.matters("京0105")[unheard] == "sent")
        #expect(proxy.strikes > beforeBlackhole)

        // Asymmetric: the hub hears the court's pushes, the court never hears back. The hub stores
        // the events; the court, unacknowledged, keeps them in its backlog and will send them again.
        proxy.fault = .answersLost(requestPrefix: "POST /v1/changes")
        let asymmetric = try create()
        #expect(try await eventually(within: 20) { try net.matters("最高法")[asymmetric] != nil }, "\(net.logs())")
        #expect((try hubLink()["pushBacklog"] as? Int ?? 0) > 0, "\((try? hubLink()) ?? [:])")

        // Broken in the middle of requests (in the head, in a push's body), answers cut short (in
        // the head, in the body), a slow path: each fault strikes, and nothing is half-stored.
        for fault in [
            FaultProxy.Fault.resetRequestAfter(bytes: 600), .resetRequestBodyAfter(bytes: 100),
            .truncateAnswerAfter(bytes: 120), .truncateAnswerBodyAfter(bytes: 30), .delay(seconds: 0.2),
        ] {
            let struck = proxy.strikes
            proxy.fault = fault
            _ = try create()
            #expect(try await eventually(within: 20) { proxy.strikes > struck }, "\(fault) never struck")
            #expect(try net.count("最高法", "SELECT count(*) FROM quarantine") == 0, "\(fault)")
            #expect(try net.count("最高法", "SELECT count(*) FROM refusals") == 0, "\(fault)")
        }

        // Healed: everything arrives, once, and both courts agree with the hub.
        proxy.fault = .none
        #expect(
            try await eventually(within: 60) { (try hubLink()["pushBacklog"] as? Int) == 0 },
            "\((try? hubLink()) ?? [:])")
        #expect(
            try await eventually(within: 30) { Set(try net.matters("粤0106").keys) == Set(created) }, "\(net.logs())")
        let acknowledged = Set(created.map { AcknowledgedAct(matter: $0, kind: "create") })
        try await net.expectSettled(courts: ["京0105", "粤0106"], acknowledged: acknowledged, context: "partitions")
    }
}
