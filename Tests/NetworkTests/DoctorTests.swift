import Foundation
import TestSupport
import Testing

/// `courtsync doctor` against real daemons: it passes on a sound node, and fails — exit 1, the
/// check named with what to do — on a key file others can read and on a hub that is down.
@Suite("courtsync doctor", .serialized)
struct DoctorTests {
    static func checks(_ result: CommandRunner.Result) -> [String: (status: String, detail: String)] {
        var byName: [String: (String, String)] = [:]
        for check in result.json["checks"] as? [[String: Any]] ?? [] {
            byName[check["check"] as? String ?? "?"] = (
                check["status"] as? String ?? "?", check["detail"] as? String ?? ""
            )
        }
        return byName
    }

    @Test("a sound node passes; a readable key or a stopped hub fails with the remedy")
    func findings() throws {
        let net = try DaemonNetwork(["京0105"], tls: true)
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let bj = net.dir("京0105")
        #expect(try net.run(["sync", "--data-dir", bj]).status == 0)

        let sound = try net.run(["doctor", "--data-dir", bj, "--json"])
        #expect(sound.status == 0, "\(sound.stdout)")
        #expect(sound.json["ok"] as? Bool == true)
        let found = Self.checks(sound)
        for name in [
            "config", "key", "tls key", "replica", "registration", "daemon", "link 最高法", "clock", "tls certificate",
            "tls trust roots", "disk", "quarantine", "backlog 最高法",
        ] {
            #expect(found[name]?.status == "ok", "\(name): \(found[name].map { "\($0)" } ?? "missing")")
        }
        #expect(found["link 最高法"]?.detail.contains("protocol 2") == true, "\(found["link 最高法"]!)")
        // The shipped calendar publishes 2026: near the year's end that is a warning, never a failure.
        #expect(found["calendar"]?.status != "failure" && found["calendar"]?.detail.contains("version 1") == true)
        let table = try net.run(["doctor", "--data-dir", bj])
        #expect(table.status == 0 && table.stdout.contains("体检通过"), "\(table.stdout)")

        // The key file readable by others: a failure naming chmod; nothing else is tried on it.
        let key = URL(fileURLWithPath: bj).appendingPathComponent("node.key").path
        #expect(chmod(key, 0o644) == 0)
        let exposed = try net.run(["doctor", "--data-dir", bj, "--json"])
        #expect(exposed.status == 1)
        #expect(exposed.json["ok"] as? Bool == false)
        #expect(Self.checks(exposed)["key"]?.status == "failure")
        #expect(Self.checks(exposed)["key"]?.detail.contains("chmod 600") == true, "\(Self.checks(exposed))")
        let plain = try net.run(["doctor", "--data-dir", bj])
        #expect(
            plain.status == 1 && plain.stdout.contains("✘ key") && plain.stdout.contains("体检未通过"), "\(plain.stdout)")
        #expect(chmod(key, 0o600) == 0)

        // The hub down: the link fails; the rest still reports.
        net.daemons["最高法"]!.stop()
        let down = try net.run(["doctor", "--data-dir", bj, "--json"])
        #expect(down.status == 1)
        let afterStop = Self.checks(down)
        #expect(afterStop["link 最高法"]?.status == "failure", "\(afterStop)")
        #expect(afterStop["key"]?.status == "ok" && afterStop["disk"]?.status == "ok", "\(afterStop)")

        // A data directory that holds no node: one failure, not a crash.
        let none = try net.run(["doctor", "--data-dir", net.folder.path("nowhere").path, "--json"])
        #expect(none.status == 1)
        #expect(Self.checks(none)["config"]?.status == "failure")
    }
}
