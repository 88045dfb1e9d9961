import Foundation
import TestSupport
import Testing

/// The systemd units in `Nodes/systemd` (`docs/operations.md`) and the daemon's JSON logs they
/// ask for.
@Suite("service units and JSON logs")
struct ServiceUnitTests {
    static var unitsFolder: URL { Fixtures.nodesFolder.appendingPathComponent("systemd") }

    @Test(
        "systemd-analyze verify passes on every unit, for an ASCII and a court-code instance, with no warning",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "needs systemd"))
    func unitsVerify() async throws {
        let units = try FileManager.default.contentsOfDirectory(atPath: Self.unitsFolder.path).sorted()
        #expect(units == ["courtsync-backup@.service", "courtsync-backup@.timer", "courtsync@.service"])
        let escaped = try CommandRunner.shell("systemd-escape --template=courtsync@.service 京0105")
        #expect(escaped.status == 0)
        let courtInstance = escaped.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(courtInstance == "courtsync@\\xe4\\xba\\xac0105.service")
        // As shipped, on a machine where courtsync is not installed: the units name no path that
        // only an installed machine has.
        let service = Self.unitsFolder.appendingPathComponent("courtsync@.service").path
        let backup = Self.unitsFolder.appendingPathComponent("courtsync-backup@.service").path
        let timer = Self.unitsFolder.appendingPathComponent("courtsync-backup@.timer").path
        let plain = try CommandRunner.shell("cd '\(Self.unitsFolder.path)' && systemd-analyze verify *")
        #expect(plain.status == 0 && plain.stderr.isEmpty && plain.stdout.isEmpty, "\(plain.stderr)")
        let verify = try CommandRunner.shell(
            "systemd-analyze verify '\(service):courtsync@example.service' '\(service):\(courtInstance)' '\(backup):courtsync-backup@example.service' '\(timer):courtsync-backup@example.timer'"
        )
        #expect(verify.status == 0, "\(verify.stderr)")
        // An unknown or misspelt key is only a warning, with exit status 0: none may appear.
        #expect(verify.stderr.isEmpty, "\(verify.stderr)")
        #expect(verify.stdout.isEmpty, "\(verify.stdout)")

        // The hardening the issue names is there.
        let unit = try String(contentsOfFile: service, encoding: .utf8)
        for line in [
            "User=courtsync", "ProtectSystem=strict", "ReadWritePaths=/var/lib/courtsync/%I", "NoNewPrivileges=yes",
            "Restart=on-failure", "LimitNOFILE=65536", "--log-format json",
        ] {
            #expect(unit.contains(line), "\(line)")
        }
    }

    @Test("--log-format json: every line the daemon logs is one JSON object with time, level, logger, message")
    func jsonLogs() async throws {
        let net = try DaemonNetwork(["京0105"])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli, arguments: ["--log-format", "json"]) }
        let bj = net.dir("京0105")
        let created = try net.run([
            "matter", "create", "--data-dir", bj, "--case", "（2026）京0105执1号", "--to", "粤0106", "--kind",
            "deposit:freeze", "--documents-later", "--json",
        ])
        let id = try #require(created.json["id"] as? String, "\(created.stderr)")
        #expect(try await eventually { try net.matters("最高法")[id] == "sent" }, "\(net.logs())")
        #expect(try net.run(["sync", "--data-dir", bj]).status == 0)
        net.daemons["京0105"]!.stop()
        let lines = net.daemons["京0105"]!.log.split(separator: "\n")
        #expect(lines.count > 3, "\(lines)")
        var levels: Set<String> = []
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            let fields = try #require(object, "not a JSON object: \(line)")
            #expect(fields["time"] is String && fields["logger"] is String && fields["message"] is String, "\(line)")
            #expect(fields.values.allSatisfy { $0 is String }, "\(line)")
            levels.insert(fields["level"] as? String ?? "?")
        }
        #expect(levels.isSubset(of: ["trace", "debug", "info", "notice", "warning", "error", "critical"]), "\(levels)")
        #expect(lines.contains { $0.contains("\"link\":\"最高法\"") }, "metadata fields are top-level")

        // A refusal to start is a JSON line too.
        let refused = try net.run(["serve", "--data-dir", net.folder.path("nowhere").path, "--log-format", "json"])
        #expect(refused.status == 1)
        let line = try #require(refused.stderr.split(separator: "\n").last)
        let fields = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(fields["level"] as? String == "critical")
    }
}
