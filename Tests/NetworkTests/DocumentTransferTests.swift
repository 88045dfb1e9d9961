import Foundation
import Testing
import TestSupport

/// Documents between real `courtsync serve` processes over HTTP: 京0105 sends a letter and a
/// judgment with its matter, 粤0106 receives them byte for byte and answers with a receipt,
/// 沪0115 learns nothing; a receiver killed mid-transfer resumes from its last whole chunk.
@Suite("documents between daemons", .serialized)
struct DocumentTransferTests {
    static func pdf(_ net: DaemonNetwork, _ name: String, size: Int) throws -> String {
        try TestDocuments.pdf(size: size, at: net.folder.path(name)).path
    }

    /// Whether `court` holds `count` documents of the matter, all of them here.
    static func allHere(_ net: DaemonNetwork, _ court: String, _ id: String, count: Int) throws -> Bool {
        let here = try documentsHere(net, court, id)
        return here.count == count && here.values.allSatisfy { $0 }
    }

    static func documentsHere(_ net: DaemonNetwork, _ court: String, _ id: String) throws -> [String: Bool] {
        let result = try net.run(["matter", "documents", "--data-dir", net.dir(court), id, "--json"])
        guard result.status == 0, let list = result.json["documents"] as? [[String: Any]] else { return [:] }
        var here: [String: Bool] = [:]
        for document in list { here[document["hash"] as! String] = document["here"] as? Bool ?? false }
        return here
    }

    @Test("letter and judgment reach 粤0106 and the hub, the receipt comes back, 沪0115 gets nothing")
    func partiesOnly() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106", "沪0115"])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let letter = try Self.pdf(net, "委托执行函.pdf", size: 6 << 20)
        let judgment = try Self.pdf(net, "判决书.pdf", size: 3 << 20)
        let created = try net.run([
            "matter", "create", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执123号", "--to", "粤0106",
            "--kind", "documents:serve", "--attach", "entrustment-letter=\(letter)", "--attach", "judgment=\(judgment)",
            "--json",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        let id = try #require(created.json["id"] as? String)
        let hashes = try #require((created.json["documents"] as? [[String: Any]])?.compactMap { $0["hash"] as? String })
        #expect(hashes.count == 2)

        #expect(
            try await eventually(within: 60) { try Self.allHere(net, "粤0106", id, count: 2) }, "\(net.logs())")
        for (hash, original) in zip(hashes, [letter, judgment]) {
            let out = net.folder.path("got-\(hash.prefix(8)).pdf")
            let got = try net.run(["document", "get", "--data-dir", net.dir("粤0106"), hash, "--out", out.path])
            #expect(got.status == 0, "\(got.stderr)")
            #expect(try Data(contentsOf: out) == Data(contentsOf: URL(fileURLWithPath: original)))
        }

        #expect(try net.run(["matter", "sign", "--data-dir", net.dir("粤0106"), id]).status == 0)
        let receipt = try Self.pdf(net, "送达回证.pdf", size: 400_000)
        let attached = try net.run([
            "matter", "attach", "--data-dir", net.dir("粤0106"), id, "--kind", "service-receipt", receipt, "--json",
        ])
        #expect(attached.status == 0, "\(attached.stderr)")
        #expect(
            try net.run(["matter", "complete", "--data-dir", net.dir("粤0106"), id, "--outcome", "full"]).status == 0)
        #expect(
            try await eventually(within: 60) { try Self.allHere(net, "京0105", id, count: 3) }, "\(net.logs())")
        #expect(try await eventually { try net.matters("京0105")[id] == "completed" })

        // 沪0115 holds neither the matter nor any document.
        #expect(try net.count("沪0115", "SELECT count(*) FROM events") == 0)
        #expect(try net.count("沪0115", "SELECT count(*) FROM documents") == 0)
        // The hub's read log: each court fetched only its counterpart's documents.
        let reads = try net.run(["audit", "reads", "--data-dir", net.dir("最高法"), "--matter", id, "--json"])
        let rows = try #require(reads.json["reads"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["readerCourt"] as? String }) == ["京0105", "粤0106"])
        #expect(!rows.contains { $0["readerCourt"] as? String == "沪0115" })
        #expect(try net.run(["audit", "verify", "--data-dir", net.dir("最高法")]).status == 0)
        for daemon in net.daemons.values { #expect(daemon.stop() == 0) }
    }

    @Test("a receiver killed mid-transfer resumes from its last whole chunk; nothing is ever partial under its name")
    func killedMidTransfer() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106"])
        try net.daemons["最高法"]!.start(runner: net.cli)
        try net.daemons["京0105"]!.start(runner: net.cli)
        let chunk = 4 << 20
        let letter = try Self.pdf(net, "letter.pdf", size: 5 * chunk + 777)
        let judgment = try Self.pdf(net, "judgment.pdf", size: 100_000)
        let created = try net.run([
            "matter", "create", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执7号", "--to", "粤0106",
            "--kind", "documents:serve", "--attach", "entrustment-letter=\(letter)", "--attach", "judgment=\(judgment)",
            "--json",
        ])
        let id = try #require(created.json["id"] as? String)
        let hash = try #require((created.json["documents"] as? [[String: Any]])?.first?["hash"] as? String)
        #expect(
            try await eventually(within: 60) { try net.count("最高法", "SELECT count(*) FROM documents") == 2 },
            "\(net.logs())")

        // 粤0106's daemon dies (SIGKILL, by itself) right after writing its 4th chunk: the judgment
        // (one chunk) and three of the letter's six.
        var crashing = net.cli
        crashing.environment["COURTSYNC_CRASH_AT"] = "document-chunk-written@4"
        try net.daemons["粤0106"]!.start(runner: crashing)
        #expect(try await eventually(within: 60) { !net.daemons["粤0106"]!.isRunning }, "\(net.logs())")
        let partial = URL(fileURLWithPath: net.dir("粤0106")).appendingPathComponent("documents/partial/\(hash)")
        let final = URL(fileURLWithPath: net.dir("粤0106")).appendingPathComponent("documents/\(hash.prefix(2))/\(hash)")
        let partialSize = (try FileManager.default.attributesOfItem(atPath: partial.path)[.size] as? NSNumber)?.intValue
        #expect(partialSize == 3 * chunk)
        #expect(!FileManager.default.fileExists(atPath: final.path))
        let progress = try net.run(["peers", "--data-dir", net.dir("粤0106")])
        #expect(progress.stdout.contains("材料传输中"), "\(progress.stdout)")

        try net.daemons["粤0106"]!.start(runner: net.cli)
        #expect(
            try await eventually(within: 60) { try Self.documentsHere(net, "粤0106", id)[hash] == true }, "\(net.logs())"
        )
        #expect(try Data(contentsOf: final) == Data(contentsOf: URL(fileURLWithPath: letter)))
        #expect(!FileManager.default.fileExists(atPath: partial.path))
        // The hub served the letter to 粤0106 once and a half at most: fewer than two chunks again.
        let served = try net.count(
            "最高法",
            "SELECT coalesce(sum(bytes), 0) FROM document_reads WHERE hash = '\(hash)' AND reader_court = '粤0106'")
        #expect(served < 5 * chunk + 777 + 2 * chunk, "served \(served) bytes")
        #expect(served >= 5 * chunk + 777)
        for daemon in net.daemons.values { daemon.stop() }
    }
}
