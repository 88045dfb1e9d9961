/// What a signature in CourtSync vouches for. Each purpose prefixes the signed bytes
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
    /// A batch attestation, by the hub: the label, then the attestation's canonical bytes
    /// (`Protocol/sync.md` §4.3.1).
    case batch = "CourtSync batch v1"
    /// A backup's manifest, by the node backed up: the label, then the manifest's JSON bytes
    /// (`docs/operations.md`). A restore checks it with the key it installs.
    case backup = "CourtSync backup v1"

    /// The length of every signature, in bytes (both suites).
    public static let signatureLength = SignatureSuite.signatureLength

    /// The bytes actually signed: the label, a zero byte, then `message`.
    public func signedBytes(_ message: [UInt8]) -> [UInt8] {
        Array(rawValue.utf8) + [0] + message
    }

    /// Signs `message` for this purpose.
    public func sign(_ message: [UInt8], with key: SigningKey) -> [UInt8] {
        key.signature(for: signedBytes(message))
    }

    /// Whether `signature` is `key`'s signature of `message` for this purpose.
    public func isValid(_ signature: [UInt8], of message: [UInt8], by key: VerifyingKey) -> Bool {
        signature.count == Self.signatureLength && key.isValidSignature(signature, for: signedBytes(message))
    }

    /// Whether 32 key bytes are a point of small order (order 1, 2, 4 or 8, for which one
    /// signature verifies for every message, so that anyone could sign as its "holder"), in
    /// either sign of x, or encode their y coordinate non-canonically (y ≥ 2²⁵⁵ − 19). Keys with
    /// such a point are refused, as libsodium does (`Protocol/sync.md` §2).
    public static func isWeak(_ bytes: [UInt8]) -> Bool {
        guard bytes.count == 32 else { return true }
        var y = bytes
        y[31] &= 0x7F
        return smallOrderY.contains(y) || !isBelowFieldPrime(y)
    }

    /// The y coordinates (little-endian) of the points of small order: 0 (order 4), 1 (order 1),
    /// p − 1 (order 2) and the two of order 8.
    private static let smallOrderY: Set<[UInt8]> = [
        [UInt8](repeating: 0, count: 32),
        [1] + [UInt8](repeating: 0, count: 31),
        [0xEC] + [UInt8](repeating: 0xFF, count: 30) + [0x7F],
        Hex.decode("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")!,
        Hex.decode("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")!,
    ]

    /// Whether a 255-bit little-endian number is below p = 2²⁵⁵ − 19.
    private static func isBelowFieldPrime(_ y: [UInt8]) -> Bool {
        // p is ED FF … FF 7F little-endian: y < p unless bytes 1…30 are all FF, byte 31 is 7F and
        // byte 0 is at least ED.
        guard y[31] == 0x7F, y[1..<31].allSatisfy({ $0 == 0xFF }) else { return true }
        return y[0] < 0xED
    }
}
