import Foundation
import TestSupport
import Testing

/// `courtsync backup` and `restore` with real daemons: a court is backed up while its daemon
/// runs, acts and syncs, is destroyed, restored, and gets every act back from the hub — its own
/// acts made after the backup included, which an ordinary pull leaves out.
@Suite("backup and restore", .serialized)
struct BackupRestoreTests {
    @Test("backed up while serving, destroyed, restored: every act since the backup comes back, digests equal")
    func restoreRecoversOwnActs() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106"])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let bj = net.dir("京0105")
        var number = 0
        func create(at court: String, to other: String, attach: String? = nil) throws -> String {
            number += 1
            let result = try net.run(
                [
                    "matter", "create", "--data-dir", net.dir(court), "--case", "（2026）\(court)执\(number)号", "--to",
                    other,
                ]
                    + (attach.map {
                        ["--kind", "documents:serve", "--attach", "entrustment-letter=\($0)", "--documents-later"]
                    }
                        ?? ["--kind", "deposit:freeze", "--documents-later"]) + ["--json"])
            guard result.status == 0, let id = result.json["id"] as? String else {
                throw DaemonError(message: result.stderr)
            }
            return id
        }

        // Before the backup: a matter with a document, at the hub and the other court.
        let letter = try TestDocuments.pdf(size: 300 << 10, at: net.folder.path("委托执行函.pdf")).path
        let before = try create(at: "京0105", to: "粤0106", attach: letter)
        #expect(try await eventually { try net.matters("粤0106")[before] == "sent" }, "\(net.logs())")

