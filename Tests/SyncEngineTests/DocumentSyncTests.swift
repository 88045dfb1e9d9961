import Entrustment
import Foundation
import Node
import Replica
import SyncEngine
import Synchronization
import Testing
import TestSupport

/// Documents travelling with their matters between real replicas and document stores in one
/// process, through the real responders (no HTTP): to the parties and the hub only, chunk by
/// chunk, deduplicated, and resumed from the last whole chunk after a cut.
@Suite("documents, in process")
struct DocumentSyncTests {
    /// A PDF-looking file of `size` random (incompressible) bytes.
    static func pdf(_ size: Int, in folder: TemporaryDirectory, name: String) throws -> URL {
        try TestDocuments.pdf(size: size, at: folder.path(name))
    }

    /// One operator round of `court` with the hub over `transport`.
    static func round(
        _ net: InProcessNetwork, _ court: String, over transport: any SyncTransport
    ) async -> [SyncScheduler.LinkRound] {
        let member = net.members[court]!
        return await SyncScheduler(
            node: member.node, config: member.config, links: [net.link(court, to: "最高法", transport: transport)],
            notifier: member.notifier, logger: .init(label: "test")
        ).syncNow()
    }

    static func draft(_ sequence: Int, kind: String = "documents:serve") -> MatterDraft {
        MatterDraft(caseNumber: "（2026）京0105执\(sequence)号", entrustedCourt: "粤0106", kind: kind)
    }

    @Test("a letter and a judgment reach the entrusted court and the hub byte for byte; a third court learns nothing")
    func partiesAndHubOnly() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106", "沪0115"] { try net.add(court) }
        let letter = try Self.pdf(9 << 20, in: net.folder, name: "letter.pdf")
        let judgment = try Self.pdf(300_000, in: net.folder, name: "judgment.pdf")
        let bj = net.members["京0105"]!.node
        let matter = try bj.createMatter(
            Self.draft(1),
            attaching: [
                DocumentFile(kind: .entrustmentLetter, file: letter), DocumentFile(kind: .judgment, file: judgment),
            ],
            documentsLater: false, limits: .init())
        #expect(matter.documents.map(\.reference.kind) == [.entrustmentLetter, .judgment])
        #expect(matter.missingDocuments.isEmpty)
        let hashes = matter.documents.map(\.reference.hash)

        try await net.settle(["京0105", "粤0106", "沪0115"], with: "最高法")
        let gz = net.members["粤0106"]!.node
        for (hash, original) in zip(hashes, [letter, judgment]) {
            for court in ["最高法", "粤0106"] {
                let store = net.members[court]!.node.documentStore()
                #expect(store.holds(hash), "\(court) lacks \(hash.hex.prefix(12))")
                #expect(try Data(contentsOf: store.url(of: hash)) == Data(contentsOf: original))
            }
        }
        let third = net.members["沪0115"]!.node
        #expect(try third.replica.eventCount() == 0)
        #expect(!FileManager.default.fileExists(atPath: third.dataDirectory.appendingPathComponent("documents").path))

        // Asked directly, the hub answers a third court the same whether the hash exists or not.
        let asThird = LocalTransport(to: net.hub.responder, signer: RequestSigner(node: third))
        let unknown = DocumentHash(of: Array("nothing".utf8), suite: .ed25519)
        for hash in [hashes[0], unknown] {
            await #expect(throws: SyncError.self) { _ = try await asThird.documentStatus(hash) }
            do {
                _ = try await asThird.documentChunk(hash, index: 0)
                Issue.record("a third court got a chunk")
            } catch let error as SyncError {
                #expect(error.code == "unknownDocument" && error.status == 404)
                #expect(!error.message.contains("exists"))
            }
            let put = DocumentChunk(encoding: Array("%PDF-1.7\n".utf8), suite: .ed25519)
            do {
                _ = try await asThird.putDocumentChunk(put, hash: hash, index: 0)
                Issue.record("a third court uploaded a chunk")
            } catch let error as SyncError {
                #expect(error.code == "unknownDocument")
            }
        }

