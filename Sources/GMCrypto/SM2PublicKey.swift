import COpenSSL

/// An SM2 public key (GB/T 32918), from the system's OpenSSL 3. It travels as its uncompressed
/// point, `04 ‖ x ‖ y` (65 bytes); one that is not on the SM2 curve is refused.
public final class SM2PublicKey: Sendable {
    /// The length of an encoded key, in bytes.
    public static let length = 65

    nonisolated(unsafe) let key: OpaquePointer
    /// A verifying context of the key (SM3, the default signer id), copied for each verification
    /// and never used itself, so that threads verify at once (``courtsync_sm2_copy``).
    nonisolated(unsafe) private let verifier: OpaquePointer
    /// The uncompressed point, 65 bytes.
    public let point: [UInt8]

    /// The key at `point` (65 bytes, uncompressed); `nil` if it is not a point of the SM2 curve
    /// (or is the point at infinity).
    public init?(point: [UInt8]) {
        guard point.count == Self.length,
            let key = point.withUnsafeBytes({ courtsync_sm2_public_key($0.baseAddress, $0.count) })
        else { return nil }
        guard let verifier = courtsync_sm2_context(key, SM3.algorithm, 0) else {
            EVP_PKEY_free(key)
            return nil
        }
        self.key = key
        self.verifier = verifier
        self.point = point
    }

    /// Wraps a key OpenSSL holds (taking ownership); reads its point.
    init?(owning key: OpaquePointer) {
        var point = [UInt8](repeating: 0, count: Self.length)
        guard point.withUnsafeMutableBytes({ courtsync_sm2_public_point(key, $0.baseAddress) }) == 1,
            let verifier = courtsync_sm2_context(key, SM3.algorithm, 0)
        else {
            EVP_PKEY_free(key)
            return nil
        }
        self.key = key
        self.verifier = verifier
        self.point = point
    }

    deinit {
        courtsync_sm2_context_free(verifier)
        EVP_PKEY_free(key)
    }

    /// Whether `signature` (r ‖ s, 64 bytes) is this key's SM2 signature of `message`, with SM3
    /// and GM/T 0009's default signer id `1234567812345678`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == SM2PrivateKey.signatureLength else { return false }
        return message.withUnsafeBytes { input in
            signature.withUnsafeBytes { sig in
                courtsync_sm2_verify(verifier, input.baseAddress, input.count, sig.baseAddress)
            }
        } == 1
    }
}
