import Foundation
import Node
import SyncEngine
import Testing
import TestSupport

/// Loading a node's TLS files: what is accepted, and each way a bad file is refused before the
/// daemon serves anything. Certificates come from the real `openssl` through the shipped script.
@Suite("TLS settings")
struct TransportSecurityTests {
    /// A data directory with a certificate for 127.0.0.1 and localhost, its key and the CA.
    final class Setup {
        let folder: TemporaryDirectory
        let node: URL
        let files: TestCertificates.Files

        init() throws {
            folder = try TemporaryDirectory()
            node = folder.path("node")
            files = try TestCertificates.issue(ca: folder.path("ca"), dataDirectory: node)
        }

        /// The settings the demo network uses: paths relative to the data directory.
        var relative: TLSSettings {
            TLSSettings(certificate: "tls/certificate.pem", privateKey: "tls/private-key.pem", trustRoots: "tls/ca.pem")
        }

        /// What `openssl x509` says of the certificate: its SHA-256 fingerprint and end date.
        func openssl(_ options: String...) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = ["x509", "-noout"] + options + ["-in", files.certificate.path]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }

        deinit { folder.remove() }
    }

    @Test("a certificate and key from the CA load; fingerprint and end date match openssl's reading")
    func loads() throws {
        let setup = try Setup()
        let security = try TransportSecurity(settings: setup.relative, dataDirectory: setup.node)
        #expect(security.serverConfiguration != nil)
        let summary = try #require(security.certificate)
        let fingerprint = try setup.openssl("-fingerprint", "-sha256").split(separator: "=").last.map(String.init) ?? ""
        #expect(summary.sha256 == fingerprint.replacingOccurrences(of: ":", with: "").lowercased())
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "MMM d HH:mm:ss yyyy zzz"
        let endText = try setup.openssl("-enddate").replacingOccurrences(of: "notAfter=", with: "")
            .replacingOccurrences(of: "  ", with: " ")
        #expect(formatter.date(from: endText) == summary.notValidAfter)
        #expect(security.warnings.isEmpty)

        let clientOnly = try TransportSecurity(
            settings: TLSSettings(trustRoots: "tls/ca.pem"), dataDirectory: setup.node)
        #expect(clientOnly.serverConfiguration == nil)
        #expect(clientOnly.certificate == nil)
    }

    @Test("a certificate close to its end is a warning; one past it is refused")
    func expiry() throws {
        let setup = try Setup()
        let end = try #require(
            try TransportSecurity(settings: setup.relative, dataDirectory: setup.node).certificate?.notValidAfter)
        let soon = try TransportSecurity(
            settings: setup.relative, dataDirectory: setup.node, now: end.addingTimeInterval(-10.5 * 86_400))
        #expect(soon.warnings.count == 1)
        #expect(soon.warnings.first?.contains("expires in 10 days") == true)
        let error = #expect(throws: NodeError.self) {
            try TransportSecurity(settings: setup.relative, dataDirectory: setup.node, now: end.addingTimeInterval(1))
        }
        #expect(error?.code == "invalidConfig")
        #expect(error?.message.contains("expired") == true)
    }

    @Test(
        "bad TLS files are refused with a specific error",
        arguments: [
            ("world-readable key", "insecureKeyFile", "other users"),
            ("group-readable key", "insecureKeyFile", "its group"),
            ("key of another certificate", "invalidConfig", "does not belong"),
            ("certificate without key", "invalidConfig", "without its private key"),
            ("garbage certificate", "invalidConfig", "not a PEM certificate"),
            ("garbage key", "invalidConfig", "not a PEM private key"),
            ("missing trust roots", "invalidConfig", "no such readable file"),
            ("empty trust roots", "invalidConfig", "not a PEM certificate"),
            ("a key as trust roots", "invalidConfig", "not a PEM certificate"),
        ])
    func refused(_ case: String, code: String, says: String) throws {
        let setup = try Setup()
        var settings = setup.relative
        let file = { (name: String) in setup.node.appendingPathComponent(name).path }
        switch `case` {
        case "world-readable key":
            chmod(file("tls/private-key.pem"), 0o644)
        case "group-readable key":
            chmod(file("tls/private-key.pem"), 0o640)
        case "key of another certificate":
            let other = try TestCertificates.issue(ca: setup.folder.path("ca"), dataDirectory: setup.folder.path("b"))
            settings.privateKey = other.privateKey.path
        case "certificate without key":
            settings.privateKey = nil
        case "garbage certificate":
            try Data("-----BEGIN CERTIFICATE-----\nnot base64\n".utf8).write(to: URL(fileURLWithPath: file("bad.crt")))
            settings.certificate = "bad.crt"
        case "garbage key":
            try Data("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".utf8).write(
                to: URL(fileURLWithPath: file("tls/private-key.pem")))
        case "a key as trust roots":
            settings.trustRoots = "tls/private-key.pem"
        case "missing trust roots":
            settings.trustRoots = "tls/none.crt"
        default:
            try Data().write(to: URL(fileURLWithPath: file("tls/empty.crt")))
            settings.trustRoots = "tls/empty.crt"
        }
        let error = #expect(throws: NodeError.self) {
            try TransportSecurity(settings: settings, dataDirectory: setup.node)
        }
        #expect(error?.code == code, "\(error?.message ?? "")")
        #expect(error?.message.contains(says) == true, "\(error?.message ?? "")")
    }
}
