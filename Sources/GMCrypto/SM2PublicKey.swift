import COpenSSL

/// An SM2 public key (GB/T 32918), from the system's OpenSSL 3. It travels as its uncompressed
/// point, `04 ‖ x ‖ y` (65 bytes); one that is not on the SM2 curve is refused.
public final class SM2PublicKey: Sendable {
    /// The length of an encoded key, in bytes.
    public static let length = 65

    nonisolated(unsafe) let key: OpaquePointer
    /// The uncompressed point, 65 bytes.
    public let point: [UInt8]

    /// The key at `point` (65 bytes, uncompressed); `nil` if it is not a point of the SM2 curve
    /// (or is the point at infinity).
    public init?(point: [UInt8]) {
        guard point.count == Self.length,
            let key = point.withUnsafeBytes({ courtsync_sm2_public_key($0.baseAddress, $0.count) })
        else { return nil }
        self.key = key
        self.point = point
    }

    /// Wraps a key OpenSSL holds (taking ownership); reads its point.
    init?(owning key: OpaquePointer) {
        var point = [UInt8](repeating: 0, count: Self.length)
        guard point.withUnsafeMutableBytes({ courtsync_sm2_public_point(key, $0.baseAddress) }) == 1 else {
            EVP_PKEY_free(key)
            return nil
        }
        self.key = key
        self.point = point
    }

    deinit { EVP_PKEY_free(key) }

    /// Whether `signature` (r ‖ s, 64 bytes) is this key's SM2 signature of `message`, with SM3
    /// and GM/T 0009's default signer id `1234567812345678`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == SM2PrivateKey.signatureLength else { return false }
        return message.withUnsafeBytes { input in
            signature.withUnsafeBytes { sig in
                courtsync_sm2_verify(key, SM3.algorithm, input.baseAddress, input.count, sig.baseAddress)
            }
        } == 1
    }
}
