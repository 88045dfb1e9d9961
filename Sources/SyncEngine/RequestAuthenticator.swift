import Crypto
import Entrustment
import Foundation
import Node
import Replica
import Synchronization

/// Checks a request's signature (`Protocol/sync.md` §3) against the court directory in force:
/// the node must be approved for the court it names, the timestamp within the window of this
/// node's clock, the nonce unseen within the window, and the signature valid.
public final class RequestAuthenticator: Sendable {
    /// The most nonces remembered; older ones beyond the window are forgotten first.
    public static let maxNonces = 200_000

    private let node: CourtNode
    private let windowMilliseconds: Int64
    private let seen = Mutex<[String: Int64]>([:])

    /// `windowSeconds`: how far a request's timestamp may be from this node's clock.
    public init(node: CourtNode, windowSeconds: Int) {
        self.node = node
        windowMilliseconds = Int64(windowSeconds) * 1000
    }

    /// The authenticated caller, or the specific refusal.
    public func authenticate(_ request: IncomingRequest) throws(SyncError) -> Requester {
        guard let courtHeader = request.header(SyncWire.courtHeader),
            let nodeHeader = request.header(SyncWire.nodeHeader),
            let timestamp = request.header(RequestSigning.timestampHeader),
            let nonce = request.header(RequestSigning.nonceHeader),
            let signatureText = request.header(RequestSigning.signatureHeader)
        else {
            throw SyncError(
                code: "unauthenticated", status: 401,
                "the request is not signed: send \(SyncWire.courtHeader), \(SyncWire.nodeHeader), \(RequestSigning.timestampHeader), \(RequestSigning.nonceHeader) and \(RequestSigning.signatureHeader)"
            )
        }
        let requester = try Requester.parse(court: courtHeader, node: nodeHeader, directory: node.replica.directory)
        let now = node.time.now().milliseconds
        guard let sentAt = Int64(timestamp) else {
            throw SyncError(code: "unauthenticated", status: 401, "\(RequestSigning.timestampHeader) is not a number")
        }
        guard abs(now - sentAt) <= windowMilliseconds else {
            throw SyncError(
                code: "staleRequest", status: 401,
                "the request is dated \(Timestamp(milliseconds: sentAt).rfc3339), more than \(windowMilliseconds / 1000) s from this node's clock (\(Timestamp(milliseconds: now).rfc3339)): check both clocks"
            )
        }
        guard nonce.utf8.count == 32, Hex.decode(nonce) != nil else {
            throw SyncError(code: "unauthenticated", status: 401, "\(RequestSigning.nonceHeader) must be 32 hex digits")
        }
        let key: Curve25519.Signing.PublicKey
        do {
            let registry = try node.replica.keyRegistry()
            key = try registry.authenticate(node: requester.node, court: requester.court)
        } catch let error as DomainError {
            if error.code == .unknownKey, node.isHub,
                (try? node.registrations())?.contains(where: { $0.node == requester.node && $0.status == .pending })
                    == true
            {
                throw SyncError(
                    code: "unknownKey", status: 401,
                    "node \(requester.node) is waiting for hub staff to approve its registration (待审核): courtsync hub approve \(requester.court)"
                )
            }
            throw SyncError(code: error.code.rawValue, status: error.code == .revokedKey ? 403 : 401, error.message)
        } catch {
            throw SyncError.storage("cannot read the court directory: \(error)")
        }
        let message = RequestSigning.message(
            method: request.method, target: request.target, timestamp: timestamp, nonce: nonce, body: request.body,
            court: courtHeader, node: nodeHeader)
        guard let signature = Data(base64Encoded: signatureText),
            SignaturePurpose.request.isValid(Array(signature), of: message, by: key)
        else {
            throw SyncError(
                code: "badSignature", status: 401,
                "the request's signature does not verify with \(requester.node)'s key")
        }
        let window = windowMilliseconds
        let verdict = seen.withLock { nonces -> Int in
            if nonces.count >= Self.maxNonces {
                nonces = nonces.filter { abs(now - $0.value) <= window }
            }
            guard nonces[nonce] == nil else { return 1 }
            guard nonces.count < Self.maxNonces else { return 2 }
            nonces[nonce] = sentAt
            return 0
        }
        switch verdict {
        case 1:
            throw SyncError(code: "replayedRequest", status: 401, "nonce \(nonce) was already used: a replayed request")
        case 2:
            throw SyncError(
                code: "busy", status: 503, "too many requests within the replay window; retry in a few seconds")
        default:
            break
        }
        return requester
    }
}
