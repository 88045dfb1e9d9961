import Foundation
import Testing
import TestSupport

/// Confidentiality in transit: nodes serving HTTPS with certificates from a test CA (the shipped
/// `Nodes/tls-certificates.sh`), as real processes on 127.0.0.1.
@Suite("TLS between nodes", .serialized)
struct TLSTests {
    /// Runs a matter from 京0105 to the hub through a relay that records the wire, and returns
    /// the relay with what it saw.
    private func matterThroughRelay(tls: Bool) async throws -> (net: DaemonNetwork, relay: FaultProxy) {
        let net = try DaemonNetwork(["京0105"], tls: tls)
        let relay = try FaultProxy(to: net.ports["最高法"]!)
        try net.editConfig("京0105") { $0["hub"] = "\(net.scheme)://127.0.0.1:\(relay.port)" }
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let created = try net.run([
            "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执123号",
            "--to", "粤0106",
            "--kind", "deposit:freeze", "--debtor", "广州某贸易有限公司", "--json",
        ])
        let id = try #require(created.json["id"] as? String, "\(created.stderr)")
        #expect(try await eventually { try net.matters("最高法")[id] == "sent" }, "\(net.logs())")
        return (net, relay)
    }

    @Test("over HTTPS a matter reaches the hub and an eavesdropper sees no request; over HTTP the same run is readable")
    func eavesdropper() async throws {
        // What an eavesdropper reads of a plain run: the requests, their paths and signed headers.
        let markers = ["POST /v1/changes", "POST /v1/hello", "CourtSync-Signature", "CourtSync-Court"]
        let plain = try await matterThroughRelay(tls: false)
        for marker in markers { #expect(plain.relay.saw(marker), "plain HTTP shows \(marker)") }
        plain.relay.stop()

        let secure = try await matterThroughRelay(tls: true)
        let wire = secure.relay.bytes
        #expect(wire.count > 1_000, "the matter crossed the relay")
        #expect(Array(wire.prefix(2)) == [0x16, 0x03], "the first bytes are a TLS handshake record")
        for marker in markers + ["/v1/", "CourtSync-"] { #expect(!secure.relay.saw(marker), "TLS hides \(marker)") }

        // The daemon serves HTTPS; the CLI reaches it over TLS pinned to its certificate.
        let record = try JSONSerialization.jsonObject(
            with: Data(contentsOf: secure.net.folder.path("京0105").appendingPathComponent("daemon.json")))
        let daemon = try #require(record as? [String: Any])
        #expect((daemon["url"] as? String)?.hasPrefix("https://") == true)
        #expect((daemon["certificateSHA256"] as? String)?.count == 64)
        let synced = try secure.net.run(["sync", "--data-dir", secure.net.dir("京0105"), "--json"])
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(synced.json["via"] as? String == "daemon")

        let status = try secure.net.run(["status", "--data-dir", secure.net.dir("京0105"), "--json"]).json
        let tls = try #require(status["tls"] as? [String: Any])
        #expect(tls["servesHTTPS"] as? Bool == true)
        #expect(tls["certificateSHA256"] as? String == daemon["certificateSHA256"] as? String)
        #expect((tls["daysLeft"] as? Int ?? 0) > 800, "the script issues certificates for 825 days")

        // Another certificate than the one daemon.json records: the CLI refuses to talk to it.
        let recordFile = secure.net.folder.path("京0105").appendingPathComponent("daemon.json")
        var forged = daemon
        forged["certificateSHA256"] = String(repeating: "0", count: 64)
        try JSONSerialization.data(withJSONObject: forged).write(to: recordFile)
        let refused = try secure.net.run(["sync", "--data-dir", secure.net.dir("京0105")])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not the one daemon.json records"), "\(refused.stderr)")
        secure.relay.stop()
    }

    @Test("a server whose certificate cannot be verified is refused with a clear error, and the hub stays unchanged")
    func unverifiableServers() throws {
        let net = try DaemonNetwork(["京0105"], tls: true)
        try net.daemons["最高法"]!.start(runner: net.cli)
        let created = try net.run([
            "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执125号",
            "--to", "粤0106",
            "--kind", "deposit:freeze", "--json",
        ])
        let id = try #require(created.json["id"] as? String, "\(created.stderr)")
        let hubEvents = try net.count("最高法", "SELECT count(*) FROM events")

        func syncError() throws -> String {
            let result = try net.run(["sync", "--data-dir", net.dir("京0105"), "--json"])
            #expect(result.status == 1)
            let links = result.json["links"] as? [[String: Any]] ?? []
            return links.first?["error"] as? String ?? "no error: \(result.stdout) \(result.stderr)"
        }

        // Trust roots from another CA: the hub's certificate does not chain to them.
        let stranger = try TestCertificates.issue(
            ca: net.folder.path("other-ca"), dataDirectory: net.folder.path("stranger"))
        try net.editConfig("京0105") { json in
            var tls = json["tls"] as! [String: Any]
            tls["trustRoots"] = stranger.trustRoots.path
            json["tls"] = tls
        }
        let said1 = try syncError()
        #expect(said1.contains("not signed by a CA in tls.trustRoots"), "\(said1)")
        #expect(try net.count("最高法", "SELECT count(*) FROM events") == hubEvents)

        // The right CA, but the hub's certificate names only localhost: 127.0.0.1 is refused.
        let hubTLS = try TestCertificates.issue(
            ca: net.folder.path("ca"), dataDirectory: net.folder.path("最高法"), hosts: ["localhost"])
        try net.editConfig("京0105") { json in
            var tls = json["tls"] as! [String: Any]
            tls["trustRoots"] = hubTLS.trustRoots.path
            json["tls"] = tls
        }
        #expect(net.daemons["最高法"]!.stop() == 0)
        try net.daemons["最高法"]!.start(runner: net.cli)
        let said2 = try syncError()
        #expect(said2.contains("not issued for this host"), "\(said2)")

        // Plain HTTP to the HTTPS listener.
        try net.editConfig("京0105") { $0["hub"] = "http://127.0.0.1:\(net.ports["最高法"]!)" }
        let said3 = try syncError()
        #expect(said3.contains("addressed as http://"), "\(said3)")
        #expect(try net.count("最高法", "SELECT count(*) FROM events") == hubEvents)

        // HTTPS to a node that serves plain HTTP.
        let plainPort = FreePort.next()
        let plainHub = net.folder.path("plain-hub")
        let initialised = try net.run([
            "init", "--data-dir", plainHub.path, "--role", "hub", "--listen", "127.0.0.1:\(plainPort)",
        ])
        #expect(initialised.status == 0, "\(initialised.stderr)")
        let plainDaemon = DaemonProcess(dataDirectory: plainHub)
        try plainDaemon.start(runner: net.cli)
        try net.editConfig("京0105") { $0["hub"] = "https://127.0.0.1:\(plainPort)" }
        let said4 = try syncError()
        #expect(said4.contains("does not speak TLS"), "\(said4)")
        #expect(plainDaemon.stop() == 0)

        // By the name the certificate carries, the matter goes through.
        try net.editConfig("京0105") { $0["hub"] = "https://localhost:\(net.ports["最高法"]!)" }
        let synced = try net.run(["sync", "--data-dir", net.dir("京0105"), "--json"])
        #expect(synced.status == 0, "\(synced.stdout)")
        #expect(try net.matters("最高法")[id] == "sent")
    }
}
