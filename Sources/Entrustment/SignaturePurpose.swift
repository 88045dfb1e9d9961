import Crypto

/// What an Ed25519 signature in CourtSync vouches for. Each purpose prefixes the signed bytes
/// with its own label, so a signature made for one purpose can never pass as another (a signed
/// request body cannot be replayed as an event signature, and so on).
public enum SignaturePurpose: String, Sendable, CaseIterable {
    /// An event, by its origin node: the label, then the 32 bytes of the event id.
    case event = "CourtSync event v1"
    /// The court directory, by the hub: the label, then the directory's JSON payload.
    case directory = "CourtSync directory v1"
    /// A sync request, by the calling node (`Protocol/sync.md` §2).
    case request = "CourtSync request v1"
    /// A registration request, by the registering node (proof that it holds the key).
    case registration = "CourtSync registration v1"
    /// A witness, by the hub: the label, then the witness's canonical bytes
    /// (`Protocol/changeset.md` §5).
    case witness = "CourtSync witness v1"

    /// The length of every signature, in bytes.
    public static let signatureLength = 64
    /// The length of every public key, in bytes.
    public static let publicKeyLength = 32

    /// The bytes actually signed: the label, a zero byte, then `message`.
    public func signedBytes(_ message: [UInt8]) -> [UInt8] {
        Array(rawValue.utf8) + [0] + message
    }

    /// Signs `message` for this purpose.
    public func sign(_ message: [UInt8], with key: Curve25519.Signing.PrivateKey) -> [UInt8] {
        // BoringSSL's Ed25519 cannot fail on a valid key; an error here is a broken build.
        Array(try! key.signature(for: signedBytes(message)))
    }

    /// Whether `signature` is `key`'s signature of `message` for this purpose.
    public func isValid(_ signature: [UInt8], of message: [UInt8], by key: Curve25519.Signing.PublicKey) -> Bool {
        signature.count == Self.signatureLength && key.isValidSignature(signature, for: signedBytes(message))
    }

    /// Parses a 32-byte public key from 64 hex digits.
    public static func publicKey(hex: String) throws(DomainError) -> Curve25519.Signing.PublicKey {
        guard let bytes = Hex.decode(hex), bytes.count == publicKeyLength,
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: bytes)
        else {
            throw DomainError(.invalidField, "invalid public key \"\(hex.prefix(80))\": expected 64 hex digits")
        }
        return key
    }
}
