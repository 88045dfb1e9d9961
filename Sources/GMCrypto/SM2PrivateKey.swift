import COpenSSL

/// An SM2 private key (GB/T 32918), from the system's OpenSSL 3. Kept on disk as unencrypted
/// PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), as `openssl genpkey -algorithm SM2` writes it and
/// as a court CA issues it with its certificate.
public final class SM2PrivateKey: Sendable {
    /// The length of a signature, r ‖ s, in bytes.
    public static let signatureLength = 64

    nonisolated(unsafe) private let key: OpaquePointer
    /// A signing context of the key, copied for each signature and never used itself (as
    /// ``SM2PublicKey`` verifies).
    nonisolated(unsafe) private let signer: OpaquePointer
    /// The public half.
    public let publicKey: SM2PublicKey

    /// A new key pair from OpenSSL's random generator.
    public convenience init() {
        guard let key = courtsync_sm2_generate() else { fatalError("OpenSSL could not make an SM2 key") }
        try! self.init(owning: key)
    }

    /// Reads a PEM private key; throws if the text holds none or it is not on the SM2 curve.
    public convenience init(pem: String) throws(SM2KeyError) {
        let bytes = Array(pem.utf8)
        guard
            let key = bytes.withUnsafeBytes({ raw in
                courtsync_private_key_from_pem(raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count)
            })
        else {
            throw SM2KeyError(
                "the file holds no unencrypted PEM private key (PKCS#8 or SEC 1); decrypt an encrypted key first (openssl pkey -in KEY -out PLAIN)"
            )
        }
        guard courtsync_sm2_is_sm2(key) == 1 else {
            EVP_PKEY_free(key)
            throw SM2KeyError("the key is not an SM2 key (it must be on the SM2 curve, OID 1.2.156.10197.1.301)")
        }
        guard courtsync_sm2_private_check(key) == 1 else {
            EVP_PKEY_free(key)
            throw SM2KeyError(
                "the SM2 key is not valid: its private scalar is out of range, or its public point is not the one the scalar gives"
            )
        }
        try self.init(owning: key)
    }

    private init(owning key: OpaquePointer) throws(SM2KeyError) {
        guard EVP_PKEY_up_ref(key) == 1, let publicKey = SM2PublicKey(owning: key) else {
            EVP_PKEY_free(key)
            throw SM2KeyError("the key's public point cannot be read")
        }
        guard let signer = courtsync_sm2_context(key, SM3.algorithm, 1) else {
            EVP_PKEY_free(key)
            throw SM2KeyError("OpenSSL cannot sign with the key")
        }
        self.key = key
        self.signer = signer
        self.publicKey = publicKey
    }

    deinit {
        courtsync_sm2_context_free(signer)
        EVP_PKEY_free(key)
    }

    /// The key as unencrypted PKCS#8 PEM.
    public var pem: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = buffer.withUnsafeMutableBufferPointer {
            courtsync_private_key_to_pem(key, $0.baseAddress, $0.count)
        }
        precondition(length > 0, "OpenSSL could not write an SM2 key")
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The SM2 signature of `message` (SM3, GM/T 0009's default signer id), as r ‖ s: 32 bytes
    /// each, big-endian. SM2 signatures are randomised: two signatures of one message differ.
    public func signature(for message: [UInt8]) -> [UInt8] {
        var signature = [UInt8](repeating: 0, count: Self.signatureLength)
        let done = message.withUnsafeBytes { input in
            signature.withUnsafeMutableBytes { output in
                courtsync_sm2_sign(signer, input.baseAddress, input.count, output.baseAddress)
            }
        }
        precondition(done == 1, "OpenSSL could not sign with SM2")
        return signature
    }
}

/// Why a PEM text is not a usable SM2 private key.
public struct SM2KeyError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
