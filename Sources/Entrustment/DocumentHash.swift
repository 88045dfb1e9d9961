/// A document's name by content: the network suite's hash (SHA-256 or SM3) of its bytes. An `attach` event carries it, so the
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
                .invalidField, "invalid document hash \"\(hex.prefix(80))\": expected 64 hex digits")
        }
        self.bytes = bytes
    }

    /// The hash of `content` in `suite`.
    public init(of content: [UInt8], suite: SignatureSuite) {
        bytes = suite.hash(content)
    }

    /// The hash a hasher of the suite finishes with (a document hashed as it streams).
    public init(finishing hasher: SuiteHasher) {
        bytes = hasher.finalize()
    }

    /// 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    public static func < (lhs: DocumentHash, rhs: DocumentHash) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
