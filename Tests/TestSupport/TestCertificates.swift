import Foundation

/// TLS certificates for tests, issued by the shipped `Nodes/tls-certificates.sh` with the real
/// `openssl` command: a CA folder shared by a test's nodes, and per node a certificate, its key
/// and the CA's certificate under `DATA_DIR/tls/` (`certificate.pem`, `private-key.pem`, `ca.pem`).
public enum TestCertificates {
    /// The files one node gets.
    public struct Files: Sendable {
        public let certificate: URL
        public let privateKey: URL
        public let trustRoots: URL
    }

    /// Issues `dataDirectory/tls/certificate.pem` for `hosts` (default 127.0.0.1 and localhost) from the
    /// CA in `ca`, making the CA first if the folder holds none.
    public static func issue(ca: URL, dataDirectory: URL, hosts: [String] = []) throws -> Files {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments =
            [Fixtures.nodesFolder.appendingPathComponent("tls-certificates.sh").path, ca.path, dataDirectory.path]
            + hosts
        let errors = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        try process.run()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DaemonError(message: "tls-certificates.sh failed: \(String(decoding: message, as: UTF8.self))")
        }
        let folder = dataDirectory.appendingPathComponent("tls")
        return Files(
            certificate: folder.appendingPathComponent("certificate.pem"),
            privateKey: folder.appendingPathComponent("private-key.pem"),
            trustRoots: folder.appendingPathComponent("ca.pem"))
    }
}
