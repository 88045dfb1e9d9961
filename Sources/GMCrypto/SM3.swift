import COpenSSL

/// SM3 (GB/T 32905-2016), the national hash, from the system's OpenSSL 3: 32-byte digests.
public enum SM3 {
    /// The length of a digest, in bytes.
    public static let digestLength = 32

    /// OpenSSL's SM3 implementation, fetched once (immutable and shared by every thread).
    nonisolated(unsafe) static let algorithm: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SM3", nil) else {
            fatalError("this OpenSSL has no SM3: CourtSync needs OpenSSL 3 with the SM algorithms (Debian's libssl3)")
        }
        return md
    }()

    /// The SM3 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: digestLength)
        let done = bytes.withUnsafeBytes { input in
            digest.withUnsafeMutableBytes { output in
                courtsync_sm3(algorithm, input.baseAddress, input.count, output.baseAddress)
            }
        }
        precondition(done == 1, "OpenSSL's SM3 failed")
        return digest
    }
}

/// An SM3 digest computed over bytes given piece by piece (a document read in chunks), on one
/// thread at a time. ``finalize()`` leaves it as it was, and ``copy()`` gives an independent one.
public final class SM3Hasher: @unchecked Sendable {
    private let context: OpaquePointer

    /// A hasher that has seen no bytes.
    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, SM3.algorithm, nil) == 1 else {
            fatalError("OpenSSL could not start an SM3 digest")
        }
        self.context = context
    }

    private init(copying other: SM3Hasher) {
        guard let context = EVP_MD_CTX_new(), EVP_MD_CTX_copy_ex(context, other.context) == 1 else {
            fatalError("OpenSSL could not copy an SM3 digest")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// A hasher that has seen what this one has, and goes on independently.
    public func copy() -> SM3Hasher { SM3Hasher(copying: self) }

    /// Adds `bytes` to the digest.
    public func update(_ bytes: UnsafeRawBufferPointer) {
        precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "OpenSSL's SM3 failed")
    }

    /// The digest of every byte added so far (the hasher can go on).
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: SM3.digestLength)
        var length: UInt32 = 0
        let finishing = copy()
        let done = digest.withUnsafeMutableBytes { EVP_DigestFinal_ex(finishing.context, $0.baseAddress, &length) }
        precondition(done == 1 && length == 32, "OpenSSL's SM3 failed")
        return digest
    }
}
