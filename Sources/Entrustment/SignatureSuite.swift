import Crypto
import GMCrypto

/// The algorithms a CourtSync network signs and names things with, chosen once when its hub is
/// made (`courtsync init --role hub --suite`) and stated in the signed directory
/// (`Protocol/sync.md` §2.6). Every node of a network uses its suite for everything: event and
/// request signatures, the directory, registrations, witnesses and attested batches; event ids,
/// change-set checksums, Merkle roots, document hashes and key fingerprints.
public enum SignatureSuite: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// Ed25519 (RFC 8032) signatures, SHA-256 hashes. The default.
    case ed25519
    /// SM2 (GB/T 32918) signatures with SM3 and GM/T 0009's default signer id, SM3 (GB/T 32905)
    /// hashes: the national algorithms (国密) the commercial-cryptography rules require.
    case sm2

    /// The suite byte of `Protocol/changeset.md` §4: 1 for `ed25519`, 2 for `sm2`.
    public var byte: UInt8 {
        switch self {
        case .ed25519: 1
        case .sm2: 2
        }
    }

    /// The suite with suite byte `byte`, if any.
    public init?(byte: UInt8) {
        guard let suite = Self.allCases.first(where: { $0.byte == byte }) else { return nil }
        self = suite
    }

    /// The hash's name, as people read it: `SHA-256` or `SM3`.
    public var hashName: String {
        switch self {
        case .ed25519: "SHA-256"
        case .sm2: "SM3"
        }
    }

    /// The signature algorithm's name: `Ed25519` or `SM2`.
    public var signatureName: String {
        switch self {
        case .ed25519: "Ed25519"
        case .sm2: "SM2"
        }
    }

    /// The length of a public key, in bytes: 32 (Ed25519) or 65 (an uncompressed SM2 point).
    public var publicKeyLength: Int {
        switch self {
        case .ed25519: 32
        case .sm2: SM2PublicKey.length
        }
    }

    /// The length of every signature, in bytes: 64 in both suites (SM2 as r ‖ s).
    public static let signatureLength = 64
    /// The length of every hash, in bytes: 32 in both suites.
    public static let hashLength = 32

    /// The suite's hash of `bytes`.
    public func hash(_ bytes: [UInt8]) -> [UInt8] {
        switch self {
        case .ed25519: Array(SHA256.hash(data: bytes))
        case .sm2: SM3.hash(bytes)
        }
    }

    /// A hasher for bytes given piece by piece.
    public func hasher() -> SuiteHasher { SuiteHasher(self) }

    public var description: String { rawValue }
}

/// The suite's hash over bytes given piece by piece. A value: a copy goes on independently.
public struct SuiteHasher: Sendable {
    private enum State {
        case sha256(SHA256)
        case sm3(SM3Hasher)
    }

    private var state: State

    init(_ suite: SignatureSuite) {
        switch suite {
        case .ed25519: state = .sha256(SHA256())
        case .sm2: state = .sm3(SM3Hasher())
        }
    }

    /// Adds `bytes`.
    public mutating func update(_ bytes: some Collection<UInt8>) {
        bytes.withContiguousStorageIfAvailable { update(raw: UnsafeRawBufferPointer($0)) }
            ?? Array(bytes).withUnsafeBytes { update(raw: $0) }
    }

    private mutating func update(raw bytes: UnsafeRawBufferPointer) {
        switch state {
        case .sha256(var sha):
            sha.update(bufferPointer: bytes)
            state = .sha256(sha)
        case .sm3(var sm3):
            // Copy on write: another copy of this hasher may share the OpenSSL context.
            state = .sha256(SHA256())
            if !isKnownUniquelyReferenced(&sm3) { sm3 = sm3.copy() }
            sm3.update(bytes)
            state = .sm3(sm3)
        }
    }

    /// The hash of every byte added.
    public func finalize() -> [UInt8] {
        switch state {
        case .sha256(let sha): Array(sha.finalize())
        case .sm3(let sm3): sm3.finalize()
        }
    }
}
