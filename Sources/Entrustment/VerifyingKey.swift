import Crypto
import GMCrypto

/// A node's public key in its network's suite: what the signed directory lists, and what events,
/// requests, registrations, witnesses and the directory are verified with.
public struct VerifyingKey: Sendable, Hashable {
    private enum Backing: Sendable {
        case ed25519(Curve25519.Signing.PublicKey)
        case sm2(SM2PublicKey)
    }

    private let backing: Backing
    /// The key's bytes: 32 for Ed25519, the 65-byte uncompressed point for SM2.
    public let bytes: [UInt8]

    /// Parses a key of `suite` from hex digits (64 for Ed25519, 130 for SM2, either case). A weak
    /// Ed25519 key (``SignaturePurpose/isWeak(_:)``) and a point not on the SM2 curve are refused.
    public init(hex: String, suite: SignatureSuite) throws(DomainError) {
        let digits = suite.publicKeyLength * 2
        guard hex.utf8.count == digits, let bytes = Hex.decode(hex) else {
            throw DomainError(
                .invalidField,
                "invalid public key \"\(hex.prefix(80))\": a \(suite.signatureName) key is \(digits) hex digits")
        }
        try self.init(bytes: bytes, suite: suite)
    }

    /// The key of `suite` with these bytes (refused as ``init(hex:suite:)`` refuses).
    private init(bytes: [UInt8], suite: SignatureSuite) throws(DomainError) {
        switch suite {
        case .ed25519:
            guard bytes.count == 32, let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes) else {
                throw DomainError(.invalidField, "an Ed25519 public key has 32 bytes, not \(bytes.count)")
            }
            guard !SignaturePurpose.isWeak(bytes) else {
                throw DomainError(
                    .invalidField,
                    "public key \(Hex.encode(bytes).prefix(16))… is a point of small order or not canonically encoded: signatures by it prove nothing"
                )
            }
            backing = .ed25519(key)
        case .sm2:
            guard let key = SM2PublicKey(point: bytes) else {
                throw DomainError(
                    .invalidField,
                    "public key \(Hex.encode(bytes).prefix(16))… is not an uncompressed point of the SM2 curve (04 ‖ x ‖ y, 65 bytes)"
                )
            }
            backing = .sm2(key)
        }
        self.bytes = bytes
    }

    init(ed25519 key: Curve25519.Signing.PublicKey) {
        backing = .ed25519(key)
        bytes = Array(key.rawRepresentation)
    }

    init(sm2 key: SM2PublicKey) {
        backing = .sm2(key)
        bytes = key.point
    }

    /// The suite whose key `hex` is, if it is a valid key of one (keys of the two suites differ in
    /// length): to tell a node made for another suite what to do.
    public static func suite(ofHex hex: String) -> SignatureSuite? {
        SignatureSuite.allCases.first { (try? VerifyingKey(hex: hex, suite: $0)) != nil }
    }

    /// The key's suite.
    public var suite: SignatureSuite {
        switch backing {
        case .ed25519: .ed25519
        case .sm2: .sm2
        }
    }

    /// The key's bytes as lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    /// Whether `signature` is this key's signature of `message` (the bytes exactly as signed).
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == SignatureSuite.signatureLength else { return false }
        switch backing {
        case .ed25519(let key): return key.isValidSignature(signature, for: message)
        case .sm2(let key): return key.isValidSignature(signature, for: message)
        }
    }

    public static func == (lhs: VerifyingKey, rhs: VerifyingKey) -> Bool {
        lhs.suite == rhs.suite && lhs.bytes == rhs.bytes
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }
}
