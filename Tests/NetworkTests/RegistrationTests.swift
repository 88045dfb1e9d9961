import Crypto
import Entrustment
import Foundation
import Node
import SyncEngine
import Testing
import TestSupport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Registration and refusal over real HTTP: a hub daemon, a court registering with it, hub staff
/// deciding, and hostile requests answered with JSON errors.
@Suite("registration over HTTP", .serialized)
struct RegistrationTests {
    @Test("a court registers, is refused until approved, syncs once approved, and is refused again once revoked")
    func lifecycle() throws {
        let setup = try HubSetup()
        let court = setup.dir("bj")
        let initialised = try setup.cli.run([
            "init", "--data-dir", court, "--court", "京0105", "--hub", setup.url, "--trust-hub-on-first-use",
        ])
        #expect(initialised.status == 0 && initialised.stderr.contains("warning"))
        let mode = try FileManager.default.attributesOfItem(atPath: court + "/node.key")[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let registered = try setup.check(["register", "--data-dir", court, "--json"])
        #expect(registered.json["status"] as? String == "pending")
        let hubKey = try setup.check(["hub", "key", "--data-dir", setup.dir("hub")]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(registered.json["hubKey"] as? String == hubKey)
        let pending = try setup.check(["hub", "pending", "--data-dir", setup.dir("hub"), "--json"]).json
        #expect((pending["nodes"] as? [[String: Any]])?.map { $0["court"] as? String } == ["京0105"])

        let waiting = try setup.cli.run(["sync", "--data-dir", court, "--json"])
        #expect(waiting.status == 1)
        #expect(waiting.stdout.contains("waiting for hub staff to approve"))

        try setup.check(["hub", "approve", "--data-dir", setup.dir("hub"), "京0105"])
        // The first sync brings the signed directory and its calendar: only then can the court set deadlines.
        let unset = try setup.cli.run([
            "matter", "create", "--documents-later", "--data-dir", court, "--case", "（2026）京0105执1号", "--to", "粤0106",
            "--kind",
            "deposit:freeze",
        ])
        #expect(unset.status == 1 && unset.stderr.contains("calendar"))
        #expect(try setup.cli.run(["sync", "--data-dir", court, "--json"]).status == 0)
        _ = try setup.check([
            "matter", "create", "--documents-later", "--data-dir", court, "--case", "（2026）京0105执1号", "--to", "粤0106",
            "--kind",
            "deposit:freeze",
        ])
        let synced = try setup.cli.run(["sync", "--data-dir", court, "--json"])
        #expect(synced.status == 0, "\(synced.stderr)")
        let directory = try setup.check(["directory", "--data-dir", court, "--json"]).json
        #expect(directory["version"] as? Int == 2)
        #expect(
            (directory["nodes"] as? [[String: Any]])?.contains {
                $0["court"] as? String == "京0105" && $0["status"] as? String == "approved"
            } == true)

        try setup.check(["hub", "revoke", "--data-dir", setup.dir("hub"), "京0105"])
        let revoked = try setup.cli.run(["sync", "--data-dir", court, "--json"])
        #expect(revoked.status == 1 && revoked.stdout.contains("revoked"))
        let held = try setup.check(["matter", "list", "--data-dir", setup.dir("hub"), "--json"]).json
        #expect((held["matters"] as? [Any])?.count == 1)
    }

    @Test("a node that pinned another hub key refuses the hub; a registration signed by another key is refused")
    func wrongKeys() throws {
        let setup = try HubSetup()
        let court = setup.dir("gz")
        try setup.check([
            "init", "--data-dir", court, "--court", "粤0106", "--hub", setup.url, "--hub-key",
            String(repeating: "0f", count: 32),
        ])
        let refused = try setup.cli.run(["register", "--data-dir", court])
        #expect(refused.status == 1 && refused.stderr.contains("not the hub this node trusts"))

        let file = setup.folder.path("request.json")
        try setup.check(["register", "--data-dir", court, "--file", file.path])
        var request = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        request["node"] = "粤0106.other"
        try JSONSerialization.data(withJSONObject: request).write(to: file)
        let forged = try setup.cli.run(["hub", "pending", "--data-dir", setup.dir("hub"), "--import", file.path])
        #expect(forged.status == 1 && forged.stderr.contains("not signed by the key"))
        let listed = try setup.check(["hub", "pending", "--data-dir", setup.dir("hub"), "--all", "--json"]).json
        let nodes = (listed["nodes"] as? [[String: Any]])?.compactMap { $0["node"] as? String } ?? []
        #expect(!nodes.isEmpty && !nodes.contains("粤0106.other"))
    }

    @Test("unsigned, oversized and garbage requests get a specific JSON error and change nothing")
    func hostileRequests() async throws {
        let setup = try HubSetup(limits: ["maxBodyBytes": 4096])
        func send(_ method: String, _ path: String, _ body: Data?, headers: [String: String] = [:]) async throws -> (
            Int, [String: Any]
        ) {
            var request = URLRequest(url: URL(string: setup.url + path)!)
            request.httpMethod = method
            request.httpBody = body
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let (data, response) = try await URLSession.shared.data(for: request)
            let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
            return ((response as! HTTPURLResponse).statusCode, (json["error"] as? [String: Any]) ?? [:])
        }
        // An approved court, whose signed push over the body limit is refused by size.
        let court = setup.dir("bj")
        let hubKey = try setup.check(["hub", "key", "--data-dir", setup.dir("hub")]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        try setup.check(["init", "--data-dir", court, "--court", "京0105", "--hub", setup.url, "--hub-key", hubKey])
        try setup.check(["register", "--data-dir", court])
        try setup.check(["hub", "approve", "--data-dir", setup.dir("hub"), "京0105"])
        let oversized = [UInt8](repeating: 0, count: 5000)
        let signed = try {
            let node = try CourtNode(dataDirectory: URL(fileURLWithPath: court), time: SystemTimeSource())
            defer { try? node.close() }
            return RequestSigner(node: node).headers(method: "POST", target: "/v1/changes", body: oversized)
        }()

        let identity = ["CourtSync-Court": "%E4%BA%AC0105", "CourtSync-Node": "x"]
        let cases: [(String, String, Data?, [String: String], Int, String)] = [
            ("GET", "/v1/changes?after=0", nil, [:], 401, "unauthenticated"),
            ("GET", "/v1/health", nil, [:], 401, "unauthenticated"),
            ("GET", "/v1/directory", nil, identity, 401, "unauthenticated"),
            ("POST", "/v1/changes", Data(oversized), signed, 413, "tooLarge"),
            ("POST", "/v1/changes", Data(oversized), identity, 413, "tooLarge"),
            ("POST", "/v1/changes", Data("garbage".utf8), identity, 401, "unauthenticated"),
            ("POST", "/v1/register", Data("{not json".utf8), [:], 400, "badRequest"),
            ("POST", "/v1/register", Data(count: 70_000), [:], 413, "tooLarge"),
        ]
        for (method, path, body, headers, status, code) in cases {
            let (got, error) = try await send(method, path, body, headers: headers)
            #expect(got == status, "\(method) \(path)")
            #expect(error["code"] as? String == code, "\(method) \(path)")
            #expect((error["message"] as? String)?.isEmpty == false)
        }
        let all = try setup.check(["hub", "pending", "--data-dir", setup.dir("hub"), "--all", "--json"]).json
        #expect((all["nodes"] as? [Any])?.count == 2)
        #expect(try setup.check(["status", "--data-dir", setup.dir("hub"), "--json"]).json["events"] as? Int == 0)
    }

    @Test(
        "a pending registration cannot be taken over with another key; hub staff approve by fingerprint; strangers are rate-limited"
    )
    func hijackAndFingerprint() async throws {
        let setup = try HubSetup()
        let hubKey = try setup.check(["hub", "key", "--data-dir", setup.dir("hub")]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let court = setup.dir("bj")
        try setup.check(["init", "--data-dir", court, "--court", "京0105", "--hub", setup.url, "--hub-key", hubKey])
        let registered = try setup.check(["register", "--data-dir", court, "--json"]).json
        let nodeID = try #require(registered["node"] as? String)
        let fingerprint = try #require(registered["fingerprint"] as? String)
        #expect(fingerprint.count == 24 && fingerprint.split(separator: "-").count == 5)

        // An attacker re-registers the pending node's id with a key of its own: refused, nothing replaced.
        let attackerKey = SigningKey.generate(.ed25519)
        let forged = RegistrationRequest(
            identity: (try CourtCode("京0105"), try NodeID(nodeID)), key: attackerKey, at: SystemTimeSource().now())
        let transport = HTTPTransport(
            base: URL(string: setup.url)!, signer: nil,
            tls: try ClientTLS(settings: nil, dataDirectory: URL(fileURLWithPath: court)),
            requestTimeout: 10, maxBodyBytes: 1 << 20)
        await #expect {
            _ = try await transport.register(forged)
        } throws: { ($0 as? SyncError)?.code == "registrationConflict" && ($0 as? SyncError)?.status == 409 }
        let pending = try setup.check(["hub", "pending", "--data-dir", setup.dir("hub"), "--json"]).json
        let listed = try #require((pending["nodes"] as? [[String: Any]])?.first)
        #expect(listed["publicKey"] as? String == registered["publicKey"] as? String)
        let human = try setup.check(["hub", "pending", "--data-dir", setup.dir("hub")]).stdout
        #expect(human.contains(fingerprint))

        // Approval with the fingerprint read out over the telephone: a wrong one approves nothing.
        let wrong = try setup.cli.run([
            "hub", "approve", "--data-dir", setup.dir("hub"), "京0105", "--fingerprint", "0000-0000-0000-0000-0000",
        ])
        #expect(wrong.status == 1 && wrong.stderr.contains("fingerprint"))
        let approved = try setup.check([
            "hub", "approve", "--data-dir", setup.dir("hub"), "京0105", "--fingerprint",
            fingerprint.uppercased().replacingOccurrences(of: "-", with: " "), "--json",
        ])
        #expect((approved.json["nodes"] as? [[String: Any]])?.first?["status"] as? String == "approved")

        // Unauthenticated registrations: at most 10 a minute from one address.
        let courts = ["粤0106", "沪0115", "京0101", "京0102", "京0106", "粤0104", "粤0105", "沪0101", "沪0104", "京03", "粤01"]
        var statuses: [String] = []
        for court in courts {
            let request = RegistrationRequest(
                identity: (try CourtCode(court), try NodeID("\(court).flood")), key: SigningKey.generate(.ed25519),
                at: SystemTimeSource().now())
            do {
                _ = try await transport.register(request)
                statuses.append("200")
            } catch let error as SyncError {
                statuses.append("\(error.status) \(error.code)")
            }
        }
        // The court's own registration and the attacker's attempt count too: 8 more pass, 3 are refused.
        #expect(
            statuses == Array(repeating: "200", count: 8) + Array(repeating: "429 tooManyRequests", count: 3),
            "\(statuses)")

        // However many addresses it uses, a flood for one court fills only that court's five
        // pending places; another court still registers. (By file, as hub staff import them.)
        func importRegistration(_ json: String) throws -> CommandRunner.Result {
            let file = URL(fileURLWithPath: setup.dir("registration-\(UUID().uuidString).json"))
            try Data(json.utf8).write(to: file)
            return try setup.cli.run(["hub", "pending", "--data-dir", setup.dir("hub"), "--import", file.path])
        }
        func registration(_ court: String, _ node: String) throws -> String {
            let request = RegistrationRequest(
                identity: (try CourtCode(court), try NodeID(node)), key: SigningKey.generate(.ed25519),
                at: SystemTimeSource().now())
            return String(decoding: try JSONEncoder().encode(request), as: UTF8.self)
        }
        // (京0106 has one pending already, from the flood above.)
        let results = try (1...6).map { try importRegistration(try registration("京0106", "京0106.junk\($0)")) }
        #expect(results.prefix(4).allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(
            results.suffix(2).allSatisfy { $0.status == 1 && $0.stderr.contains("京0106") }, "\(results.map(\.stderr))")
        #expect(try importRegistration(try registration("京0105", "京0105.second")).status == 0)

        // A node id that does not begin with its court's code, and a key of small order (for which
        // one signature verifies for any message): refused, nothing recorded.
        let misnamed = try importRegistration(try registration("沪0101", "京0105.evil"))
        #expect(misnamed.status == 1 && misnamed.stderr.contains("must begin with"), "\(misnamed.stderr)")
        let identity = "01" + String(repeating: "00", count: 31)
        let universal = Data([1] + [UInt8](repeating: 0, count: 63)).base64EncodedString()
        let weak = try importRegistration(
            #"{"court": "沪0101", "node": "沪0101.weak", "publicKey": "\#(identity)", "requestedAt": "2026-12-01T09:00:00+08:00", "signature": "\#(universal)"}"#
        )
        #expect(weak.status == 1 && weak.stderr.contains("small order"), "\(weak.stderr)")
        let empty = try importRegistration(try registration("沪0101", "沪0101."))
        #expect(empty.status == 1 && empty.stderr.contains("must begin with"), "\(empty.stderr)")

        // One key serves one node: the approved court's key under a new node id is refused,
        // whatever court it names (so a revoked key cannot come back under another name).
        let courtKey = try NodeKeyFile.load(from: URL(fileURLWithPath: court), suite: .ed25519)
        let reused = String(
            decoding: try JSONEncoder().encode(
                RegistrationRequest(
                    identity: (try CourtCode("沪0101"), try NodeID("沪0101.again")), key: courtKey,
                    at: SystemTimeSource().now())), as: UTF8.self)
        let conflict = try importRegistration(reused)
        #expect(conflict.status == 1 && conflict.stderr.contains(nodeID), "\(conflict.stderr)")
        let all = try setup.check(["hub", "pending", "--all", "--data-dir", setup.dir("hub"), "--json"]).json
        let nodes = (all["nodes"] as? [[String: Any]] ?? []).compactMap { $0["node"] as? String }
        #expect(!nodes.contains("京0105.evil") && !nodes.contains("沪0101.weak") && !nodes.contains("京0106.junk6"))
        #expect(!nodes.contains("沪0101.") && !nodes.contains("沪0101.again"))
    }
}