        // The backup, while the daemon serves.
        let archive = net.folder.path("京0105.courtsync-backup")
        let backup = try net.run(["backup", "--data-dir", bj, "--out", archive.path, "--json"])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.json["documents"] as? Int == 1)
        #expect(backup.json["includesKey"] as? Bool == false)
        #expect(net.daemons["京0105"]!.isRunning)
        let listing = try CommandRunner.shell("tar -tf '\(archive.path)'")
        #expect(listing.stdout.contains("replica.sqlite") && listing.stdout.contains("courtsync-backup.json"))
        #expect(!listing.stdout.contains("node.key"), "the key is left out without --include-key")
        #expect(try net.run(["backup", "--data-dir", bj, "--out", archive.path]).status == 1, "never overwritten")

        // After the backup: the court creates a matter, signs one sent to it and urges the first;
        // all of it reaches the hub.
        let after = try create(at: "京0105", to: "粤0106")
        let inbound = try create(at: "粤0106", to: "京0105")
        #expect(try await eventually { try net.matters("京0105")[inbound] == "sent" }, "\(net.logs())")
        #expect(try net.run(["matter", "sign", "--data-dir", bj, inbound]).status == 0)
        #expect(try net.run(["matter", "urge", "--data-dir", bj, before]).status == 0)
        let expected = try net.matters("京0105")
        #expect(
            try await eventually {
                try net.matters("最高法")[after] == "sent" && net.matters("最高法")[inbound] == "signed"
                    && net.digest("最高法", for: "京0105") == net.digest("京0105")
            }, "\(net.logs())")
        let digest = try net.digest("京0105")

        // A restore is refused while the daemon runs, and changes nothing.
        let refused = try net.run(["restore", "--data-dir", bj, archive.path, "--force"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("daemon"), "\(refused.stderr)")
        #expect(try net.digest("京0105") == digest)

        // The machine dies: the data directory is gone, the key kept apart survives.
        net.daemons["京0105"]!.kill()
        let keptKey = net.folder.path("京0105-node.key")
        try FileManager.default.copyItem(
            at: URL(fileURLWithPath: bj).appendingPathComponent("node.key"), to: keptKey)
        try FileManager.default.removeItem(atPath: bj)

        let noKey = try net.run(["restore", "--data-dir", bj, archive.path])
        #expect(noKey.status == 1)
        #expect(noKey.stderr.contains("--key-file"), "\(noKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: bj), "a refused restore leaves nothing behind")

        let restored = try net.run(["restore", "--data-dir", bj, archive.path, "--key-file", keptKey.path, "--json"])
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect((restored.json["restoreID"] as? String)?.count == 32)
        #expect(restored.json["documents"] as? Int == 1)
        // What the backup held, and no more: the acts since are missing until the node syncs.
        #expect(try net.matters("京0105")[after] == nil)
        #expect(try net.matters("京0105")[before] == "sent")

        let peers = try net.run(["peers", "--data-dir", bj, "--json"]).json["peers"] as? [[String: Any]]
        #expect(peers?.first { $0["court"] as? String == "最高法" }?["recovering"] as? Bool == true, "\(peers ?? [])")
        try net.daemons["京0105"]!.start(runner: net.cli)
        #expect(
            try await eventually(within: 60) { try net.digest("京0105") == digest }, "\(net.logs())")
        #expect(try net.matters("京0105") == expected)
        #expect(try net.digest("最高法", for: "京0105") == digest)
        #expect(try net.count("京0105", "SELECT count(*) FROM links WHERE recovering = 1") == 0)
        #expect(try net.run(["audit", "verify", "--data-dir", bj]).status == 0)

        // The restored node acts on: its new arrival numbers lie past anything it gave out before.
        let later = try create(at: "京0105", to: "粤0106")
        #expect(try await eventually { try net.matters("粤0106")[later] == "sent" }, "\(net.logs())")
        #expect(try net.count("京0105", "SELECT max(arrival_seq) FROM events") > 1 << 32)

        // The machine dies again before the next backup: the same, older backup is restored once
        // more. The node is told apart from its first restore, acts wait until it has caught up,
        // and its new arrivals lie past anything the lost incarnation gave out.
        let firstRestore = try #require(restored.json["restoreID"] as? String)
        let lostHead = try net.count("京0105", "SELECT max(arrival_seq) FROM events")
        let expectedAgain = try net.matters("京0105")
        net.daemons["京0105"]!.kill()
        try FileManager.default.removeItem(atPath: bj)
        let again = try net.run(["restore", "--data-dir", bj, archive.path, "--key-file", keptKey.path, "--json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect((again.json["restoreID"] as? String).map { $0 != firstRestore } == true)
        let early = try net.run([
            "matter", "create", "--data-dir", bj, "--case", "（2026）京0105执900号", "--to", "粤0106", "--kind",
            "deposit:freeze", "--documents-later",
        ])
        #expect(early.status == 1)
        #expect(early.stderr.contains("restored from a backup"), "\(early.stderr)")
        try net.daemons["京0105"]!.start(runner: net.cli)
        #expect(try await eventually(within: 60) { try net.matters("京0105") == expectedAgain }, "\(net.logs())")
        #expect(try await eventually { try net.digest("最高法", for: "京0105") == net.digest("京0105") })
        let next = try create(at: "京0105", to: "粤0106")
        #expect(try await eventually { try net.matters("最高法")[next] == "sent" }, "\(net.logs())")
        #expect(try net.count("京0105", "SELECT max(arrival_seq) FROM events") > lostHead)
    }

    @Test("a damaged, truncated or foreign archive is refused and changes nothing")
    func hostileArchives() async throws {
        let net = try DaemonNetwork(["京0105"])
        let bj = net.dir("京0105")
        let archive = net.folder.path("good.courtsync-backup")
        #expect(try net.run(["backup", "--data-dir", bj, "--out", archive.path, "--include-key"]).status == 0)
        let good = try Data(contentsOf: archive)
        let digest = try net.digest("京0105")

        var flipped = good
        flipped[flipped.count / 2] ^= 0x01
        var badChecksum = good
        badChecksum[3] ^= 0x01  // inside the first entry's name
        // Archives an attacker makes with an ordinary tar tool: a name climbing out of the data
        // directory, a symbolic link, an absolute name.
        func crafted(_ name: String, _ python: String) throws -> Data {
            let file = net.folder.path("\(name).tar")
            let made = try CommandRunner.shell(
                "python3 -c 'import tarfile, io, sys\nt = tarfile.open(sys.argv[1], \"w\", format=tarfile.USTAR_FORMAT)\n\(python)\nt.close()' '\(file.path)'"
            )
            guard made.status == 0 else { throw DaemonError(message: made.stderr) }
            return try Data(contentsOf: file)
        }
        let addFile = "i = tarfile.TarInfo(NAME); i.size = 4; t.addfile(i, io.BytesIO(b\"evil\"))"
        let cases: [(String, Data, String)] = [
            ("flipped byte", flipped, "damaged"),
            ("header checksum", badChecksum, "checksum"),
            ("truncated", good.prefix(good.count / 3), "truncated"),
            ("not an archive", Data(repeating: 0x41, count: 4096), "ustar"),
            ("empty", Data(), "truncated"),
            (
                "climbing out", try crafted("climb", addFile.replacingOccurrences(of: "NAME", with: "\"../../evil\"")),
                "not a name"
            ),
            (
                "absolute", try crafted("absolute", addFile.replacingOccurrences(of: "NAME", with: "\"/tmp/evil\"")),
                "not a name"
            ),
            (
                "symbolic link",
                try crafted(
                    "link",
                    "i = tarfile.TarInfo(\"replica.sqlite\"); i.type = tarfile.SYMTYPE; i.linkname = \"/etc/passwd\"; t.addfile(i)"
                ),
                "not a regular file"
            ),
            (
                "no manifest",
                try crafted("bare", addFile.replacingOccurrences(of: "NAME", with: "\"replica.sqlite\"")),
                "no courtsync-backup.json"
            ),
        ]
        for (name, bytes, reason) in cases {
            let file = net.folder.path("\(name).courtsync-backup")
            try bytes.write(to: file)
            let target = net.folder.path("restored-\(name)").path
            let result = try net.run(["restore", "--data-dir", target, file.path])
            #expect(result.status == 1, "\(name)")
            #expect(result.stderr.contains(reason), "\(name): \(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: target), "\(name) left \(target)")
            let strays = try FileManager.default.contentsOfDirectory(atPath: net.folder.url.path)
                .filter { $0.contains("restoring") }
            #expect(strays.isEmpty, "\(name) left \(strays)")
        }
        // Altered and re-hashed by someone without the key: node.json rewritten, its size and
        // SHA-256 in the manifest made to match; the node's signature of the manifest no longer does.
        let altered = net.folder.path("altered.courtsync-backup")
        let script = """
            import tarfile, io, json, hashlib, sys
            src = tarfile.open(sys.argv[1]); out = tarfile.open(sys.argv[2], "w", format=tarfile.USTAR_FORMAT)
            members = [(m, src.extractfile(m).read()) for m in src.getmembers()]
            config = next(b for m, b in members if m.name == "node.json")
            evil = config.replace(b"127.0.0.1", b"10.66.66.66")
            for m, b in members:
                if m.name == "node.json": b = evil
                if m.name == "courtsync-backup.json":
                    doc = json.loads(b)
                    for f in doc["files"]:
                        if f["path"] == "node.json": f["size"] = len(evil); f["sha256"] = hashlib.sha256(evil).hexdigest()
                    b = json.dumps(doc).encode()
                m.size = len(b); out.addfile(m, io.BytesIO(b))
            out.close()
            """
        try script.write(to: net.folder.path("alter.py"), atomically: true, encoding: .utf8)
        let made = try CommandRunner.shell(
            "python3 '\(net.folder.path("alter.py").path)' '\(archive.path)' '\(altered.path)'")
        #expect(made.status == 0, "\(made.stderr)")
        let forged = try net.run(["restore", "--data-dir", net.folder.path("forged").path, altered.path])
        #expect(forged.status == 1)
        #expect(forged.stderr.contains("signature does not verify"), "\(forged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: net.folder.path("forged").path))

        // A hub is not put back from a node backup (courts would not return what it lost).
        let hubArchive = net.folder.path("hub.courtsync-backup")
        #expect(try net.run(["backup", "--data-dir", net.dir("最高法"), "--out", hubArchive.path]).status == 0)
        let hubRestore = try net.run(["restore", "--data-dir", net.folder.path("hub-again").path, hubArchive.path])
        #expect(hubRestore.status == 1)
        #expect(hubRestore.stderr.contains("hub's backup"), "\(hubRestore.stderr)")

        // Over a live node without --force: refused, the node untouched.
        let over = try net.run(["restore", "--data-dir", bj, archive.path])
        #expect(over.status == 1)
        #expect(over.stderr.contains("--force"), "\(over.stderr)")
        #expect(try net.digest("京0105") == digest)
        // With --force, the old contents are moved aside, not deleted.
        let forced = try net.run(["restore", "--data-dir", bj, archive.path, "--force", "--json"])
        #expect(forced.status == 0, "\(forced.stderr)")
        let aside = try #require(forced.json["replacedTo"] as? String)
        #expect(FileManager.default.fileExists(atPath: aside + "/replica.sqlite"))
        #expect(try net.digest("京0105") == digest)
    }
}
