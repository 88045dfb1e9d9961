import Entrustment
import Foundation

/// A node's private key, `DATA_DIR/node.key`, mode 0600, in its network's suite: for `ed25519`
/// the 32-byte seed as 64 hex digits and a newline; for `sm2` unencrypted PKCS#8 PEM. It never
/// leaves the node; the public key is derived from it.
public enum NodeKeyFile {
    /// The file's name inside a data directory.
    public static let fileName = "node.key"
    /// The most bytes a key file (or a PEM given to `init --key-file`) may hold.
    static let maxBytes = 16 * 1024

    /// Writes `key` (new, or the operator's own from `--key-file`) into `dataDirectory`,
    /// readable and writable by the owner only. Refuses to overwrite an existing key.
    public static func create(in dataDirectory: URL, key: SigningKey) throws(NodeError) {
        try install(Array(key.fileText.utf8), in: dataDirectory)
    }

    /// Writes a key file's bytes as they are (a restore puts back the node's own), readable and
    /// writable by the owner only, synced. Refuses to overwrite an existing key.
    static func install(_ text: [UInt8], in dataDirectory: URL) throws(NodeError) {
        let path = dataDirectory.appendingPathComponent(fileName).path
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw NodeError(code: "storage", "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else {
            throw NodeError(code: "storage", "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Loads the key of `suite`, refusing a file other users can read or write.
    public static func load(from dataDirectory: URL, suite: SignatureSuite) throws(NodeError) -> SigningKey {
        let url = dataDirectory.appendingPathComponent(fileName)
        var info = stat()
        guard stat(url.path, &info) == 0 else {
            throw NodeError(
                code: "missingKey", "no node key at \(url.path): this data directory was not made by `courtsync init`")
        }
        guard info.st_mode & 0o077 == 0 else {
            throw NodeError(
                code: "insecureKey",
                "\(url.path) can be read or written by other users (mode \(String(info.st_mode & 0o777, radix: 8))): run chmod 600 on it"
            )
        }
        let data = try BoundedFile.read(url, limit: maxBytes)
        do {
            return try parse(String(decoding: data, as: UTF8.self), suite: suite)
        } catch {
            throw NodeError(code: "corruptKey", "\(url.path) does not hold a key: \(error.message)")
        }
    }

    /// Reads an SM2 private key the court's CA issued (`courtsync init --key-file`): PKCS#8 or
    /// SEC 1 PEM, unencrypted, at most 16 KiB.
    public static func importSM2(from url: URL) throws(NodeError) -> SigningKey {
        let data = try BoundedFile.read(url, limit: maxBytes)
        do {
            return try SigningKey(sm2PEM: String(decoding: data, as: UTF8.self))
        } catch {
            throw NodeError(code: "invalidKey", "--key-file \(url.path): \(error.message)")
        }
    }

    /// The key in a key file's text, of `suite`.
    static func parse(_ text: String, suite: SignatureSuite) throws(DomainError) -> SigningKey {
        switch suite {
        case .ed25519:
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.utf8.count == 64, let seed = Hex.decode(trimmed) else {
                throw DomainError(.invalidField, "an ed25519 node key is 64 hex digits")
            }
            return try SigningKey(ed25519Seed: seed)
        case .sm2:
            return try SigningKey(sm2PEM: text)
        }
    }
}
