import Entrustment
import Foundation
import Logging
import Node
import Replica
import Synchronization

/// The server side of document transfer (`Protocol/sync.md` §4.5): what a node holds of a
/// document, its chunks, and chunks uploaded to it.
///
/// A caller **reads** a document (status `complete`, chunks) only as the hub or as a party of a
/// matter here in which *another* court attached it; a caller whose only claim is its own
/// `attach` may **send** the bytes, never fetch them, so naming a hash it saw elsewhere opens
/// nothing. To everyone else every hash answers `unknownDocument`, whether or not it exists.
/// Every chunk served is a read in the log (查阅留痕).
public final class DocumentResponder: Sendable {
    private let node: CourtNode
    private let store: DocumentStore
    private let logger: Logger
    /// How far each sender has proven holding a document this node already holds, by sending its
    /// chunks in order (sender node and hash → bytes): a sender that may not read the document
    /// learns it is complete here only once it has sent every chunk.
    private let proofs = Mutex<[String: Int]>([:])
    /// The most proofs kept at once (the oldest are dropped: a sender then starts again).
    static let maxProofs = 10_000

    public init(node: CourtNode, limits: DocumentStore.Limits, logger: Logger) {
        self.node = node
        store = node.documentStore(limits: limits)
        self.logger = logger
    }

    /// `GET /v1/documents/{hash}`.
    public func status(of hashText: String, for requester: Requester) async throws(SyncError) -> DocumentStatus {
        let (hash, access) = try await visible(hashText, to: requester)
        return try await status(hash, access, for: requester)
    }

    /// `GET /v1/documents/{hash}/chunks/{index}`: only to a caller that may read the document.
    public func chunk(_ index: Int, of hashText: String, for requester: Requester) async throws(SyncError)
        -> DocumentChunk
    {
        let (hash, access) = try await visible(hashText, to: requester)
        let store = self.store
        guard access.mayRead, store.holds(hash) else {
            throw SyncError(
                code: "documentIncomplete", status: 409,
                "this node does not hold all of document \(hash.hex.prefix(12)) for \(requester.court): ask again later"
            )
        }
        let replica = node.replica
        let now = node.time.now()
        return try await run {
            let bytes = try store.chunk(index, of: hash)
            try replica.recordRead(
                of: hash, matter: access.matter, court: requester.court.rawValue, node: requester.node.rawValue,
                how: "served", bytes: bytes.count, now: now)
            return DocumentChunk(encoding: bytes, suite: store.suite)
        }
    }

    /// `PUT /v1/documents/{hash}/chunks/{index}`: the next chunk of a document a matter here
    /// names, from a party of it. Checks, in the order of `Protocol/sync.md` §4.5: who may send,
    /// the size limit, the chunk (inflates, hashes to its digest, has the length its index
    /// gives), no other transfer of the sender writing, the index (the next the sender's partial
    /// file lacks), the format of the first chunk; the last chunk completes the document (checked
    /// against the signed hash). Each sender writes its own partial file.
    public func put(
        _ chunk: DocumentChunk, index: Int, of hashText: String, from requester: Requester
    ) async throws(SyncError) -> DocumentStatus {
        let (hash, access) = try await visible(hashText, to: requester, ownFirst: true)
        let need = access.need
        let store = self.store
        guard need.size <= store.limits.maxBytes else {
            throw SyncError(
                code: "documentTooLarge", status: 413,
                "document \(hash.hex.prefix(12)) has \(need.size) bytes, over this node's limit of \(store.limits.maxBytes)"
            )
        }
        let bytes = try chunk.decoded(suite: store.suite)
        let count = DocumentStore.Manifest.chunkCount(size: need.size)
        let expectedLength = index == count - 1 ? need.size - index * DocumentStore.chunkSize : DocumentStore.chunkSize
        guard (0..<count).contains(index), bytes.count == expectedLength else {
            throw SyncError(
                code: "badChunk", status: 422,
                "a document of \(need.size) bytes has chunks 0 … \(count - 1) of \(DocumentStore.chunkSize) bytes (the last shorter); chunk \(index) of \(bytes.count) bytes is not one of them"
            )
        }
        if store.holds(hash) { return try await prove(bytes, index: index, of: hash, access, from: requester) }
        let owner = requester.node.rawValue
        let replica = node.replica
        let now = node.time.now()
        let complete: Bool = try await run {
            try store.claim(hash, owner: owner)
            defer { store.release(hash, owner: owner) }
            let held = try store.receivedLength(of: hash, size: need.size, owner: owner)
            if held == need.size, try store.finish(hash, size: need.size, owner: owner) {
                try replica.recordDocument(need, now: now)
                return true
            }
            if index == 0, held == 0 {
                guard store.partialBytes() + need.size <= Self.partialCap(store) else {
                    throw SyncError(
                        code: "busy", status: 409,
                        "this node holds too many documents partly received: retry later")
                }
                let media = try store.acceptedType(
                    of: Array(bytes.prefix(DocumentMediaType.sniffBytes)), name: hash.hex)
                guard media == need.mediaType else {
                    throw NodeError(
                        code: "unsupportedMediaType",
                        "the bytes are a \(media.label) file, but the attach event says \(need.mediaType.label)")
                }
            }
            try store.write(
                chunk: bytes, index: index, of: hash, size: need.size, digest: chunk.digest, owner: owner)
            guard try store.finish(hash, size: need.size, owner: owner) else { return false }
            try replica.recordDocument(need, now: now)
            return true
        }
        if complete {
            // The sender sent every byte: it has shown it holds the document.
            proofs.withLock { $0["\(requester.node.rawValue) \(hash.hex)"] = need.size }
            try await run { try replica.recordHolder(of: hash, court: requester.court, now: now) }
            logger.info("document received", metadata: ["hash": "\(hash.hex.prefix(12))", "from": "\(requester.node)"])
        }
        return try await status(hash, access, for: requester)
    }

