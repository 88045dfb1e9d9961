import Foundation
import Node

/// `DATA_DIR/daemon.json`: written by a running `courtsync serve` (mode 0600) so that operator
/// commands on the same machine find it; removed when it stops. `DATA_DIR/daemon.lock` (held with
/// `flock`) keeps a second daemon off the same data directory.
public struct DaemonRecord: Codable, Sendable, Equatable {
    /// The daemon's process id.
    public var pid: Int32
    /// The base URL it serves on.
    public var url: String
    /// When it started (RFC 3339).
    public var startedAt: String
    /// The secret operator commands send to its control endpoint (`Authorization: Bearer …`).
    public var token: String
    /// The SHA-256 (hex) of the certificate it serves, when it serves HTTPS: operator commands
    /// accept exactly that certificate.
    public var certificateSHA256: String?

    public static let fileName = "daemon.json"
    static let lockName = "daemon.lock"

    public init(pid: Int32, url: String, startedAt: String, token: String, certificateSHA256: String? = nil) {
        self.pid = pid
        self.url = url
        self.startedAt = startedAt
        self.token = token
        self.certificateSHA256 = certificateSHA256
    }

    /// The record of the daemon running on `dataDirectory`, or `nil` if none runs (a record left
    /// by a process that died is ignored).
    public static func running(in dataDirectory: URL) -> DaemonRecord? {
        let file = dataDirectory.appendingPathComponent(fileName)
        guard let data = try? BoundedFile.read(file, limit: 64 << 10),
            let record = try? JSONDecoder().decode(DaemonRecord.self, from: data)
        else { return nil }
        guard record.pid > 0, kill(record.pid, 0) == 0 || errno == EPERM else { return nil }
        return record
    }

    /// Writes the record, readable by the owner only.
    func write(to dataDirectory: URL) throws(NodeError) {
        let file = dataDirectory.appendingPathComponent(Self.fileName)
        do {
            let data = try JSONEncoder().encode(self)
            _ = FileManager.default.createFile(atPath: file.path, contents: nil, attributes: [.posixPermissions: 0o600])
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            try data.write(to: file)
        } catch {
            throw NodeError(code: "storage", "cannot write \(file.path): \(error.localizedDescription)")
        }
    }

    /// Removes the record.
    static func remove(from dataDirectory: URL) {
        try? FileManager.default.removeItem(at: dataDirectory.appendingPathComponent(fileName))
    }

    /// Takes the data directory's daemon lock for the life of the process, or explains who holds it.
    public static func lock(_ dataDirectory: URL) throws(NodeError) -> Int32 {
        let path = dataDirectory.appendingPathComponent(lockName).path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw NodeError(code: "storage", "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            let holder = running(in: dataDirectory).map { " (process \($0.pid), \($0.url))" } ?? ""
            throw NodeError(code: "alreadyRunning", "a daemon already runs on \(dataDirectory.path)\(holder)")
        }
        return fd
    }
}
