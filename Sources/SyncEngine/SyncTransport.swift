import Entrustment
import Foundation
import Node

/// The client side of one link: how requests reach the remote node. ``HTTPTransport`` speaks the
/// wire protocol over HTTP; ``LocalTransport`` calls another node's ``SyncResponder`` in the same
/// process (tests and simulations).
public protocol SyncTransport: Sendable {
    /// `POST /v1/hello`.
    func hello(_ request: HelloRequest) async throws -> HelloResponse
    /// `GET /v1/changes`: a change set and the remote's head.
    func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges
    /// `GET /v1/changes`, asking the hub (with `attested`) to attest its answer
    /// (`Protocol/sync.md` §4.3.1), and (with `echo`, protocol 2) for the caller's own events too,
    /// which a restored node may lack. Transports that cannot carry a wish ignore it.
    func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int, attested: Bool, echo: Bool) async throws
        -> PulledChanges
    /// `POST /v1/changes`, saying which signed directory this node holds (`directoryVersion`).
    func push(_ changeSet: [UInt8], directoryVersion: Int) async throws -> PushReceipt
    /// `GET /v1/directory`: the signed court directory the remote holds.
    func directory() async throws -> SignedDirectory
    /// `GET /v1/documents/{hash}`: what the remote holds of a document.
    func documentStatus(_ hash: DocumentHash) async throws -> DocumentStatus
    /// `GET /v1/documents/{hash}/chunks/{index}`: one chunk, as it travelled.
    func documentChunk(_ hash: DocumentHash, index: Int) async throws -> DocumentChunk
    /// `PUT /v1/documents/{hash}/chunks/{index}`: sends one chunk.
    func putDocumentChunk(_ chunk: DocumentChunk, hash: DocumentHash, index: Int) async throws -> DocumentStatus
}

extension SyncTransport {
    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int, attested: Bool, echo: Bool) async throws
        -> PulledChanges
    {
        try await pull(after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes)
    }
}

/// A pull's response as it arrived.
public struct PulledChanges: Sendable {
    /// The encoded change set.
    public var body: [UInt8]
    /// The remote's highest arrival sequence.
    public var head: Int64
    /// The version of the remote's signed court directory.
    public var directoryVersion: Int
    /// The hub's batch attestation of the answer (signed bytes), when asked for and given.
    public var attestation: [UInt8]?

    public init(body: [UInt8], head: Int64, directoryVersion: Int, attestation: [UInt8]? = nil) {
        self.body = body
        self.head = head
        self.directoryVersion = directoryVersion
        self.attestation = attestation
    }
}

/// Calls another node's ``SyncResponder`` directly, with requests signed by `signer` and
/// authenticated by the responder exactly as over HTTP.
public struct LocalTransport: SyncTransport {
    private let responder: SyncResponder
    private let signer: RequestSigner

    public init(to responder: SyncResponder, signer: RequestSigner) {
        self.responder = responder
        self.signer = signer
    }

    private func authenticate(
        _ method: String, _ target: String, _ body: [UInt8] = [], extra: [String: String] = [:]
    ) throws -> Requester {
        let request = try responder.authenticate(
            IncomingRequest(
                method: method, target: target,
                headers: signer.headers(method: method, target: target, body: body).merging(extra) { $1 }))
        try request.check(body: body)
        return request.requester
    }

    public func hello(_ request: HelloRequest) async throws -> HelloResponse {
        let body = try JSONEncoder().encode(request)
        return try await responder.hello(request, from: authenticate("POST", "/v1/hello", Array(body)))
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        try await pull(after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes, attested: false, echo: false)
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int, attested: Bool, echo: Bool) async throws
        -> PulledChanges
    {
        let requester = try authenticate(
            "GET", "/v1/changes?after=\(after)&wait=\(wait)\(attested ? "&attest=1" : "")\(echo ? "&echo=1" : "")")
        let answer = try await responder.pull(
            from: requester, after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes, attested: attested,
            echo: echo)
        return PulledChanges(
            body: answer.body, head: answer.head, directoryVersion: answer.directoryVersion,
            attestation: answer.attestation)
    }

    public func push(_ changeSet: [UInt8], directoryVersion: Int) async throws -> PushReceipt {
        try await responder.push(
            from: authenticate(
                "POST", "/v1/changes", changeSet, extra: [SyncWire.directoryHeader: String(directoryVersion)]),
            body: changeSet, senderDirectoryVersion: directoryVersion)
    }

    public func directory() async throws -> SignedDirectory {
        _ = try authenticate("GET", "/v1/directory")
        return try await responder.directory()
    }

    public func documentStatus(_ hash: DocumentHash) async throws -> DocumentStatus {
        let requester = try authenticate("GET", "/v1/documents/\(hash.hex)")
        return try await responder.documents.status(of: hash.hex, for: requester)
    }

    public func documentChunk(_ hash: DocumentHash, index: Int) async throws -> DocumentChunk {
        let requester = try authenticate("GET", "/v1/documents/\(hash.hex)/chunks/\(index)")
        return try await responder.documents.chunk(index, of: hash.hex, for: requester)
    }

    public func putDocumentChunk(_ chunk: DocumentChunk, hash: DocumentHash, index: Int) async throws -> DocumentStatus
    {
        let requester = try authenticate("PUT", "/v1/documents/\(hash.hex)/chunks/\(index)", chunk.body)
        return try await responder.documents.put(chunk, index: index, of: hash.hex, from: requester)
    }
}
