import Entrustment
import Foundation
import Node
import PostgresStore
import Replica

/// Checks a request's signature (`Protocol/sync.md` §2) against the court directory in force,
/// from its headers alone: the node must be approved for the court it names, the timestamp
/// within the window of this node's clock, the signature valid over the declared body digest,
/// and the nonce unseen within the window (``NonceLedger``, per node). A server therefore neither
/// buffers nor hashes a byte of the body of a caller it refuses; the body is checked against the
/// signed digest as it arrives (``AuthenticatedRequest/check(body:)``).
public final class RequestAuthenticator: Sendable {
    private let node: CourtNode
    private let windowMilliseconds: Int64
    private let nonces: NonceLedger
    /// On a hub running as several processes: the nonces every process spends.
    private let sharedNonces: PostgresNonces?

    /// `windowSeconds`: how far a request's timestamp may be from this node's clock;
    /// `requestsPerNode`: how many requests one node may make within it; `sharedNonces`: the
    /// hub's store, when the hub runs as several processes.
    public init(node: CourtNode, windowSeconds: Int, requestsPerNode: Int, sharedNonces: PostgresNonces? = nil) {
        self.node = node
        self.sharedNonces = sharedNonces
        windowMilliseconds = Int64(windowSeconds) * 1000
        nonces = NonceLedger(
            windowMilliseconds: windowMilliseconds, perNode: requestsPerNode,
            journalFolder: node.dataDirectory.appendingPathComponent("nonces"), now: node.wallClock.now().milliseconds)
    }

    /// The authenticated caller and the body digest it signed, or the specific refusal: all six
    /// headers present (`unauthenticated`), a known court (`unknownCourt`), the timestamp within
    /// the window (`staleRequest`), a node approved for its court (`unknownKey`, `revokedKey`), a
    /// valid signature (`badSignature`), and a fresh nonce (`replayedRequest`; `busy` when the
    /// node spent its allowance).
    public func authenticate(_ request: IncomingRequest) throws(SyncError) -> AuthenticatedRequest {
        guard let courtHeader = request.header(SyncWire.courtHeader),
            let nodeHeader = request.header(SyncWire.nodeHeader),
            let timestamp = request.header(RequestSigning.timestampHeader),
            let nonce = request.header(RequestSigning.nonceHeader),
            let digestHeader = request.header(RequestSigning.digestHeader),
            let signatureHeader = request.header(RequestSigning.signatureHeader)
        else {
            throw SyncError(
                code: "unauthenticated", status: 401,
                "the request is not signed: send \(SyncWire.courtHeader), \(SyncWire.nodeHeader), \(RequestSigning.timestampHeader), \(RequestSigning.nonceHeader), \(RequestSigning.digestHeader) and \(RequestSigning.signatureHeader)"
            )
        }
        let requester = try Requester.parse(court: courtHeader, node: nodeHeader, directory: node.replica.directory)
        let now = node.wallClock.now().milliseconds
        guard (1...19).contains(timestamp.utf8.count), timestamp.utf8.allSatisfy({ (48...57).contains($0) }),
            let sentAt = Int64(timestamp)
        else {
            throw SyncError(
                code: "unauthenticated", status: 401,
                "\(RequestSigning.timestampHeader) must be milliseconds since 1970, in ASCII digits")
        }
        guard abs(now - sentAt) <= windowMilliseconds else {
            throw SyncError(
                code: "staleRequest", status: 401,
                "the request is dated \(Timestamp(milliseconds: sentAt).rfc3339), more than \(windowMilliseconds / 1000) s from this node's clock (\(Timestamp(milliseconds: now).rfc3339)): check both clocks"
            )
        }
        guard nonce.utf8.count == 32, let nonceBytes = Hex.decode(nonce) else {
            throw SyncError(code: "unauthenticated", status: 401, "\(RequestSigning.nonceHeader) must be 32 hex digits")
        }
        let suite = node.suite
        guard let digest = RequestSigning.declaredDigest(digestHeader, suite: suite) else {
            throw SyncError(
                code: "unauthenticated", status: 401,
                "\(RequestSigning.digestHeader) must carry the body's \(suite.hashName) as \(RequestSigning.digestAlgorithm(suite))=:BASE64: (this network's suite is \(suite))"
            )
        }
        let key = try approvedKey(of: requester)
        let message = RequestSigning.message(
            method: request.method, target: request.target, timestamp: timestamp, nonce: nonce, bodyDigest: digest,
            court: courtHeader, node: nodeHeader)
        guard let signature = Data(base64Encoded: signatureHeader),
            SignaturePurpose.request.isValid(Array(signature), of: message, by: key)
        else {
            throw SyncError(
                code: "badSignature", status: 401,
                "the request's signature does not verify with \(requester.node)'s key")
        }
        switch nonces.spend(nonceBytes, node: requester.node, sentAt: sentAt, now: now) {
        case .fresh:
            return AuthenticatedRequest(
                requester: requester, suite: suite, bodyDigest: digest, nonce: nonceBytes,
                nonceExpires: max(sentAt, now) + windowMilliseconds)
        case .replayed:
            throw SyncError(code: "replayedRequest", status: 401, "nonce \(nonce) was already used: a replayed request")
        case .busy:
            throw SyncError(
                code: "busy", status: 503,
                "\(requester.node) made more than \(nonces.perNode) requests within the \(windowMilliseconds / 1000) s replay window; retry later"
            )
        }
    }

    /// On a hub running as several processes, spends the request's nonce for all of them
    /// (`replayedRequest` when another process served it already; `unavailable`, 503, when the
    /// store cannot be reached, so that the caller tries another process or later).
    public func spendShared(_ request: AuthenticatedRequest) async throws(SyncError) {
        guard let sharedNonces else { return }
        let fresh: Bool
        do {
            fresh = try await sharedNonces.spend(
                request.nonce, node: request.requester.node.rawValue, expires: request.nonceExpires)
        } catch {
            throw SyncError(
                code: "unavailable", status: 503, "the hub's store cannot check the request: \(error.message)")
        }
        guard fresh else {
            throw SyncError(
                code: "replayedRequest", status: 401,
                "nonce \(Hex.encode(request.nonce)) was already used at another process of the hub: a replayed request")
        }
    }

    /// The key of a node approved for the court it names, or why it may not make requests. The
    /// keys are those loaded in memory (reloaded once per directory version by the daemon's
    /// change watch); a node they do not list is looked up again in the file once, in case a
    /// directory was installed since.
    private func approvedKey(of requester: Requester) throws(SyncError) -> VerifyingKey {
        let replica = node.replica
        do {
            if let key = try? replica.loadedKeyRegistry.authenticate(node: requester.node, court: requester.court) {
                return key
            }
            try replica.refreshTrust()
            return try replica.loadedKeyRegistry.authenticate(node: requester.node, court: requester.court)
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
    }
}
