import Crypto
import Entrustment
import Foundation
import Node
import Replica

/// Signed requests (`Protocol/sync.md` §2): every request names its node and carries the node's
/// Ed25519 signature over the method, the target (path and query as sent), a timestamp, a
/// random nonce, the SHA-256 of the body, and the court and node.
public enum RequestSigning {
    /// Milliseconds since 1970 on the caller's clock.
    public static let timestampHeader = "CourtSync-Timestamp"
    /// 32 random hex digits, never reused.
    public static let nonceHeader = "CourtSync-Nonce"
    /// Base64 of the signature.
    public static let signatureHeader = "CourtSync-Signature"

    /// The bytes signed for a request.
    public static func message(
        method: String, target: String, timestamp: String, nonce: String, body: [UInt8], court: String, node: String
    ) -> [UInt8] {
        let bodyHash = Hex.encode(Array(SHA256.hash(data: body)))
        return Array("\(method)\n\(target)\n\(timestamp)\n\(nonce)\n\(bodyHash)\n\(court)\n\(node)".utf8)
    }
}

/// Signs this node's requests: the identity and signature headers for one request.
public struct RequestSigner: Sendable {
    /// The node the requests come from.
    public let identity: NodeIdentity
    private let node: CourtNode

    public init(node: CourtNode) {
        self.node = node
        identity = node.identity
    }

    /// The headers for a request of `method` to `target` (path and query, as sent) with `body`.
    public func headers(method: String, target: String, body: [UInt8]) -> [String: String] {
        let timestamp = String(node.wallClock.now().milliseconds)
        let nonce = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let court = SyncWire.encodeHeader(identity.court.rawValue)
        let nodeID = SyncWire.encodeHeader(identity.node.rawValue)
        let message = RequestSigning.message(
            method: method, target: target, timestamp: timestamp, nonce: nonce, body: body, court: court, node: nodeID)
        return [
            SyncWire.courtHeader: court, SyncWire.nodeHeader: nodeID, RequestSigning.timestampHeader: timestamp,
            RequestSigning.nonceHeader: nonce,
            RequestSigning.signatureHeader: Data(node.sign(message, for: .request)).base64EncodedString(),
        ]
    }
}

/// A request as the server received it, before authentication.
public struct IncomingRequest: Sendable {
    public var method: String
    /// The path and query, as sent (`/v1/changes?after=0&wait=25`).
    public var target: String
    /// Header values by lowercased name.
    public var headers: [String: String]
    public var body: [UInt8]

    public init(method: String, target: String, headers: [String: String], body: [UInt8]) {
        self.method = method
        self.target = target
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
        self.body = body
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}
