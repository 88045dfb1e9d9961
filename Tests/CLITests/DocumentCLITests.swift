import Foundation
import Testing
import TestSupport

/// Documents through the real `courtsync` binary: what a create needs, the node's limits, content
/// addressing, change files that carry documents, the audit, the read log, 补办 and its lapse,
/// and a kill while a document is stored.
@Suite("documents (CLI)", .serialized)
struct DocumentCLITests {
    static let at = "2025-09-02T10:00:00+08:00"

    /// A PDF-looking file of `size` random bytes.
    static func pdf(_ courts: TwoCourts, _ name: String, size: Int = 200_000) throws -> String {
        try TestDocuments.pdf(size: size, at: courts.temp.path(name)).path
    }

    static func create(_ courts: TwoCourts, sequence: Int, attach: [String], extra: [String] = [], at: String = at)
        throws -> CommandRunner.Result
    {
        try courts.run(
            [
                "matter", "create", "--data-dir", courts.beijing, "--case", "（2025）京0105执\(sequence)号", "--to",
                "粤0106", "--kind", "documents:serve", "--json",
            ] + attach.flatMap { ["--attach", $0] } + extra, at: at)
    }

    static func storedFiles(_ dataDir: String) -> [String] {
        let folder = URL(fileURLWithPath: dataDir).appendingPathComponent("documents").path
        return ((try? FileManager.default.subpathsOfDirectory(atPath: folder)) ?? []).filter {
            $0.count == 67 && !$0.hasPrefix("partial")
        }
    }

