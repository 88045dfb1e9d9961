import Entrustment
import Foundation
import Logging
import Node
import Replica

/// The server side of document transfer (`Protocol/sync.md` §4.5): what a node holds of a
/// document, its chunks, and chunks uploaded to it. A caller sees a document only as a party of
/// a matter here that names it (the hub sees all): to anyone else every hash answers
/// `unknownDocument`, whether or not it exists. Every chunk served is a read in the log (查阅留痕).
public final class DocumentResponder: Sendable {
    private let node: CourtNode
    private let store: DocumentStore
    private let logger: Logger

    public init(node: CourtNode, limits: DocumentStore.Limits, logger: Logger) {
        self.node = node
        store = node.documentStore(limits: limits)
        self.logger = logger
    }

    /// `GET /v1/documents/{hash}`.
    public func status(of hashText: String, for requester: Requester) async throws(SyncError) -> DocumentStatus {
        let (hash, need, _) = try await visible(hashText, to: requester)
        return try await status(hash, need)
    }

    /// `GET /v1/documents/{hash}/chunks/{index}`.
    public func chunk(_ index: Int, of hashText: String, for requester: Requester) async throws(SyncError)
        -> DocumentChunk
    {
        let (hash, need, matter) = try await visible(hashText, to: requester)
        let store = self.store
        guard store.holds(hash) else {
            throw SyncError(
                code: "documentIncomplete", status: 409,
                "this node does not hold all of document \(hash.hex.prefix(12)) yet: ask again later")
        }
        guard (0..<DocumentStore.Manifest.chunkCount(size: need.size)).contains(index) else {
            throw SyncError.badRequest("document \(hash.hex.prefix(12)) has no chunk \(index)")
        }
        let replica = node.replica
        let now = node.time.now()
        return try await run {
            let bytes = try store.chunk(index, of: hash)
            try replica.recordRead(
                of: hash, matter: matter, court: requester.court.rawValue, node: requester.node.rawValue,
                how: "served", bytes: bytes.count, now: now)
            return DocumentChunk(encoding: bytes)
        }
    }

    /// `PUT /v1/documents/{hash}/chunks/{index}`: stores the next chunk of a document a matter
    /// here names, and completes the document with its last chunk (checked against the hash the
    /// `attach` event signed; a mismatch discards what was received).
    public func put(
        _ chunk: DocumentChunk, index: Int, of hashText: String, from requester: Requester
    ) async throws(SyncError) -> DocumentStatus {
        let (hash, need, _) = try await visible(hashText, to: requester)
        let store = self.store
        guard need.size <= store.limits.maxBytes else {
            throw SyncError(
                code: "documentTooLarge", status: 413,
                "document \(hash.hex.prefix(12)) has \(need.size) bytes, over this node's limit of \(store.limits.maxBytes)"
            )
        }
        guard !store.holds(hash) else { return try await status(hash, need) }
        let bytes = try chunk.decoded()
        let replica = node.replica
        let now = node.time.now()
        let complete: Bool = try await run {
            try store.claim(hash)
            defer { store.release(hash) }
            if index == 0 {
                let media = try store.acceptedType(
                    of: Array(bytes.prefix(DocumentMediaType.sniffBytes)), name: hash.hex)
                guard media == need.mediaType else {
                    throw NodeError(
                        code: "unsupportedMediaType",
                        "the bytes are a \(media.label) file, but the attach event says \(need.mediaType.label)")
                }
            }
            try store.write(chunk: bytes, index: index, of: hash, size: need.size, digest: chunk.digest)
            guard try store.finish(hash, size: need.size) else { return false }
            try replica.recordDocument(need, now: now)
            return true
        }
        if complete {
            logger.info("document received", metadata: ["hash": "\(hash.hex.prefix(12))", "from": "\(requester.node)"])
        }
        return try await status(hash, need)
    }

    private func status(_ hash: DocumentHash, _ need: DocumentNeed) async throws(SyncError) -> DocumentStatus {
        let store = self.store
        return try await run {
            if store.holds(hash) {
                let manifest = try store.manifest(of: hash)
                return DocumentStatus(
                    hash: hash.hex, size: need.size, chunkSize: DocumentStore.chunkSize, complete: true,
                    received: need.size, chunks: manifest.chunks)
            }
            return DocumentStatus(
                hash: hash.hex, size: need.size, chunkSize: DocumentStore.chunkSize, complete: false,
                received: try store.receivedLength(of: hash, size: need.size), chunks: nil)
        }
    }

    /// The document, if a matter here that `requester` may receive documents of names it.
    private func visible(_ hashText: String, to requester: Requester) async throws(SyncError) -> (
        DocumentHash, DocumentNeed, String
    ) {
        let unknown = SyncError(
            code: "unknownDocument", status: 404,
            "no matter of \(requester.court) held here names document \(hashText.prefix(64))")
        guard let hash = try? DocumentHash(hex: hashText) else { throw unknown }
        let replica = node.replica
        let court = requester.court
        let found = try await run { try replica.document(hash, visibleTo: court) }
        guard let (need, matter) = found else { throw unknown }
        return (hash, need, matter)
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
