import Entrustment
import Foundation
import Node
import Replica

/// Signed requests (`Protocol/sync.md` §2): every request names its node and carries the node's
/// signature (in the network's suite) over the method, the target (path and query as sent), a
/// timestamp, a random nonce, the hash of the body it declares in `Content-Digest` (RFC 9530:
/// `sha-256` in an `ed25519` network, `sm3` in an `sm2` one), and the
/// court and node. The server checks all of it from the headers, before it reads a byte of the
/// body, then checks the body against the declared digest as it arrives.
public enum RequestSigning {
    /// Milliseconds since 1970 on the caller's clock.
    public static let timestampHeader = "CourtSync-Timestamp"
    /// 32 random hex digits, never reused.
    public static let nonceHeader = "CourtSync-Nonce"
    /// Base64 of the signature.
    public static let signatureHeader = "CourtSync-Signature"
    /// The body's hash (RFC 9530): `sha-256=:BASE64:` or `sm3=:BASE64:`.
    public static let digestHeader = "Content-Digest"

    /// The bytes signed for a request whose body has hash `bodyDigest`.
    public static func message(
        method: String, target: String, timestamp: String, nonce: String, bodyDigest: [UInt8], court: String,
        node: String
    ) -> [UInt8] {
        Array("\(method)\n\(target)\n\(timestamp)\n\(nonce)\n\(Hex.encode(bodyDigest))\n\(court)\n\(node)".utf8)
    }

    /// The suite's hash of a body.
    public static func digest(of body: [UInt8], suite: SignatureSuite) -> [UInt8] { suite.hash(body) }

    /// The `Content-Digest` member name of the suite's hash: `sha-256` or `sm3`.
    public static func digestAlgorithm(_ suite: SignatureSuite) -> String {
        switch suite {
        case .ed25519: "sha-256"
        case .sm2: "sm3"
        }
    }

    /// The `Content-Digest` value for a body with hash `digest` in `suite`.
    public static func digestHeaderValue(_ digest: [UInt8], suite: SignatureSuite) -> String {
        "\(digestAlgorithm(suite))=:\(Data(digest).base64EncodedString()):"
    }

    /// The hash a `Content-Digest` value declares: its member of the suite's algorithm (RFC
    /// 9530; other algorithms beside it are ignored), or `nil` if it has none or it is not 32
    /// bytes of base64.
    public static func declaredDigest(_ value: String, suite: SignatureSuite) -> [UInt8]? {
        let prefix = digestAlgorithm(suite) + "=:"
        for member in value.split(separator: ",") {
            let trimmed = member.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix(prefix), trimmed.hasSuffix(":"), trimmed.count > prefix.count + 1
            else {
                continue
            }
            let encoded = trimmed.dropFirst(prefix.count).dropLast()
            guard let bytes = Data(base64Encoded: String(encoded)), bytes.count == 32 else { return nil }
            return Array(bytes)
        }
        return nil
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
        let digest = RequestSigning.digest(of: body, suite: node.suite)
        let message = RequestSigning.message(
            method: method, target: target, timestamp: timestamp, nonce: nonce, bodyDigest: digest, court: court,
            node: nodeID)
        return [
            SyncWire.courtHeader: court, SyncWire.nodeHeader: nodeID, RequestSigning.timestampHeader: timestamp,
            RequestSigning.nonceHeader: nonce,
            RequestSigning.digestHeader: RequestSigning.digestHeaderValue(digest, suite: node.suite),
            RequestSigning.signatureHeader: Data(node.sign(message, for: .request)).base64EncodedString(),
        ]
    }
}

/// A request as the server received it: its method, target and headers (the body is checked
/// against the signed digest as it arrives, ``AuthenticatedRequest/check(body:)``).
public struct IncomingRequest: Sendable {
    public var method: String
    /// The path and query, as sent (`/v1/changes?after=0&wait=25`).
    public var target: String
    /// Header values by lowercased name.
    public var headers: [String: String]

    public init(method: String, target: String, headers: [String: String]) {
        self.method = method
        self.target = target
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
    }

    func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// The suite's hash of a body, computed piece by piece as it arrives.
public struct BodyHasher: Sendable {
    private var hasher: SuiteHasher

    public init(suite: SignatureSuite) { hasher = suite.hasher() }

    /// Adds the next piece of the body.
    public mutating func update(_ bytes: some Collection<UInt8>) { hasher.update(bytes) }

    /// The digest of everything added.
    public func finalize() -> [UInt8] { hasher.finalize() }
}

/// A request whose signature held: who sent it, and the body it signed for.
public struct AuthenticatedRequest: Sendable {
    /// The caller.
    public let requester: Requester
    /// The network's suite, whose hash the body digest is.
    public let suite: SignatureSuite
    /// The hash of the body the caller signed (the network suite's).
    public let bodyDigest: [UInt8]
    /// The request's nonce (16 bytes) and when this node may forget it (milliseconds since 1970).
    public let nonce: [UInt8]
    public let nonceExpires: Int64

    /// Throws `digestMismatch` (400) unless `body` is the body the caller signed.
    public func check(body: [UInt8]) throws(SyncError) {
        try check(digest: RequestSigning.digest(of: body, suite: suite))
    }

    /// Throws `digestMismatch` (400) unless `digest` is the hash the caller signed.
    public func check(digest: [UInt8]) throws(SyncError) {
        guard digest == bodyDigest else {
            throw SyncError(
                code: "digestMismatch", status: 400,
                "the body does not match the \(RequestSigning.digestHeader) the request was signed with")
        }
    }
}