    @Test("a create without its required documents is refused unless --documents-later, then shows 材料待补")
    func requiredDocuments() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let letter = try Self.pdf(courts, "letter.pdf")
        let refused = try Self.create(courts, sequence: 1, attach: ["entrustment-letter=\(letter)"])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("judgment") && refused.stderr.contains("生效法律文书"), "\(refused.stderr)")
        #expect(Self.storedFiles(courts.beijing).isEmpty)
        #expect(
            (try courts.json(["matter", "list", "--data-dir", courts.beijing], at: Self.at)["matters"] as? [Any])?
                .isEmpty == true)

        let later = try Self.create(
            courts, sequence: 1, attach: ["entrustment-letter=\(letter)"], extra: ["--documents-later"])
        #expect(later.status == 0, "\(later.stderr)")
        let id = try #require(later.json["id"] as? String)
        #expect(later.json["missingDocuments"] as? [String] == ["judgment"])
        let shown = try courts.run(["matter", "show", "--data-dir", courts.beijing, id], at: Self.at)
        #expect(shown.stdout.contains("材料待补") && shown.stdout.contains("生效法律文书"), "\(shown.stdout)")

        let judgment = try Self.pdf(courts, "judgment.pdf")
        let attached = try courts.json(
            ["matter", "attach", "--data-dir", courts.beijing, id, "--kind", "judgment", judgment], at: Self.at)
        #expect(attached["missingDocuments"] as? [String] == [])
        // The entrusting court cannot attach the entrusted court's kinds.
        let receipt = try courts.run(
            ["matter", "attach", "--data-dir", courts.beijing, id, "--kind", "receipt", judgment], at: Self.at)
        #expect(receipt.status != 0 && receipt.stderr.contains("受托法院"), "\(receipt.stderr)")
    }

    @Test("a document over the limit or not of an accepted format is refused, and nothing is stored")
    func limits() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let letter = try Self.pdf(courts, "letter.pdf")
        // 150 MiB, sparse: its size is what matters.
        let huge = courts.temp.path("huge.pdf")
        try Data("%PDF-1.7\n".utf8).write(to: huge)
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: 150 << 20)
        try handle.close()
        let tooLarge = try Self.create(
            courts, sequence: 1, attach: ["entrustment-letter=\(letter)", "judgment=\(huge.path)"])
        #expect(tooLarge.status != 0 && tooLarge.stderr.contains("limit"), "\(tooLarge.stderr)")

        let exe = courts.temp.path("judgment.pdf")
        try Data([0x4D, 0x5A, 0x90, 0x00] + [UInt8](repeating: 7, count: 5000)).write(to: exe)
        let notPDF = try Self.create(
            courts, sequence: 1, attach: ["entrustment-letter=\(letter)", "judgment=\(exe.path)"])
        #expect(notPDF.status != 0, "\(notPDF.stdout)")
        #expect(notPDF.stderr.contains("not a PDF, OFD, JPEG, PNG or TIFF"), "\(notPDF.stderr)")
        #expect(Self.storedFiles(courts.beijing).isEmpty)
        #expect(
            (try courts.json(["matter", "list", "--data-dir", courts.beijing], at: Self.at)["matters"] as? [Any])?
                .isEmpty == true)
    }

    @Test("change files carry documents; the copy is byte-identical, stored once, audited and its reads logged")
    func changeFilesAuditAndReads() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let letter = try Self.pdf(courts, "letter.pdf", size: 9 << 20)
        let judgment = try Self.pdf(courts, "judgment.pdf")
        let first = try Self.create(
            courts, sequence: 1, attach: ["entrustment-letter=\(letter)", "judgment=\(judgment)"])
        let id = try #require(first.json["id"] as? String)
        // The same judgment for a second matter: one copy on disk.
        let second = try Self.create(
            courts, sequence: 2, attach: ["entrustment-letter=\(letter)", "judgment=\(judgment)"])
        #expect(second.status == 0)
        #expect(Self.storedFiles(courts.beijing).count == 2)
        let documents = try #require(first.json["documents"] as? [[String: Any]])
        let letterHash = try #require(documents.first?["hash"] as? String)

        // Without documents, the events travel and the documents wait.
        let bare = courts.temp.path("bare.csync").path
        let exported = try courts.json(
            ["export", "--data-dir", courts.beijing, "--out", bare, "--for", "粤0106", "--without-documents"],
            at: Self.at)
        #expect(exported["documents"] as? Int == 0)
        _ = try courts.json(["import", "--data-dir", courts.guangzhou, bare], at: Self.at)
        let waiting = try courts.json(["matter", "documents", "--data-dir", courts.guangzhou, id], at: Self.at)
        #expect((waiting["documents"] as? [[String: Any]])?.allSatisfy { $0["here"] as? Bool == false } == true)
        let notHere = try courts.run(
            ["document", "get", "--data-dir", courts.guangzhou, letterHash, "--out", courts.temp.path("x").path],
            at: Self.at)
        #expect(notHere.status != 0 && notHere.stderr.contains("not arrived"), "\(notHere.stderr)")

        // With documents (the default), they arrive whole.
        let file = courts.temp.path("full.csync").path
        let full = try courts.json(
            ["export", "--data-dir", courts.beijing, "--out", file, "--for", "粤0106"], at: Self.at)
        #expect(full["documents"] as? Int == 2)
        let imported = try courts.json(["import", "--data-dir", courts.guangzhou, file], at: Self.at)
        #expect(imported["documents"] as? Int == 2)
        let out = courts.temp.path("copy.pdf")
        _ = try courts.json(
            ["document", "get", "--data-dir", courts.guangzhou, letterHash, "--out", out.path], at: Self.at)
        #expect(try Data(contentsOf: out) == Data(contentsOf: URL(fileURLWithPath: letter)))
        let opened = try courts.run(
            ["document", "get", "--data-dir", courts.guangzhou, letterHash, "--out", "-"], at: Self.at)
        #expect(opened.status == 0 && opened.stdout.hasPrefix("%PDF-1.7\n"), "\(opened.stderr)")

        // Each read is logged: who, how, when.
        let reads = try courts.json(["audit", "reads", "--data-dir", courts.guangzhou, "--matter", id], at: Self.at)
        let rows = try #require(reads["reads"] as? [[String: Any]])
        #expect(rows.map { $0["how"] as? String } == ["saved", "opened"])
        #expect(rows.allSatisfy { $0["readerCourt"] as? String == "粤0106" && $0["hash"] as? String == letterHash })

        // A change file whose document bytes were altered is refused whole; nothing changes.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        bytes[bytes.count - 100] ^= 0xFF
        let altered = courts.temp.path("altered.csync")
        try bytes.write(to: altered)
        let refused = try courts.run(["import", "--data-dir", courts.guangzhou, altered.path], at: Self.at)
        #expect(refused.status != 0, "a document whose bytes do not match its hash was accepted")

        // audit verify re-hashes every document and names one altered on disk.
        #expect(try courts.run(["audit", "verify", "--data-dir", courts.guangzhou], at: Self.at).status == 0)
        let stored = URL(fileURLWithPath: courts.guangzhou).appendingPathComponent(
            "documents/\(letterHash.prefix(2))/\(letterHash)")
        var onDisk = try Data(contentsOf: stored)
        onDisk[12345] ^= 1
        try onDisk.write(to: stored)
        let audit = try courts.run(["audit", "verify", "--data-dir", courts.guangzhou], at: Self.at)
        #expect(audit.status == 1)
        #expect(audit.stdout.contains(letterHash) && audit.stdout.contains("altered"), "\(audit.stdout)")
        let getAltered = try courts.run(
            ["document", "get", "--data-dir", courts.guangzhou, letterHash, "--out", courts.temp.path("y").path],
            at: Self.at)
        #expect(getAltered.status != 0 && !FileManager.default.fileExists(atPath: courts.temp.path("y").path))
    }

    @Test("a change file with a tampered document is refused whole and leaves the receiver unchanged")
    func tamperedDocumentInChangeFile() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let letter = try Self.pdf(courts, "letter.pdf", size: 5 << 20)
        let judgment = try Self.pdf(courts, "judgment.pdf")
        _ = try Self.create(courts, sequence: 1, attach: ["entrustment-letter=\(letter)", "judgment=\(judgment)"])
        let file = courts.temp.path("full.csync")
        _ = try courts.json(
            ["export", "--data-dir", courts.beijing, "--out", file.path, "--for", "粤0106"], at: Self.at)
        let before = try courts.replicaBytes(courts.guangzhou)
        for (name, change) in [
            ("a flipped byte in a document", { (d: inout Data) in d[d.count - 10] ^= 0xFF }),
            ("a truncated document", { (d: inout Data) in d.removeLast(1000) }),
            ("trailing junk", { (d: inout Data) in d.append(contentsOf: [1, 2, 3]) }),
        ] {
            var bytes = try Data(contentsOf: file)
            change(&bytes)
            let bad = courts.temp.path("bad.csync")
            try bytes.write(to: bad)
            let result = try courts.run(["import", "--data-dir", courts.guangzhou, bad.path], at: Self.at)
            #expect(result.status != 0, "\(name) was accepted")
            #expect(Self.storedFiles(courts.guangzhou).isEmpty, "\(name)")
            #expect(try courts.replicaBytes(courts.guangzhou) == before, "\(name)")
        }
    }

    @Test("a 补办 not answered in 30 days leaves the matter withdrawn (视为撤回) on both replicas; answered, it stays open")
    func supplementLapses() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let letter = try Self.pdf(courts, "letter.pdf")
        let judgment = try Self.pdf(courts, "judgment.pdf")
        var ids: [String] = []
        for sequence in 1...2 {
            let created = try Self.create(
                courts, sequence: sequence, attach: ["entrustment-letter=\(letter)", "judgment=\(judgment)"])
            ids.append(try #require(created.json["id"] as? String))
        }
        _ = try courts.carry(from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: Self.at)
        let asked = "2025-09-03T10:00:00+08:00"
        for id in ids {
            let requested = try courts.json(
                [
                    "matter", "request-supplement", "--data-dir", courts.guangzhou, id, "--kinds", "supplement",
                    "--note", "缺送达地址确认书",
                ], at: asked)
            let supplement = try #require(requested["supplement"] as? [String: Any])
            // 30 days from 2025-09-03 is 2025-10-03, in the National Day holiday: rolled to the 9th.
            #expect(supplement["due"] as? String == "2025-10-09")
            #expect(supplement["status"] as? String == "open")
        }
        _ = try courts.carry(from: courts.guangzhou, to: courts.beijing, forCourt: "京0105", at: asked)
        let extra = try Self.pdf(courts, "补充.pdf")
        _ = try courts.json(
            ["matter", "attach", "--data-dir", courts.beijing, ids[1], "--kind", "supplement", extra],
            at: "2025-10-09T23:00:00+08:00")
        _ = try courts.carry(
            from: courts.beijing, to: courts.guangzhou, forCourt: "粤0106", at: "2025-10-09T23:30:00+08:00")

        for (dir, time) in [
            (courts.guangzhou, "2025-10-09T23:59:00+08:00"), (courts.beijing, "2025-10-09T23:59:00+08:00"),
        ] {
            let open = try courts.json(["matter", "show", "--data-dir", dir, ids[0]], at: time)
            #expect((open["matter"] as? [String: Any])?["state"] as? String == "sent")
        }
        for dir in [courts.guangzhou, courts.beijing] {
            let lapsed = try courts.json(
                ["matter", "show", "--data-dir", dir, ids[0]], at: "2025-10-10T00:00:00+08:00")
            let matter = try #require(lapsed["matter"] as? [String: Any])
            #expect(matter["state"] as? String == "withdrawn")
            #expect(matter["deemedWithdrawn"] as? Bool == true)
            #expect(matter["withdrawnAt"] as? String == "2025-10-10T00:00:00+08:00")
            let answered = try courts.json(
                ["matter", "show", "--data-dir", dir, ids[1]], at: "2025-10-20T00:00:00+08:00")
            #expect((answered["matter"] as? [String: Any])?["state"] as? String == "sent")
        }
        // The entrusted court can no longer sign the lapsed matter.
        let sign = try courts.run(
            ["matter", "sign", "--data-dir", courts.guangzhou, ids[0]], at: "2025-10-11T09:00:00+08:00")
        #expect(sign.status != 0 && sign.stderr.contains("视为撤回"), "\(sign.stderr)")
        #expect(
            try courts.run(["audit", "verify", "--data-dir", courts.beijing], at: "2025-10-11T09:00:00+08:00").status
                == 0)
    }

    @Test("a kill while a document is stored leaves no file under its final name and no attach; the retry works")
    func killWhileStoring() throws {
        let courts = try TwoCourts()
        defer { courts.remove() }
        try courts.initialise()
        let letter = try Self.pdf(courts, "letter.pdf", size: 3 << 20)
        let judgment = try Self.pdf(courts, "judgment.pdf")
        let created = try Self.create(
            courts, sequence: 1, attach: ["entrustment-letter=\(letter)", "judgment=\(judgment)"])
        let id = try #require(created.json["id"] as? String)
        let receipt = try Self.pdf(courts, "other.pdf", size: 1 << 20)
        let killed = try courts.cli.run(
            ["matter", "attach", "--data-dir", courts.beijing, id, "--kind", "other", receipt],
            environment: ["COURTSYNC_NOW": Self.at, "COURTSYNC_CRASH_AT": "document-synced"])
        #expect(killed.status != 0)
        #expect(Self.storedFiles(courts.beijing).count == 2)
        let shown = try courts.json(["matter", "documents", "--data-dir", courts.beijing, id], at: Self.at)
        #expect((shown["documents"] as? [Any])?.count == 2)
        let again = try courts.json(
            ["matter", "attach", "--data-dir", courts.beijing, id, "--kind", "other", receipt], at: Self.at)
        #expect((again["documents"] as? [Any])?.count == 3)
        #expect(Self.storedFiles(courts.beijing).count == 3)
        #expect(try courts.run(["audit", "verify", "--data-dir", courts.beijing], at: Self.at).status == 0)
    }
}
