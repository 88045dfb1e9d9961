import Crypto
import Entrustment
import Foundation
import NIOCore
import NIOSSL
import Node

/// One node's TLS material, loaded and checked once when the node starts: the listener's server
/// configuration (when it serves HTTPS) and the client side every `https://` link uses.
///
/// Both sides require TLS 1.2 or later. The client verifies the remote's chain against the
/// configured trust roots (or the system's) and its name: the URL's host name, or its IP address
/// for a numeric host.
public struct TransportSecurity: Sendable {
    /// The oldest protocol version either side accepts.
    public static let minimumVersion: TLSVersion = .tlsv12
    /// A certificate that expires sooner than this is reported in `warnings` (days).
    public static let expiryWarningDays = 30

    /// The listener's configuration, when the node serves HTTPS.
    public let serverConfiguration: TLSConfiguration?
    /// The listener's leaf certificate, when the node serves HTTPS.
    public let certificate: CertificateSummary?
    /// How links verify the hub's and peers' certificates.
    public let client: ClientTLS
    /// Things an operator should hear about at start (a certificate close to expiry).
    public let warnings: [String]

    /// Loads the files `settings` names (relative to `dataDirectory`) and checks them: readable
    /// PEM, a private key only its owner can read that belongs to the certificate, a certificate that
    /// has not expired, and at least one trust root.
    public init(settings: TLSSettings?, dataDirectory: URL, now: Date = Date()) throws(NodeError) {
        let settings = settings ?? TLSSettings()
        var warnings: [String] = []
        switch (settings.certificate, settings.privateKey) {
        case (nil, nil):
            serverConfiguration = nil
            certificate = nil
        case (let certificateFile?, let keyFile?):
            let certificatePath = TLSSettings.path(certificateFile, in: dataDirectory)
            let keyPath = TLSSettings.path(keyFile, in: dataDirectory)
            let chain = try Self.certificates(at: certificatePath, setting: "tls.certificate")
            try Self.checkKeyFileMode(keyPath)
            let key: NIOSSLPrivateKey
            do {
                key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
            } catch {
                throw NodeError(code: "invalidConfig", "tls.privateKey \(keyPath): not a PEM private key (\(error))")
            }
            let summary = try CertificateSummary(chain[0])
            guard summary.notValidAfter > now else {
                throw NodeError(
                    code: "invalidConfig",
                    "tls.certificate \(certificatePath) expired on \(summary.expiry): install a new certificate"
                )
            }
            let daysLeft = summary.daysLeft(at: now)
            if daysLeft < Self.expiryWarningDays {
                warnings.append("tls.certificate \(certificatePath) expires in \(daysLeft) days (\(summary.expiry))")
            }
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            configuration.minimumTLSVersion = Self.minimumVersion
            do {
                _ = try NIOSSLContext(configuration: configuration)
            } catch {
                throw NodeError(
                    code: "invalidConfig",
                    "tls.privateKey \(keyPath) does not belong to tls.certificate \(certificatePath) (\(error))")
            }
            serverConfiguration = configuration
            certificate = summary
        default:
            throw NodeError(
                code: "invalidConfig", "node.json tls names a certificate without its private key, or a key without one"
            )
        }
        client = try ClientTLS(settings: settings, dataDirectory: dataDirectory)
        self.warnings = warnings
    }

    /// The PEM certificates in `path`, at least one.
    static func certificates(at path: String, setting: String) throws(NodeError) -> [NIOSSLCertificate] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw NodeError(code: "invalidConfig", "\(setting) \(path): no such readable file")
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw NodeError(code: "invalidConfig", "\(setting) \(path): not a PEM certificate file (\(error))")
        }
        guard !chain.isEmpty else {  // NIOSSL throws for a file without one; callers index [0]
            throw NodeError(code: "invalidConfig", "\(setting) \(path) holds no certificate")
        }
        return chain
    }

    /// Refuses a private key file anyone but its owner may read or write (as for `node.key`).
    static func checkKeyFileMode(_ path: String) throws(NodeError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw NodeError(code: "invalidConfig", "tls.privateKey \(path): no such readable file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw NodeError(
                code: "insecureKeyFile",
                "tls.privateKey \(path) is open to its group or other users (mode \(String(mode, radix: 8))): chmod 600 it"
            )
        }
    }
}

