import Crypto
import Entrustment
import Foundation

/// A node's Ed25519 private key, `DATA_DIR/node.key`: the 32-byte seed as 64 hex digits and a
/// newline, mode 0600. It never leaves the node; the public key is derived from it.
public enum NodeKeyFile {
    /// The file's name inside a data directory.
    public static let fileName = "node.key"

    /// Creates a new key in `dataDirectory`, readable and writable by the owner only. Refuses to
    /// overwrite an existing key.
    public static func create(in dataDirectory: URL) throws(NodeError) -> Curve25519.Signing.PrivateKey {
        let path = dataDirectory.appendingPathComponent(fileName).path
        let key = Curve25519.Signing.PrivateKey()
        let text = Array((Hex.encode(Array(key.rawRepresentation)) + "\n").utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw NodeError(code: "storage", "cannot create \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        let written = text.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == text.count, fsync(fd) == 0 else {
            throw NodeError(code: "storage", "cannot write \(path): \(String(cString: strerror(errno)))")
        }
        return key
    }

    /// Loads the key, refusing a file other users can read or write.
    public static func load(from dataDirectory: URL) throws(NodeError) -> Curve25519.Signing.PrivateKey {
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
        let data = try BoundedFile.read(url, limit: 256)
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count == 64, let seed = Hex.decode(text),
            let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: seed)
        else {
            throw NodeError(code: "corruptKey", "\(url.path) does not hold a key (64 hex digits)")
        }
        return key
    }

    /// The public key of `key` as 64 hex digits.
    public static func publicKeyHex(_ key: Curve25519.Signing.PrivateKey) -> String {
        Hex.encode(Array(key.publicKey.rawRepresentation))
    }
}
