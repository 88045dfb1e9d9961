import Foundation
import TestSupport
import Testing

/// A court whose disk fills up or turns read-only (`docs/reliability.md`): 京0105's data directory
/// is a 16 MB tmpfs. Acts are refused with an error that says what to do, nothing is half-stored,
/// the daemon keeps running and retrying, and once the disk is usable again the court catches up.
@Suite(
    "full disk and read-only replica", .serialized,
    .enabled(if: SizedFilesystem.isAvailable, "mounting a tmpfs needs root"))
struct DiskFaultTests {
    @Test("disk full, then freed; read-only, then read-write: clear errors, nothing lost or half-stored, sync resumes")
    func fullThenFreed() async throws {
        nonisolated(unsafe) var disk: SizedFilesystem?
        let net = try DaemonNetwork(
            ["京0105", "粤0106"],
            prepare: { court, directory in
                if court == "京0105" { disk = try SizedFilesystem(at: directory, megabytes: 16) }
            })
        let filesystem = try #require(disk)
        defer {
            for daemon in net.daemons.values { daemon.kill() }
            filesystem.unmount()
        }
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let (bj, gz) = (net.dir("京0105"), net.dir("粤0106"))
        var acknowledged: [String: String] = [:]  // matter → its last acknowledged act
        var number = 0
        func create(at court: String, to other: String) throws -> CommandRunner.Result {
            number += 1
            let result = try net.run([
                "matter", "create", "--documents-later", "--data-dir", net.dir(court), "--case",
                "（2026）\(court)执\(number)号", "--to", other,
                "--kind", "deposit:freeze", "--json",
            ])
            if result.status == 0, let id = result.json["id"] as? String { acknowledged[id] = "sent" }
            return result
        }

        let first = try #require(try create(at: "京0105", to: "粤0106").json["id"] as? String)
        #expect(try await eventually { try net.matters("粤0106")[first] == "sent" }, "\(net.logs())")

        // The disk fills. The court's acts fail with the reason and the remedy, and store nothing.
        try filesystem.fill()
        #expect(filesystem.freeBytes < 4096)
        var refusal: CommandRunner.Result?
        for _ in 0..<40 {
            let result = try create(at: "京0105", to: "粤0106")
            if result.status != 0 {
                refusal = result
                break
            }
        }
        let refused = try #require(refusal, "40 acts fitted on a full disk")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the disk holding the replica is full"), "\(refused.stderr)")
        #expect(refused.stderr.contains("nothing was stored"), "\(refused.stderr)")
        let stored = try net.matters("京0105")
        #expect(stored.count == acknowledged.count, "\(stored) against \(acknowledged)")
        #expect(try CrashTests.sqlite(bj, "PRAGMA integrity_check") == "ok")

        // Meanwhile the other court acts: the hub takes it, the full court cannot take it in yet,
        // and its daemon stays up, retrying. Asked to sync once the matter is at the hub, the
        // daemon tries and fails for the full disk. (It cannot even store what the hub's hello
        // answers, the link's state, so it fetches nothing while the disk is full.)
        #expect(try net.run(["matter", "sign", "--data-dir", gz, first]).status == 0)
        acknowledged[first] = "signed"
        let inbound = try #require(try create(at: "粤0106", to: "京0105").json["id"] as? String)
        #expect(try await eventually { try net.matters("最高法")[inbound] == "sent" }, "\(net.logs())")
        let attempt = try net.run(["sync", "--data-dir", bj, "--json"])
        let round = (attempt.json["links"] as? [[String: Any]])?.first { $0["court"] as? String == "最高法" }
        #expect(attempt.status == 1, "\(attempt.stdout)\(attempt.stderr)")
        #expect(attempt.json["via"] as? String == "daemon", "\(attempt.stdout)")
        #expect(round?["ok"] as? Bool == false, "\(attempt.stdout)")
        #expect(
            (round?["error"] as? String)?.contains("the disk holding the replica is full") == true, "\(attempt.stdout)")
        #expect(try net.matters("京0105")[inbound] == nil)
        #expect(try net.matters("京0105")[first] == "sent")
        #expect(net.daemons["京0105"]!.isRunning)

        // Space is freed: the court catches up by itself and can act again.
        try filesystem.free()
        #expect(
            try await eventually(within: 30) {
                try net.matters("京0105")[inbound] == "sent" && net.matters("京0105")[first] == "signed"
            }, "\(net.logs())")
        #expect(try create(at: "京0105", to: "粤0106").status == 0)

        // Read-only: stop the daemon (a filesystem cannot turn read-only under a writer), remount.
        // Acts are refused with the reason, reading still works, and the daemon will not start.
        net.daemons["京0105"]!.stop()
        try filesystem.remount(readOnly: true)
        let readOnly = try create(at: "京0105", to: "粤0106")
        #expect(readOnly.status == 1)
        #expect(readOnly.stderr.contains("read-only"), "\(readOnly.stderr)")
        #expect(try net.run(["matter", "list", "--data-dir", bj]).status == 0)
        let serve = try net.run(["serve", "--data-dir", bj])
        #expect(serve.status != 0)
        #expect(serve.stderr.lowercased().contains("read-only"), "\(serve.stderr)")
        let whileReadOnly = try #require(try create(at: "粤0106", to: "京0105").json["id"] as? String)

        // Read-write again: the daemon starts and the court catches up.
        try filesystem.remount(readOnly: false)
        try net.daemons["京0105"]!.start(runner: net.cli)
        #expect(try await eventually(within: 30) { try net.matters("京0105")[whileReadOnly] == "sent" }, "\(net.logs())")

        // Converged, every acknowledged act once everywhere, nothing quarantined, files sound.
        for node in ["最高法", "京0105", "粤0106"] { #expect(try net.matters(node) == acknowledged, "\(node)") }
        var acts = Set(acknowledged.keys.map { AcknowledgedAct(matter: $0, kind: "create") })
        for (matter, state) in acknowledged where state == "signed" {
            acts.insert(AcknowledgedAct(matter: matter, kind: "sign"))
        }
        try await net.expectSettled(courts: ["京0105", "粤0106"], acknowledged: acts, context: "full disk")
    }
}
