import Entrustment
import Foundation
import Logging
import Node
import Replica
import Synchronization

/// The client side of document transfer over one link (`Protocol/sync.md` §4.5), run after the
/// link's event rounds and apart from them, so that a large document never holds up events.
///
/// Downloads: every document a matter here names that this node lacks and the remote may hold
/// (the hub, or the other party), fetched chunk by chunk into the partial file and checked chunk
/// by chunk; a transfer cut short resumes from the last whole chunk that matches. Uploads: every
/// document stored here that the remote may receive and has not confirmed, sent from where the
/// remote's partial file ends. A hash the other side holds is never sent.
public final class DocumentSynchronizer: Sendable {
    /// What one round moved.
    public struct Round: Sendable, Codable, Equatable {
        public var downloaded = 0
        public var uploaded = 0
        public var bytesReceived = 0
        public var bytesSent = 0
        /// Documents skipped this round (the remote lacks them or refused them), by reason.
        public var skipped: [String] = []
        /// Documents the remote is still receiving: worth asking again soon.
        public var arriving = 0

        public init() {}
    }

    /// How often a transfer's progress is written to the replica (for `peers` and `sync`).
    static let progressInterval = 1.0

    private let remote: CourtCode
    /// What the remote last said it had received of documents still arriving there.
    private let progressSeen = Mutex<[DocumentHash: Int]>([:])
    private let node: CourtNode
    private let store: DocumentStore
    private let transport: any SyncTransport
    private let logger: Logger

    public init(
        remote: CourtCode, node: CourtNode, limits: DocumentStore.Limits, transport: any SyncTransport, logger: Logger
    ) {
        self.remote = remote
        self.node = node
        store = node.documentStore(limits: limits)
        self.transport = transport
        self.logger = logger
    }

    /// Fetches what this node lacks, then sends what the remote lacks. `progress` is called
    /// after every chunk with the document and the bytes done of its total.
    public func round(progress: @escaping @Sendable (DocumentHash, Int, Int) -> Void = { _, _, _ in }) async throws
        -> Round
    {
        var round = Round()
        let replica = node.replica
        let remote = self.remote
        let court = node.identity.court
        for need in try await Blocking.run({ try replica.documentsWanted(by: court, from: remote) }) {
            do { try await download(need, into: &round, progress: progress) } catch {
                try Self.skip(need, after: error, into: &round)
            }
        }
        for need in try await Blocking.run({ try replica.documentsToOffer(to: remote) }) {
            do { try await upload(need, into: &round, progress: progress) } catch {
                try Self.skip(need, after: error, into: &round)
            }
        }
        return round
    }

    /// After one document's transfer failed: a refusal of that document (its size, its bytes,
    /// the remote busy with it) skips it until the next round and the others go on; a failure of
    /// the link itself is thrown and ends the round.
    private static func skip(_ need: DocumentNeed, after error: any Error, into round: inout Round) throws {
        switch error {
        case let error as SyncError where !linkFailures.contains(error.code):
            round.skipped.append("\(need.hash.hex.prefix(12)): \(error.code): \(error.message)")
        case let error as NodeError where !linkFailures.contains(error.code):
            round.skipped.append("\(need.hash.hex.prefix(12)): \(error.code): \(error.message)")
        default:
            throw error
        }
    }

    /// The errors that mean the link, not one document, failed.
    static let linkFailures: Set<String> = [
        "unreachable", "tlsFailure", "badResponse", "connectionFailed", "unauthenticated", "staleRequest",
        "unknownKey", "badSignature", "replayedRequest", "revokedKey", "storage", "diskFull",
    ]

