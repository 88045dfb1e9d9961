import Foundation
import SyncEngine
import TestSupport
import Testing

/// A rolling upgrade (`docs/operations.md`): the hub runs this version while a court still speaks
/// the previous protocol version (`sync.protocolVersion` pinned, as a court not yet upgraded
/// speaks it). Matters flow both ways, and hub staff see who is behind.
@Suite("rolling upgrade", .serialized)
struct RollingUpgradeTests {
    @Test("a court speaking the previous protocol version syncs with a hub of this one; the hub shows its version")
    func previousVersionCourt() async throws {
        let previous = ProtocolVersion.current - 1
        let net = try DaemonNetwork(
            ["京0105", "粤0106"],
            edit: { court, json in
                guard court == "京0105" else { return }
                var sync = json["sync"] as? [String: Any] ?? [:]
                sync["protocolVersion"] = previous
                json["sync"] = sync
            })
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let (bj, gz, hub) = (net.dir("京0105"), net.dir("粤0106"), net.dir("最高法"))

        let created = try net.run([
            "matter", "create", "--data-dir", bj, "--case", "（2026）京0105执1号", "--to", "粤0106", "--kind",
            "deposit:freeze", "--documents-later", "--json",
        ])
        let outbound = try #require(created.json["id"] as? String, "\(created.stderr)")
        #expect(try await eventually { try net.matters("粤0106")[outbound] == "sent" }, "\(net.logs())")
        #expect(try net.run(["matter", "sign", "--data-dir", gz, outbound]).status == 0)
        #expect(try net.run(["matter", "complete", "--data-dir", gz, outbound, "--outcome", "full"]).status == 0)
        #expect(try await eventually { try net.matters("京0105")[outbound] == "completed" }, "\(net.logs())")
        let back = try net.run([
            "matter", "create", "--data-dir", gz, "--case", "（2026）粤0106执1号", "--to", "京0105", "--kind",
            "deposit:freeze", "--documents-later", "--json",
        ])
        let inbound = try #require(back.json["id"] as? String, "\(back.stderr)")
        #expect(try await eventually { try net.matters("京0105")[inbound] == "sent" }, "\(net.logs())")
        #expect(try net.run(["sync", "--data-dir", bj]).status == 0)
        #expect(try await eventually { try net.digest("最高法", for: "京0105") == net.digest("京0105") })

        // Hub staff see each node's version: the court behind is marked.
        let nodes = try net.run(["report", "latency", "--data-dir", hub, "--format", "json"]).json["nodes"]
        let versions = Dictionary(
            ((nodes as? [[String: Any]]) ?? []).map { ($0["court"] as? String ?? "?", $0["protocolVersion"] as? Int) },
            uniquingKeysWith: { first, _ in first })
        #expect(versions["京0105"] == previous, "\(versions)")
        #expect(versions["粤0106"] == ProtocolVersion.current, "\(versions)")
        let table = try net.run(["report", "latency", "--data-dir", hub]).stdout
        #expect(table.contains("协议版本") && table.contains("courtsync/"), "\(table)")

        // A pin this build cannot speak is refused when the node starts.
        net.daemons["粤0106"]!.stop()
        try net.editConfig("粤0106") { json in json["sync"] = ["protocolVersion": ProtocolVersion.current + 1] }
        let refused = try net.run(["sync", "--data-dir", gz])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("sync.protocolVersion"), "\(refused.stderr)")
    }
}
