import Crypto
import Entrustment
import Foundation
import Node
import Replica
import Synchronization

/// Checks a request's signature (`Protocol/sync.md` §2) against the court directory in force:
/// the node must be approved for the court it names, the timestamp within the window of this
/// node's clock, the nonce unseen within the window, and the signature valid.
///
/// In two steps, so that a server neither stores nor hashes the body of a caller it already knows
/// to refuse: ``checkHeaders(_:)`` does everything the headers alone decide (identity, window,
/// key), then ``verify(_:body:)`` checks the window again (a body can take long to arrive), the
/// signature over the body, and spends the nonce.
public final class RequestAuthenticator: Sendable {
    /// A request whose headers passed every check that does not need its body.
    public struct CheckedHeaders: Sendable {
        let request: IncomingRequest
        let requester: Requester
        let key: Curve25519.Signing.PublicKey
        let sentAt: Int64
    }

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
        try verify(checkHeaders(request), body: request.body)
    }

    /// The checks the headers decide: all five present, a known court, the timestamp within the
    /// window, a well-formed nonce, and a node approved for its court.
    public func checkHeaders(_ request: IncomingRequest) throws(SyncError) -> CheckedHeaders {
        guard let courtHeader = request.header(SyncWire.courtHeader),
            let nodeHeader = request.header(SyncWire.nodeHeader),
            let timestamp = request.header(RequestSigning.timestampHeader),
            let nonce = request.header(RequestSigning.nonceHeader),
            request.header(RequestSigning.signatureHeader) != nil
        else {
            throw SyncError(
                code: "unauthenticated", status: 401,
                "the request is not signed: send \(SyncWire.courtHeader), \(SyncWire.nodeHeader), \(RequestSigning.timestampHeader), \(RequestSigning.nonceHeader) and \(RequestSigning.signatureHeader)"
            )
        }
        let requester = try Requester.parse(court: courtHeader, node: nodeHeader, directory: node.replica.directory)
        let now = node.wallClock.now().milliseconds
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
        return CheckedHeaders(request: request, requester: requester, key: key, sentAt: sentAt)
    }

    /// The signature over the headers and `body`, then the nonce: the authenticated caller.
    public func verify(_ checked: CheckedHeaders, body: [UInt8]) throws(SyncError) -> Requester {
        let request = checked.request
        let header = { (name: String) in request.header(name) ?? "" }
        let nonce = header(RequestSigning.nonceHeader)
        let message = RequestSigning.message(
            method: request.method, target: request.target, timestamp: header(RequestSigning.timestampHeader),
            nonce: nonce, body: body, court: header(SyncWire.courtHeader), node: header(SyncWire.nodeHeader))
        guard let signature = Data(base64Encoded: header(RequestSigning.signatureHeader)),
            SignaturePurpose.request.isValid(Array(signature), of: message, by: checked.key)
        else {
            throw SyncError(
                code: "badSignature", status: 401,
                "the request's signature does not verify with \(checked.requester.node)'s key")
        }
        let now = node.wallClock.now().milliseconds
        let window = windowMilliseconds
        let sentAt = checked.sentAt
        guard abs(now - sentAt) <= window else {
            throw SyncError(
                code: "staleRequest", status: 401,
                "the request's body arrived more than \(window / 1000) s after its timestamp: send it again")
        }
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
        return checked.requester
    }
}
