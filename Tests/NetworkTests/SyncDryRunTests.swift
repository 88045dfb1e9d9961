import Crypto
import Foundation
import TestSupport
import Testing

/// `courtsync sync --dry-run` against real daemons: it changes no byte of the replica, and its
/// counts — sent, received, stored, the conflicts settled — are those of the real sync after it.
@Suite("sync --dry-run", .serialized)
struct SyncDryRunTests {
    /// SHA-256 of every file of the replica (the database and its WAL, if any).
    static func replicaBytes(_ dataDirectory: String) throws -> [String: String] {
        var hashes: [String: String] = [:]
        for suffix in ["", "-wal"] {
            let path = dataDirectory + "/replica.sqlite" + suffix
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            hashes[suffix] = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        }
        return hashes
    }

    @Test("a dry run changes nothing and predicts the sync that follows, conflict included")
    func dryRunPredictsSync() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106"])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let (bj, gz) = (net.dir("京0105"), net.dir("粤0106"))
        var number = 0
        func create(at court: String, to other: String) throws -> String {
            number += 1
            let result = try net.run([
                "matter", "create", "--data-dir", net.dir(court), "--case", "（2026）\(court)执\(number)号", "--to", other,
                "--kind", "deposit:freeze", "--documents-later", "--json",
            ])
            return try #require(result.json["id"] as? String, "\(result.stderr)")
        }
        // A matter both courts hold, then 京0105 goes offline (its daemon stops).
        let contested = try create(at: "京0105", to: "粤0106")
        #expect(try await eventually { try net.matters("粤0106")[contested] == "sent" }, "\(net.logs())")
        #expect(try net.run(["matter", "sign", "--data-dir", gz, contested]).status == 0)
        #expect(try await eventually { try net.matters("京0105")[contested] == "signed" }, "\(net.logs())")
        net.daemons["京0105"]!.stop()

        // Offline, 京0105 withdraws it and sends two more; meanwhile 粤0106 completes it (a
        // conflict to settle) and sends one to 京0105.
        #expect(try net.run(["matter", "withdraw", "--data-dir", bj, contested, "--note", "已和解"]).status == 0)
        let sent = [try create(at: "京0105", to: "粤0106"), try create(at: "京0105", to: "粤0106")]
        #expect(
            try net.run(["matter", "complete", "--data-dir", gz, contested, "--outcome", "full"]).status == 0)
        let inbound = try create(at: "粤0106", to: "京0105")
        #expect(
            try await eventually {
                try net.matters("最高法")[inbound] == "sent" && net.matters("最高法")[contested] == "completed"
            }
        )

        let before = try Self.replicaBytes(bj)
        let digest = try net.digest("京0105")
        let dry = try net.run(["sync", "--data-dir", bj, "--dry-run", "--json"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try Self.replicaBytes(bj) == before, "a dry run changed the replica's bytes")
        #expect(try net.digest("京0105") == digest)
        #expect(try net.matters("京0105")[inbound] == nil)
        let link = try #require((dry.json["links"] as? [[String: Any]])?.first { $0["court"] as? String == "最高法" })
        let send = try #require(link["send"] as? [String: Any])
        let receive = try #require(link["receive"] as? [String: Any])
        let conflicts = try #require(link["conflicts"] as? [[String: Any]])
        #expect(send["events"] as? Int == 3, "a withdrawal and two creates: \(send)")
        #expect(send["matters"] as? Int == 3, "\(send)")
        #expect(conflicts.count == 1, "\(conflicts)")
        #expect(conflicts.first?["matter"] as? String == contested)
        #expect(conflicts.first?["superseded"] as? String == "withdraw", "\(conflicts)")
        let table = try net.run(["sync", "--data-dir", bj, "--dry-run"])
        #expect(table.stdout.contains("试同步") && table.stdout.contains(contested), "\(table.stdout)")
        #expect(try Self.replicaBytes(bj) == before)

        // The real sync moves what the dry run said.
        let real = try net.run(["sync", "--data-dir", bj, "--json"])
        #expect(real.status == 0, "\(real.stderr)")
        let round = try #require((real.json["links"] as? [[String: Any]])?.first { $0["court"] as? String == "最高法" })
        let stats = try #require(round["stats"] as? [String: Any])
        #expect(stats["eventsSent"] as? Int == send["events"] as? Int, "\(stats) against \(send)")
        #expect(stats["eventsReceived"] as? Int == receive["events"] as? Int, "\(stats) against \(receive)")
        #expect(stats["eventsStored"] as? Int == receive["stored"] as? Int, "\(stats) against \(receive)")
        #expect(stats["duplicates"] as? Int == receive["duplicates"] as? Int, "\(stats) against \(receive)")
        let open = try net.run(["conflicts", "--data-dir", bj, "--json"]).json["conflicts"] as? [[String: Any]]
        #expect(open?.count == conflicts.count, "\(open ?? [])")
        #expect(try net.matters("京0105")[inbound] == "sent")
        #expect(try net.matters("京0105")[contested] == "completed")
        for id in sent { #expect(try net.matters("最高法")[id] == "sent") }

        // Nothing left: a dry run now predicts nothing.
        let after = try net.run(["sync", "--data-dir", bj, "--dry-run", "--json"])
        let idle = try #require((after.json["links"] as? [[String: Any]])?.first)
        #expect((idle["send"] as? [String: Any])?["events"] as? Int == 0)
        #expect((idle["receive"] as? [String: Any])?["events"] as? Int == 0)
        #expect(try net.run(["sync", "--data-dir", bj, "--dry-run", "--peer", "琼0101"]).status == 1)
    }
}
