import Foundation
import TestSupport
import Testing

/// Courts whose `node.json` lists several hub URLs (`docs/postgres.md`): when the hub cannot be
/// reached at one, their links move to the next, and `courtsync peers` says which one is in use.
/// Here the hub's one SQLite data directory serves at one address, then (after a crash) at the
/// other through `serve --listen`, then at the first again.
@Suite("hub failover", .serialized)
struct HubFailoverTests {
    @Test("a court moves to the hub's next URL when the one in use dies, and back round, losing nothing")
    func movesBetweenHubURLs() async throws {
        let second = FreePort.next()
        var first = ""
        let net = try DaemonNetwork(["京0105", "粤0106"]) { court, json in
            guard court != "最高法" else { return }
            first = json["hub"] as! String
            json["hub"] = [first, "http://127.0.0.1:\(second)"]
        }
        let hub = net.daemons["最高法"]!
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let urls = [first, "http://127.0.0.1:\(second)"]

        // Each step: the hub serves at `urls[step % 2]`; a matter from 京0105 reaches 粤0106
        // through it, and both courts say they use that URL.
        for step in 0..<3 {
            let expected = urls[step % 2]
            if step > 0 {
                hub.kill()
                try hub.start(runner: net.cli, arguments: step % 2 == 1 ? ["--listen", "127.0.0.1:\(second)"] : [])
            }
            let created = try net.run([
                "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"), "--case",
                "（2026）京0105执\(step + 1)号", "--to", "粤0106", "--kind", "deposit:freeze", "--json",
            ])
            try #require(created.status == 0, "\(created.stderr)")
            let id = try #require(created.json["id"] as? String)
            #expect(
                try await eventually(within: 60) { try net.matters("粤0106")[id] == "sent" },
                "step \(step): the matter did not arrive through \(expected)\n\(net.logs())")
            for court in ["京0105", "粤0106"] {
                let peers = try #require(
                    try net.run(["peers", "--data-dir", net.dir(court), "--json"]).json["peers"] as? [[String: Any]])
                let hubLink = try #require(peers.first { $0["court"] as? String == "最高法" })
                #expect(hubLink["urls"] as? [String] == urls)
                #expect(
                    try await eventually {
                        let peers = try net.run(["peers", "--data-dir", net.dir(court), "--json"]).json["peers"]
                        let link = (peers as? [[String: Any]])?.first { $0["court"] as? String == "最高法" }
                        return link?["url"] as? String == expected
                    }, "step \(step): \(court) does not say it uses \(expected)")
            }
        }
        #expect(try net.matters("粤0106").count == 3)
        #expect(try await eventually { try net.digest("京0105", for: "粤0106") == net.digest("粤0106", for: "粤0106") })
        let moved = net.daemons["京0105"]!.log
        #expect(moved.contains("moving to its next"), "the court's log says why it moved")
    }
}
