import Entrustment
import Foundation
import GMCrypto
import SyncProtocol
import TestSupport
import Testing

/// A network made with `--suite sm2` through the CLI, as operators make one: real daemons over
/// HTTP, SM2 keys (one of them the court CA's, given with `--key-file`), SM3 names.
@Suite("the sm2 suite between daemons", .serialized)
struct SM2NetworkTests {
    /// An SM2 key as a court's CA issues it: made by the OpenSSL command line, PKCS#8 PEM.
    static func caIssuedKey(in folder: TemporaryDirectory) throws -> (pem: String, publicKey: String) {
        let pem = folder.path("ca-issued.pem").path
        let made = try CommandRunner.shell("openssl genpkey -algorithm SM2 -out '\(pem)'")
        guard made.status == 0 else { throw DaemonError(message: made.stderr) }
        let der = try CommandRunner.shell("openssl pkey -in '\(pem)' -pubout -outform DER | od -An -v -tx1")
        let hex = der.stdout.split(whereSeparator: \.isWhitespace).joined()
        return (pem, String(hex.suffix(130)))
    }

    @Test(
        "matters and documents flow, audit verify passes, ids are SM3; forged, ed25519-signed and ed25519 sets are refused"
    )
    func sm2Network() async throws {
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let caKey = try Self.caIssuedKey(in: scratch)
        let net = try DaemonNetwork(["京0105", "粤0106"], suite: "sm2", keyFiles: ["粤0106": caKey.pem])
        for court in ["最高法", "京0105", "粤0106"] {
            let status = try net.run(["status", "--data-dir", net.dir(court), "--json"]).json
            #expect(status["suite"] as? String == "sm2")
            let key = try #require(status["publicKey"] as? String)
            #expect(key.count == 130 && key.hasPrefix("04"))
            #expect(
                status["fingerprint"] as? String
                    == KeyFingerprint.of(publicKeyHex: key, suite: .sm2))
        }
        let gzStatus = try net.run(["status", "--data-dir", net.dir("粤0106"), "--json"]).json
        #expect(gzStatus["publicKey"] as? String == caKey.publicKey, "the CA-issued key is the node's key")
        let keyFile = URL(fileURLWithPath: net.dir("粤0106")).appendingPathComponent("node.key")
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let letter = try TestDocuments.pdf(size: 5 << 20, at: net.folder.path("委托执行函.pdf")).path
        let judgment = try TestDocuments.pdf(size: 1 << 20, at: net.folder.path("判决书.pdf")).path
        let created = try net.run([
            "matter", "create", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执301号", "--to", "粤0106",
            "--kind", "documents:serve", "--attach", "entrustment-letter=\(letter)", "--attach", "judgment=\(judgment)",
            "--json",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require(created.json["id"] as? String)
        let hash = try #require((created.json["documents"] as? [[String: Any]])?.first?["hash"] as? String)
        #expect(hash == Hex.encode(SM3.hash([UInt8](try Data(contentsOf: URL(fileURLWithPath: letter))))))
        #expect(try await eventually(within: 60) { try net.matters("粤0106")[id] == "sent" }, "\(net.logs())")
        #expect(try net.run(["matter", "sign", "--data-dir", net.dir("粤0106"), id]).status == 0)
        #expect(
            try net.run(["matter", "complete", "--data-dir", net.dir("粤0106"), id, "--outcome", "full"]).status == 0)
        #expect(try await eventually { try net.matters("京0105")[id] == "completed" }, "\(net.logs())")
        #expect(try await eventually { try net.matters("最高法")[id] == "completed" }, "\(net.logs())")
        #expect(
            try await eventually(within: 60) {
                let got = try net.run([
                    "document", "get", "--data-dir", net.dir("粤0106"), hash, "--out", net.folder.path("got.pdf").path,
                ])
                return got.status == 0
            }, "\(net.logs())")
        for court in ["最高法", "京0105", "粤0106"] {
            let audit = try net.run(["audit", "verify", "--data-dir", net.dir(court)])
            #expect(audit.status == 0, "\(court): \(audit.stdout) \(audit.stderr)")
        }
        // Every stored event is named by the SM3 of its bytes.
        let hubEvents = try net.count("最高法", "SELECT count(*) FROM events")
        #expect(hubEvents >= 4)
        let rows = try CommandRunner.shell(
            "sqlite3 '\(net.dir("最高法"))/replica.sqlite' \"SELECT id || ' ' || hex(encoded) FROM events\"")
        for line in rows.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ")
            #expect(Hex.encode(SM3.hash(Hex.decode(String(parts[1]))!)) == String(parts[0]))
        }

        // Change files a thief or a confused operator could bring to the hub: refused whole.
        let bjNode = try NodeID(
            try #require(
                try net.run(["status", "--data-dir", net.dir("京0105"), "--json"]).json["nodeId"] as? String))
        let template = Fixtures.create(sequence: 901, from: "京0105", to: "粤0106", suite: .sm2)
        func act(_ suite: SignatureSuite, signedWith key: SigningKey) throws -> [UInt8] {
            let event = try Event(
                suite: suite, matterID: template.matterID, author: template.author, origin: bjNode,
                timestamp: template.timestamp, parents: [], action: template.action
            ).signed(with: key)
            return try ChangeSetCodec.encode(
                ChangeSet(
                    suite: suite, senderCourt: template.author, senderNode: bjNode, createdAt: template.recordedAt,
                    throughSequence: 1, events: [event]))
        }
        let cases: [(String, [UInt8], String)] = [
            ("forged with another SM2 key", try act(.sm2, signedWith: SigningKey.generate(.sm2)), "does not verify"),
            (
                "an SM3-named event with an Ed25519 signature",
                try act(.sm2, signedWith: SigningKey.generate(.ed25519)),
                "does not verify"
            ),
            (
                "an ed25519 change set", try act(.ed25519, signedWith: SigningKey.generate(.ed25519)),
                "made in a network of suite ed25519"
            ),
        ]
        for (index, (name, bytes, says)) in cases.enumerated() {
            let file = net.folder.path("refused-\(index).csync")
            try Data(bytes).write(to: file)
            let imported = try net.run(["import", "--data-dir", net.dir("最高法"), file.path])
            #expect(imported.status == 1 && imported.stderr.contains(says), "\(name): \(imported.stderr)")
        }
        #expect(try net.count("最高法", "SELECT count(*) FROM events") == hubEvents)
        for daemon in net.daemons.values { #expect(daemon.stop() == 0) }
    }

    @Test("a node made for ed25519 cannot join an sm2 network, and says which suite to use")
    func wrongSuiteNode() throws {
        let net = try DaemonNetwork([], suite: "sm2")
        try net.daemons["最高法"]!.start(runner: net.cli)
        defer { _ = net.daemons["最高法"]!.stop() }
        let hubKey = try #require(
            try net.run(["hub", "key", "--data-dir", net.dir("最高法"), "--json"]).json["publicKey"] as? String)
        let registrations = try net.count("最高法", "SELECT count(*) FROM registrations")
        // Pinning an SM2 hub key in a node made for ed25519: refused at init.
        let pinned = try net.run([
            "init", "--court", "京0105", "--suite", "ed25519", "--hub-key", hubKey, "--hub", net.url("最高法"),
            "--data-dir", net.dir("京0105-pinned"),
        ])
        #expect(pinned.status == 1 && pinned.stderr.contains("--suite sm2"), "\(pinned.stderr)")
        // Trust on first use: the hub's answer names its suite, and the node stops there.
        let made = try net.run([
            "init", "--court", "京0105", "--trust-hub-on-first-use", "--hub", net.url("最高法"), "--data-dir",
            net.dir("京0105"),
        ])
        #expect(made.status == 0, "\(made.stderr)")
        let registered = try net.run(["register", "--data-dir", net.dir("京0105")])
        #expect(registered.status == 1 && registered.stderr.contains("--suite sm2"), "\(registered.stderr)")
        // The hub refuses an ed25519 registration brought as a file, naming the suite.
        let file = net.folder.path("register.json").path
        #expect(try net.run(["register", "--data-dir", net.dir("京0105"), "--file", file]).status == 0)
        let imported = try net.run(["hub", "pending", "--data-dir", net.dir("最高法"), "--import", file])
        #expect(imported.status == 1 && imported.stderr.contains("--suite sm2"), "\(imported.stderr)")
        #expect(try net.count("最高法", "SELECT count(*) FROM registrations") == registrations)
        // Given only an SM2 hub key, init makes the node for the sm2 suite.
        let inferred = try net.run([
            "init", "--court", "沪0115", "--hub-key", hubKey, "--hub", net.url("最高法"), "--data-dir",
            net.dir("沪0115"), "--json",
        ])
        #expect(inferred.status == 0 && inferred.json["suite"] as? String == "sm2", "\(inferred.stderr)")
        // --key-file takes only SM2 keys.
        let scratch = try TemporaryDirectory()
        defer { scratch.remove() }
        let ed = scratch.path("ed25519.pem").path
        #expect(try CommandRunner.shell("openssl genpkey -algorithm ED25519 -out '\(ed)'").status == 0)
        let wrongKey = try net.run([
            "init", "--court", "粤0106", "--suite", "sm2", "--hub-key", hubKey, "--key-file", ed, "--data-dir",
            net.dir("粤0106"),
        ])
        #expect(wrongKey.status == 1 && wrongKey.stderr.contains("SM2"), "\(wrongKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: net.dir("粤0106") + "/node.key"))
    }
}
