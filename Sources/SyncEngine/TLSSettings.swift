import Foundation
import Node

/// The `tls` section of `node.json`: the certificate this node's listener presents and the
/// certificate authorities it trusts for the hub's and peers' certificates.
///
/// With a certificate and its key the daemon serves HTTPS only. Links whose URL is `https://`
/// verify the remote's certificate chain and name (host name or IP address) against `trustRoots`.
/// Paths are relative to the data directory unless absolute.
public struct TLSSettings: Codable, Sendable, Equatable {
    /// PEM certificate chain the listener presents, leaf first (with `privateKey`, or neither).
    public var certificate: String?
    /// PEM private key of that certificate. Refused unless only its owner may read it (`chmod 600`).
    public var privateKey: String?
    /// PEM bundle of the certificate authorities trusted for remote nodes' certificates; absent:
    /// the system's trust store.
    public var trustRoots: String?

    public init(certificate: String? = nil, privateKey: String? = nil, trustRoots: String? = nil) {
        self.certificate = certificate
        self.privateKey = privateKey
        self.trustRoots = trustRoots
    }

    /// Whether the listener serves HTTPS.
    public var servesTLS: Bool { certificate != nil }

    /// A file the section names, resolved against the data directory.
    public static func path(_ file: String, in dataDirectory: URL) -> String {
        file.hasPrefix("/") ? file : dataDirectory.appendingPathComponent(file).path
    }
}