    /// The most bytes partial files may hold before new uploads wait: sixteen of the largest
    /// documents this node accepts.
    static func partialCap(_ store: DocumentStore) -> Int { 16 * store.limits.maxBytes }

    /// A chunk of a document this node already holds, from a sender: compared with the stored
    /// chunk. A sender that may read the document is told it is complete at once; one that may
    /// not must send every chunk, in order, to be told.
    private func prove(
        _ bytes: [UInt8], index: Int, of hash: DocumentHash, _ access: DocumentAccess, from requester: Requester
    ) async throws(SyncError) -> DocumentStatus {
        if access.mayRead { return try await status(hash, access, for: requester) }
        let store = self.store
        let manifest = try await run { try store.manifest(of: hash) }
        let key = "\(requester.node.rawValue) \(hash.hex)"
        let proven = proofs.withLock { $0[key] ?? 0 }
        guard index * DocumentStore.chunkSize == proven else {
            throw SyncError(
                code: "chunkOutOfOrder", status: 409,
                "this node holds \(proven / DocumentStore.chunkSize) whole chunks of \(hash.hex.prefix(12)) from \(requester.node); send chunk \(proven / DocumentStore.chunkSize), not \(index)"
            )
        }
        guard DocumentHash(of: bytes, suite: store.suite).hex == manifest.chunks[index] else {
            throw SyncError(
                code: "documentMismatch", status: 422,
                "chunk \(index) is not the document's: what was received is discarded; the transfer starts again")
        }
        proofs.withLock { proofs in
            if proofs.count >= Self.maxProofs, proofs[key] == nil, let oldest = proofs.keys.first {
                proofs.removeValue(forKey: oldest)
            }
            proofs[key] = proven + bytes.count
        }
        if proven + bytes.count == manifest.size {
            let replica = node.replica
            let now = node.time.now()
            try await run { try replica.recordHolder(of: hash, court: requester.court, now: now) }
        }
        return try await status(hash, access, for: requester)
    }

    private func status(_ hash: DocumentHash, _ access: DocumentAccess, for requester: Requester)
        async throws(SyncError)
        -> DocumentStatus
    {
        let store = self.store
        let need = access.need
        let key = "\(requester.node.rawValue) \(hash.hex)"
        let proven = proofs.withLock { $0[key] }
        if store.holds(hash), access.mayRead || proven == need.size {
            if proven != nil { _ = proofs.withLock { $0.removeValue(forKey: key) } }
            let manifest = try await run { try store.manifest(of: hash) }
            return DocumentStatus(
                hash: hash.hex, size: manifest.size, chunkSize: DocumentStore.chunkSize, complete: true,
                received: manifest.size, chunks: access.mayRead ? manifest.chunks : nil)
        }
        let owner = requester.node.rawValue
        // A reader waiting for the document sees how far it has arrived from any sender; a
        // sender sees its own progress.
        let received: Int =
            store.holds(hash)
            ? proven ?? 0
            : access.mayRead
                ? store.arrivingBytes(of: hash)
                : try await run { try store.receivedLength(of: hash, size: need.size, owner: owner, repair: false) }
        return DocumentStatus(
            hash: hash.hex, size: need.size, chunkSize: DocumentStore.chunkSize, complete: false, received: received,
            chunks: nil)
    }

    /// The document, if a matter here that `requester` is a party of (or any, for the hub) names it.
    private func visible(_ hashText: String, to requester: Requester, ownFirst: Bool = false) async throws(SyncError)
        -> (DocumentHash, DocumentAccess)
    {
        let unknown = SyncError(
            code: "unknownDocument", status: 404,
            "no matter of \(requester.court) held here names document \(hashText.prefix(64))")
        guard let hash = try? DocumentHash(hex: hashText) else { throw unknown }
        let replica = node.replica
        let court = requester.court
        let found = try await run { try replica.document(hash, visibleTo: court, ownFirst: ownFirst) }
        guard let found else { throw unknown }
        return (hash, found)
    }

    /// Runs file and replica work off the cooperative pool, mapping errors to wire errors.
    private func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws(SyncError) -> T {
        do {
            return try await Blocking.run(body)
        } catch let error as SyncError {
            throw error
        } catch let error as NodeError {
            throw SyncError(code: error.code, status: Self.status(of: error.code), error.message)
        } catch let error as ReplicaError {
            throw SyncError.storage(error.message)
        } catch {
            throw SyncError.storage("\(error)")
        }
    }

    private static func status(of code: String) -> Int {
        switch code {
        case "chunkOutOfOrder", "busy": 409
        case "badChunk", "documentMismatch", "unsupportedMediaType": 422
        case "documentTooLarge": 413
        case "unknownDocument": 404
        case "badRequest": 400
        case "diskFull": 507
        default: 500
        }
    }
}