/// How a client verifies the server it connects to: a context with trust roots and full
/// verification, or one pinned to a single known certificate (the local daemon's own).
public struct ClientTLS: Sendable {
    let context: NIOSSLContext
    /// The SHA-256 (hex) of the only leaf certificate accepted, when pinned.
    let pinnedSHA256: String?
    /// What the chain is verified against, for messages: the trust roots file or the system store.
    let trustedBy: String
    /// Why a certificate the verifier refused was refused, for the operator.
    var verificationFailure: String {
        pinnedSHA256 == nil
            ? "its certificate is not signed by a CA in \(trustedBy), is not yet valid or has expired"
            : "its certificate is not the one daemon.json records (certificateSHA256): another process answers there"
    }

    /// Verifies the chain against the trust roots `settings` names (the system's if none) and the
    /// name against the URL's host.
    public init(settings: TLSSettings?, dataDirectory: URL) throws(NodeError) {
        var trustRoots: NIOSSLTrustRoots = .default
        var trustedBy = "the system trust store (node.json sets no tls.trustRoots)"
        if let rootsFile = settings?.trustRoots {
            let rootsPath = TLSSettings.path(rootsFile, in: dataDirectory)
            trustRoots = .certificates(try TransportSecurity.certificates(at: rootsPath, setting: "tls.trustRoots"))
            trustedBy = "tls.trustRoots (\(rootsPath))"
        }
        self.trustedBy = trustedBy
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = TransportSecurity.minimumVersion
        configuration.certificateVerification = .fullVerification
        configuration.trustRoots = trustRoots
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw NodeError(code: "invalidConfig", "cannot set up TLS trust roots: \(error)")
        }
        pinnedSHA256 = nil
    }

    /// Accepts exactly the certificate whose DER encoding has SHA-256 `fingerprint` (hex), whatever
    /// its issuer and names: for the CLI talking to the daemon on its own data directory, which
    /// records its certificate's fingerprint in `daemon.json`.
    public init(pinnedSHA256 fingerprint: String) throws(NodeError) {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = TransportSecurity.minimumVersion
        configuration.certificateVerification = .noHostnameVerification
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw NodeError(code: "invalidConfig", "cannot set up TLS: \(error)")
        }
        pinnedSHA256 = fingerprint.lowercased()
        trustedBy = "daemon.json"
    }

    /// The channel handler for one connection to `host`.
    func handler(host: String) throws -> NIOSSLClientHandler {
        // SNI and name checks take a host name; a numeric host is checked against the peer's IP.
        let serverHostname = Self.isNumeric(host) ? nil : host
        guard let pinnedSHA256 else {
            return try NIOSSLClientHandler(context: context, serverHostname: serverHostname)
        }
        return try NIOSSLClientHandler(context: context, serverHostname: serverHostname) { presented, promise in
            let leaf = presented.first.flatMap { try? CertificateSummary($0).sha256 }
            promise.succeed(leaf == pinnedSHA256 ? .certificateVerified : .failed)
        }
    }

    static func isNumeric(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}

/// What an operator needs to know of a certificate: when it expires and its fingerprint.
public struct CertificateSummary: Sendable, Equatable, Codable {
    /// The end of its validity.
    public let notValidAfter: Date
    /// SHA-256 of its DER encoding, hexadecimal.
    public let sha256: String

    /// The end of its validity as the CLI shows times (RFC 3339, China Standard Time).
    public var expiry: String { Timestamp(milliseconds: Int64(notValidAfter.timeIntervalSince1970 * 1000)).rfc3339 }

    /// Whole days from `now` to the end of its validity.
    public func daysLeft(at now: Date) -> Int { Int(notValidAfter.timeIntervalSince(now) / 86_400) }

    init(_ certificate: NIOSSLCertificate) throws(NodeError) {
        notValidAfter = Date(timeIntervalSince1970: TimeInterval(certificate.notValidAfter))
        do {
            sha256 = Hex.encode(Array(SHA256.hash(data: try certificate.toDERBytes())))
        } catch {
            throw NodeError(code: "invalidConfig", "cannot encode the certificate: \(error)")
        }
    }
}
