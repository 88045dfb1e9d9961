import Entrustment
import Node
import SyncProtocol

/// One document chunk as it travels: its bytes, compressed with zlib only where that pays.
public struct DocumentChunk: Sendable {
    /// The bytes on the wire.
    public var body: [UInt8]
    /// `identity` or `deflate`.
    public var encoding: String
    /// The suite's hash of the chunk's (uncompressed) bytes, hex.
    public var digest: String

    /// How much of a chunk is compressed to judge whether compressing pays (64 KiB).
    static let sampleBytes = 64 << 10

    /// Wraps a chunk's bytes: deflated if a 64 KiB sample shrinks by more than a tenth and the
    /// whole then does (scans, PDFs with compressed streams and images rarely do, and are sent as
    /// they are without spending the CPU on them).
    public init(encoding bytes: [UInt8], suite: SignatureSuite) {
        digest = Hex.encode(suite.hash(bytes))
        let sample = Array(bytes.prefix(Self.sampleBytes))
        if let compressedSample = try? Zlib.compress(sample, level: 1),
            compressedSample.count * 10 < sample.count * 9,
            let compressed = try? Zlib.compress(bytes, level: 1), compressed.count < bytes.count
        {
            body = compressed
            encoding = "deflate"
        } else {
            body = bytes
            encoding = "identity"
        }
    }

    public init(body: [UInt8], encoding: String, digest: String) {
        self.body = body
        self.encoding = encoding
        self.digest = digest
    }

    /// The chunk's bytes, inflated (never past `limit` bytes) and checked against the digest
    /// (the hash of `suite`).
    public func decoded(suite: SignatureSuite, limit: Int = DocumentStore.chunkSize) throws(SyncError) -> [UInt8] {
        let bytes: [UInt8]
        switch encoding {
        case "identity": bytes = body
        case "deflate":
            do {
                bytes = try Zlib.decompress(body, limit: limit)
            } catch {
                throw SyncError(
                    code: "badChunk", status: 422, "the chunk's zlib stream is invalid: \(error.description)")
            }
        default:
            throw SyncError(
                code: "badChunk", status: 422, "unknown chunk encoding \"\(encoding.prefix(40))\" (identity or deflate)"
            )
        }
        guard bytes.count <= limit else {
            throw SyncError(code: "badChunk", status: 422, "a chunk has at most \(limit) bytes")
        }
        guard Hex.encode(suite.hash(bytes)) == digest.lowercased() else {
            throw SyncError(
                code: "badChunk", status: 422, "the chunk does not hash to its \(SyncWire.chunkDigestHeader)")
        }
        return bytes
    }
}