        // The entrusted court answers with a receipt; it reaches the entrusting court.
        _ = try gz.act(on: matter.id.rawValue, .sign(note: ""))
        let receipt = try Self.pdf(50_000, in: net.folder, name: "回执.pdf")
        let attached = try gz.attach(
            DocumentFile(kind: .receipt, file: receipt), to: matter.id.rawValue, note: "已送达", limits: .init())
        _ = try gz.act(on: matter.id.rawValue, .complete(outcome: .full, feedback: "已送达"))
        try await net.settle(["京0105", "粤0106", "沪0115"], with: "最高法")
        let receiptHash = try #require(attached.documents.last?.reference.hash)
        #expect(bj.documentStore().holds(receiptHash))
        #expect(try bj.matter(matter.id.rawValue).state == .completed)

        // The hub's read log names who fetched each document.
        let reads = try net.hub.node.documentReads(matter: matter.id.rawValue, hash: nil)
        #expect(Set(reads.filter { $0.hash == hashes[0].hex }.map(\.readerCourt)) == ["粤0106"])
        #expect(Set(reads.filter { $0.hash == receiptHash.hex }.map(\.readerCourt)) == ["京0105"])
        #expect(reads.filter { $0.hash == hashes[0].hex }.map(\.bytes).reduce(0, +) == Int64(9 << 20))
    }

    @Test("naming a hash seen elsewhere opens nothing: a superior's own attach, and its accomplice, get no bytes")
    func attachingAHashIsNotReadingIt() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106", "京", "沪0115"] { try net.add(court) }
        let bj = net.members["京0105"]!.node
        let letter = try Self.pdf(2 << 20, in: net.folder, name: "letter.pdf")
        let judgment = try Self.pdf(10_000, in: net.folder, name: "judgment.pdf")
        let matter = try bj.createMatter(
            Self.draft(1),
            attaching: [
                DocumentFile(kind: .entrustmentLetter, file: letter), DocumentFile(kind: .judgment, file: judgment),
            ],
            documentsLater: false, limits: .init())
        let courts = ["京0105", "粤0106", "京", "沪0115"]
        try await net.settle(courts, with: "最高法")
        let reference = matter.documents[0].reference
        // 京, the high court above 京0105, sees the attach (not the bytes); it entrusts a matter of
        // its own to 沪0115 and names the same hash in an attach of its own.
        let high = net.members["京"]!.node
        #expect(try high.matter(matter.id.rawValue).documents.map(\.reference.hash).contains(reference.hash))
        let decoy = try high.createMatter(
            MatterDraft(caseNumber: "（2026）京执1号", entrustedCourt: "沪0115", kind: "documents:serve"))
        _ = try high.act(on: decoy.id.rawValue, .attach(document: reference, note: ""))
        try await net.settle(courts, with: "最高法")
        let accomplice = net.members["沪0115"]!.node
        #expect(try accomplice.matter(decoy.id.rawValue).documents.count == 1)
        for node in [high, accomplice] {
            #expect(!node.documentStore().holds(reference.hash))
            let asking = LocalTransport(to: net.hub.responder, signer: RequestSigner(node: node))
            let status = try await asking.documentStatus(reference.hash)
            #expect(!status.complete && status.chunks == nil)
            do {
                _ = try await asking.documentChunk(reference.hash, index: 0)
                Issue.record("\(node.identity.court) read a document through an attach it or its accomplice made")
            } catch let error as SyncError {
                #expect(error.code == "documentIncomplete")
            }
        }
        #expect(
            try net.hub.node.documentReads(matter: nil, hash: reference.hash.hex).allSatisfy {
                $0.readerCourt == "粤0106"
            })
    }

    @Test("content already held is neither stored twice nor sent again")
    func deduplication() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106"] { try net.add(court) }
        let bj = net.members["京0105"]!.node
        let letter = try Self.pdf(5 << 20, in: net.folder, name: "letter.pdf")
        let judgment = try Self.pdf(10_000, in: net.folder, name: "judgment.pdf")
        let files = [
            DocumentFile(kind: .entrustmentLetter, file: letter), DocumentFile(kind: .judgment, file: judgment),
        ]
        _ = try bj.createMatter(Self.draft(1), attaching: files, documentsLater: false, limits: .init())
        try await net.settle(["京0105", "粤0106"], with: "最高法")
        _ = try bj.createMatter(Self.draft(2), attaching: files, documentsLater: false, limits: .init())
        let rounds = await net.sync("京0105", with: ["最高法"])
        #expect(rounds.first?.documents?.bytesSent == 0)
        let again = await net.sync("粤0106", with: ["最高法"])
        #expect(again.first?.documents?.bytesReceived == 0)
        for court in ["京0105", "粤0106", "最高法"] {
            let folder = net.members[court]!.node.dataDirectory.appendingPathComponent("documents")
            let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter {
                $0.count == 67 && !$0.hasPrefix("partial")
            }
            #expect(files.count == 2, "\(court): \(files)")
        }
    }

    @Test("a download cut after some chunks resumes from the last whole chunk, not from zero")
    func resumeAfterCut() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106"] { try net.add(court) }
        let bj = net.members["京0105"]!.node
        let size = 5 * DocumentStore.chunkSize + 1234
        let letter = try Self.pdf(size, in: net.folder, name: "letter.pdf")
        let judgment = try Self.pdf(10_000, in: net.folder, name: "judgment.pdf")
        let matter = try bj.createMatter(
            Self.draft(1),
            attaching: [
                DocumentFile(kind: .entrustmentLetter, file: letter), DocumentFile(kind: .judgment, file: judgment),
            ],
            documentsLater: false, limits: .init())
        await net.sync("京0105", with: ["最高法"])
        let hash = matter.documents[0].reference.hash

        let gz = net.members["粤0106"]!
        let direct = LocalTransport(to: net.hub.responder, signer: RequestSigner(node: gz.node))
        let cutting = CuttingTransport(inner: direct, chunksBeforeCut: 3)
        let round = await Self.round(net, "粤0106", over: cutting)
        #expect(round.first?.ok == false)
        let store = gz.node.documentStore()
        #expect(!store.holds(hash))
        let partial = try FileManager.default.attributesOfItem(atPath: store.partialURL(of: hash).path)
        // The smaller document came first (whole), then three chunks of the letter.
        #expect((partial[.size] as? NSNumber)?.intValue == 2 * DocumentStore.chunkSize)
        let transfers = try gz.node.replica.documentTransfers()
        #expect(transfers.contains { $0.hash == hash.hex && $0.direction == "download" && $0.total == Int64(size) })

        let counting = CuttingTransport(inner: direct, chunksBeforeCut: .max)
        let resumed = await Self.round(net, "粤0106", over: counting)
        #expect(resumed.first?.ok == true, "\(resumed)")
        #expect(store.holds(hash))
        #expect(try Data(contentsOf: store.url(of: hash)) == Data(contentsOf: letter))
        // Six chunks in all; two were already here: four fetched again.
        #expect(counting.fetched == 4)
        #expect(!FileManager.default.fileExists(atPath: store.partialURL(of: hash).path))
        #expect(try gz.node.replica.documentTransfers().isEmpty)
    }

    @Test("an upload the hub receives in part is completed from where it stopped; a wrong chunk changes nothing")
    func uploadResumesAndRefusesBadChunks() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106"] { try net.add(court) }
        let bj = net.members["京0105"]!
        let size = 3 * DocumentStore.chunkSize
        let letter = try Self.pdf(size, in: net.folder, name: "letter.pdf")
        let judgment = try Self.pdf(10_000, in: net.folder, name: "judgment.pdf")
        let matter = try bj.node.createMatter(
            Self.draft(1),
            attaching: [
                DocumentFile(kind: .entrustmentLetter, file: letter), DocumentFile(kind: .judgment, file: judgment),
            ],
            documentsLater: false, limits: .init())
        let hash = matter.documents[0].reference.hash
        let direct = LocalTransport(to: net.hub.responder, signer: RequestSigner(node: bj.node))
        // The small judgment goes first (smallest first), then one chunk of the letter.
        let cutting = CuttingTransport(inner: direct, chunksBeforeCut: 2)
        let first = await Self.round(net, "京0105", over: cutting)
        #expect(first.first?.ok == false)
        let status = try await direct.documentStatus(hash)
        #expect(!status.complete && status.received == DocumentStore.chunkSize, "\(status)")

        // A chunk whose bytes do not match its digest, or out of order, is refused.
        let chunk = try bj.node.documentStore().chunk(1, of: hash)
        var tampered = DocumentChunk(encoding: chunk, suite: .ed25519)
        tampered.body[10] ^= 1
        await #expect(throws: SyncError.self) { _ = try await direct.putDocumentChunk(tampered, hash: hash, index: 1) }
        do {
            _ = try await direct.putDocumentChunk(DocumentChunk(encoding: chunk, suite: .ed25519), hash: hash, index: 2)
            Issue.record("an out-of-order chunk was accepted")
        } catch let error as SyncError {
            #expect(error.code == "badChunk" || error.code == "chunkOutOfOrder")
        }
        #expect(try await direct.documentStatus(hash).received == DocumentStore.chunkSize)

        let counting = CuttingTransport(inner: direct, chunksBeforeCut: .max)
        let second = await Self.round(net, "京0105", over: counting)
        #expect(second.first?.ok == true, "\(second)")
        #expect(counting.sent == 2)
        #expect(net.hub.node.documentStore().holds(hash))
    }
}