    private func download(
        _ need: DocumentNeed, into round: inout Round, progress: @escaping @Sendable (DocumentHash, Int, Int) -> Void
    ) async throws {
        let hash = need.hash
        guard need.size <= store.limits.maxBytes else {
            round.skipped.append("\(hash.hex.prefix(12)): \(need.size) bytes, over this node's limit")
            return
        }
        let status: DocumentStatus
        do {
            status = try await transport.documentStatus(hash)
        } catch let error as SyncError where error.code == "unknownDocument" {
            round.skipped.append("\(hash.hex.prefix(12)): not at \(remote)")
            return
        }
        guard status.complete, let chunks = status.chunks else {
            round.skipped.append("\(hash.hex.prefix(12)): still arriving at \(remote)")
            // Asked for again soon only while the remote's copy grows.
            let grew = progressSeen.withLock { seen in
                defer { seen[hash] = status.received }
                return seen[hash].map { status.received > $0 } ?? true
            }
            if grew { round.arriving += 1 }
            return
        }
        progressSeen.withLock { _ = $0.removeValue(forKey: hash) }
        guard status.size == need.size, chunks.count == DocumentStore.Manifest.chunkCount(size: need.size),
            status.chunkSize == DocumentStore.chunkSize
        else {
            round.skipped.append(
                "\(hash.hex.prefix(12)): \(remote) holds \(status.size) bytes, the attach event here says \(need.size)")
            return
        }
        let store = self.store
        try store.claim(hash)
        defer { store.release(hash) }
        var done = try await Blocking.run { try store.receivedLength(of: hash, size: need.size, expected: chunks) }
        try await record(hash, direction: "download", done: done, total: need.size)
        var recorded = Date()
        while done < need.size {
            let index = done / DocumentStore.chunkSize
            let chunk = try await transport.documentChunk(hash, index: index)
            let bytes = try chunk.decoded(suite: store.suite)
            guard chunk.digest.lowercased() == chunks[index] else {
                throw SyncError(
                    code: "badChunk", status: 200, "chunk \(index) of \(hash.hex.prefix(12)) is not the one announced")
            }
            try await Blocking.run {
                try store.write(chunk: bytes, index: index, of: hash, size: need.size, digest: chunk.digest)
            }
            done += bytes.count
            round.bytesReceived += chunk.body.count
            progress(hash, done, need.size)
            if done < need.size, Date().timeIntervalSince(recorded) >= Self.progressInterval {
                try await record(hash, direction: "download", done: done, total: need.size)
                recorded = Date()
            }
        }
        let replica = node.replica
        let now = node.time.now()
        try await Blocking.run {
            guard try store.finish(hash, size: need.size) else {
                throw SyncError(code: "storage", status: 0, "document \(hash.hex.prefix(12)) is incomplete")
            }
            try replica.recordDocument(need, now: now)
        }
        try await record(hash, direction: "download", done: need.size, total: need.size)
        round.downloaded += 1
        logger.info("document received", metadata: ["hash": "\(hash.hex.prefix(12))", "bytes": "\(need.size)"])
    }

    private func upload(
        _ need: DocumentNeed, into round: inout Round, progress: @escaping @Sendable (DocumentHash, Int, Int) -> Void
    ) async throws {
        let hash = need.hash
        var status: DocumentStatus
        do {
            status = try await transport.documentStatus(hash)
        } catch let error as SyncError where error.code == "unknownDocument" {
            return
        }
        let store = self.store
        var retried = false
        var sent = false
        var recorded = Date.distantPast
        while !status.complete {
            let index = status.received / DocumentStore.chunkSize
            let bytes = try await Blocking.run { try store.chunk(index, of: hash) }
            let chunk = DocumentChunk(encoding: bytes, suite: store.suite)
            let before = status.received
            do {
                status = try await transport.putDocumentChunk(chunk, hash: hash, index: index)
            } catch let error as SyncError where error.code == "chunkOutOfOrder" && !retried {
                retried = true
                status = try await transport.documentStatus(hash)
                continue
            }
            guard status.complete || status.received > before else {
                throw SyncError(
                    code: "noProgress", status: 200,
                    "\(remote) accepted chunk \(index) of \(hash.hex.prefix(12)) but holds no more of it than before")
            }
            retried = false
            sent = true
            round.bytesSent += chunk.body.count
            progress(hash, status.received, need.size)
            if !status.complete, Date().timeIntervalSince(recorded) >= Self.progressInterval {
                try await record(hash, direction: "upload", done: status.received, total: need.size)
                recorded = Date()
            }
        }
        let replica = node.replica
        let remote = self.remote
        let now = node.time.now()
        try await Blocking.run { try replica.recordDelivery(of: hash, to: remote, now: now) }
        if sent { round.uploaded += 1 }
    }

    private func record(_ hash: DocumentHash, direction: String, done: Int, total: Int) async throws {
        let replica = node.replica
        let remote = self.remote
        let now = node.time.now()
        try await Blocking.run {
            try replica.recordTransfer(hash, remote: remote, direction: direction, done: done, total: total, now: now)
        }
    }
}
