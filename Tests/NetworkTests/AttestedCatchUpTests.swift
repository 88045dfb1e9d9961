import Foundation
import Testing
import TestSupport

/// A court far behind the hub catches up on the hub's attested batches (`Protocol/sync.md`
/// §4.3.1), with real daemons over HTTP: one signature per set, every origin signature
/// re-checked afterwards in the background.
@Suite("attested catch-up over HTTP", .serialized)
struct AttestedCatchUpTests {
    @Test("a court started late catches up on attested sets; its daemon then re-checks every origin signature")
    func lateCourtCatchesUp() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106"]) { court, json in
            // Sets of at most 5 events: twelve matters put the late court several sets behind.
            if court == "粤0106" { json["limits"] = ["maxEventsPerSet": 5] }
        }
        try net.daemons["最高法"]!.start(runner: net.cli)
        try net.daemons["京0105"]!.start(runner: net.cli)
        var ids: [String] = []
        for sequence in 1...12 {
            let created = try net.run([
                "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"),
                "--case", "（2026）京0105执\(400 + sequence)号", "--to", "粤0106", "--kind", "deposit:freeze", "--json",
            ])
            ids.append(try #require(created.json["id"] as? String, "\(created.stderr)"))
        }
        #expect(try await eventually { try net.matters("最高法").count == 12 }, "\(net.logs())")

        try net.daemons["粤0106"]!.start(runner: net.cli)
        #expect(try await eventually { try net.matters("粤0106").count == 12 }, "\(net.logs())")
        #expect(try net.count("粤0106", "SELECT count(*) FROM attestations") >= 1, "\(net.logs())")
        #expect(
            try await eventually {
                let status = try net.run(["status", "--data-dir", net.dir("粤0106"), "--json"]).json
                let checks = status["originChecks"] as? [String: Any]
                return checks?["pending"] as? Int == 0 && checks?["failed"] as? Int == 0
            }, "\(net.logs())")
        #expect(try net.count("粤0106", "SELECT count(*) FROM origin_checks") == 0)
        #expect(try net.digest("粤0106") == net.digest("最高法", for: "粤0106"))
        let audit = try net.run(["audit", "verify", "--data-dir", net.dir("粤0106")])
        #expect(audit.status == 0, "\(audit.stdout)\(audit.stderr)")
        for daemon in net.daemons.values { #expect(daemon.stop() == 0) }
    }
}
