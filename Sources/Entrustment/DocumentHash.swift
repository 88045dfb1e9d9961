import Crypto

/// A document's name by content: the SHA-256 of its bytes. An `attach` event carries it, so the
/// event's signature covers the document's content.
public struct DocumentHash: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 digest bytes.
    public init(bytes: [UInt8]) throws(DomainError) {
        guard bytes.count == 32 else {
            throw DomainError(.invalidField, "a document hash has 32 bytes, not \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Parses 64 hex digits.
    public init(hex: String) throws(DomainError) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else {
            throw DomainError(
                .invalidField, "invalid document hash \"\(hex.prefix(80))\": expected 64 hex digits (SHA-256)")
        }
        self.bytes = bytes
    }

    /// The hash of `content`.
    public init(of content: [UInt8]) {
        bytes = Array(SHA256.hash(data: content))
    }

    /// The hash a finished SHA-256 gives.
    public init(_ digest: SHA256.Digest) {
        bytes = Array(digest)
    }

    /// 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    public static func < (lhs: DocumentHash, rhs: DocumentHash) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
