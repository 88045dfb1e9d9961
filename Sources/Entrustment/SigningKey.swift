import Crypto
import GMCrypto

/// A node's private key in its network's suite (`DATA_DIR/node.key`): signs its events and
/// requests, and on the hub the directory, witnesses and attested batches.
public struct SigningKey: Sendable {
    private enum Backing: Sendable {
        case ed25519(Curve25519.Signing.PrivateKey)
        case sm2(SM2PrivateKey)
    }

    private let backing: Backing
    /// The public half.
    public let publicKey: VerifyingKey

    /// A new key pair of `suite`, from the system's random generator.
    public static func generate(_ suite: SignatureSuite) -> SigningKey {
        switch suite {
        case .ed25519: SigningKey(ed25519: Curve25519.Signing.PrivateKey())
        case .sm2: SigningKey(sm2: SM2PrivateKey())
        }
    }

    /// The Ed25519 key with this 32-byte seed.
    public init(ed25519Seed seed: [UInt8]) throws(DomainError) {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed) else {
            throw DomainError(.invalidField, "an Ed25519 private key is a 32-byte seed, not \(seed.count) bytes")
        }
        self.init(ed25519: key)
    }

    /// The SM2 key in a PEM text (PKCS#8, or SEC 1 `EC PRIVATE KEY`, unencrypted).
    public init(sm2PEM pem: String) throws(DomainError) {
        do {
            self.init(sm2: try SM2PrivateKey(pem: pem))
        } catch {
            throw DomainError(.invalidField, error.description)
        }
    }

    private init(ed25519 key: Curve25519.Signing.PrivateKey) {
        backing = .ed25519(key)
        publicKey = VerifyingKey(ed25519: key.publicKey)
    }

    private init(sm2 key: SM2PrivateKey) {
        backing = .sm2(key)
        publicKey = VerifyingKey(sm2: key.publicKey)
    }

    /// The key's suite.
    public var suite: SignatureSuite { publicKey.suite }

    /// The key as `node.key` holds it: for Ed25519 the 32-byte seed as 64 hex digits and a
    /// newline; for SM2 unencrypted PKCS#8 PEM.
    public var fileText: String {
        switch backing {
        case .ed25519(let key): Hex.encode(Array(key.rawRepresentation)) + "\n"
        case .sm2(let key): key.pem
        }
    }

    /// The signature of `message` (the bytes exactly as signed), 64 bytes.
    public func signature(for message: [UInt8]) -> [UInt8] {
        switch backing {
        // BoringSSL's Ed25519 cannot fail on a valid key; an error here is a broken build.
        case .ed25519(let key): Array(try! key.signature(for: message))
        case .sm2(let key): key.signature(for: message)
        }
    }
}