/// Passes every call through, but fails with a broken connection after a number of chunks
/// (fetched or sent), as a cable pulled mid-transfer; counts the chunks that went through.
final class CuttingTransport: SyncTransport, @unchecked Sendable {
    let inner: any SyncTransport
    let chunksBeforeCut: Int
    private let counts = Mutex((fetched: 0, sent: 0))

    init(inner: any SyncTransport, chunksBeforeCut: Int) {
        self.inner = inner
        self.chunksBeforeCut = chunksBeforeCut
    }

    var fetched: Int { counts.withLock { $0.fetched } }
    var sent: Int { counts.withLock { $0.sent } }

    private func pass() throws {
        let allowed = counts.withLock { $0.fetched + $0.sent < chunksBeforeCut }
        guard allowed else { throw SyncError(code: "connectionFailed", status: 0, "the connection broke") }
    }

    func hello(_ request: HelloRequest) async throws -> HelloResponse { try await inner.hello(request) }
    func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        try await inner.pull(after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes)
    }
    func push(_ changeSet: [UInt8], directoryVersion: Int) async throws -> PushReceipt {
        try await inner.push(changeSet, directoryVersion: directoryVersion)
    }
    func directory() async throws -> SignedDirectory { try await inner.directory() }
    func documentStatus(_ hash: DocumentHash) async throws -> DocumentStatus { try await inner.documentStatus(hash) }
    func documentChunk(_ hash: DocumentHash, index: Int) async throws -> DocumentChunk {
        try pass()
        let chunk = try await inner.documentChunk(hash, index: index)
        counts.withLock { $0.fetched += 1 }
        return chunk
    }
    func putDocumentChunk(_ chunk: DocumentChunk, hash: DocumentHash, index: Int) async throws -> DocumentStatus {
        try pass()
        let status = try await inner.putDocumentChunk(chunk, hash: hash, index: index)
        counts.withLock { $0.sent += 1 }
        return status
    }
}
