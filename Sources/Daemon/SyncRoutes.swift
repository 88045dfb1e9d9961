import Entrustment
import Foundation
import HTTPTypes
import Hummingbird
import Node
import ServiceLifecycle
import SyncEngine

/// The daemon's HTTP routes (`Protocol/sync.md` §4). Every protocol endpoint but
/// `POST /v1/register` (whose body is signed by the key it presents) authenticates the signed
/// request from its headers first (``SyncResponder/authenticate(_:)``): a caller refused there is
/// answered at once and its body is never buffered or hashed. A declared body over the limit is
/// refused (413) before anything else; an accepted body is read as it arrives, checked against the
/// signed digest, and cut off if it trickles (``BodyReader``). `/v1/control/sync` lets
/// `courtsync sync` on this machine start a round.
struct SyncRoutes: Sendable {
    let responder: SyncResponder
    let scheduler: SyncScheduler
    let notifier: ChangeNotifier
    let controlToken: String
    let slots: ConnectionSlots
    let limits: NodeConfig.Limits
    /// Registration bodies being read, per address.
    let registrationBodies = RegistrationBodies()

    static let headField = HTTPField.Name(SyncWire.headHeader)!
    static let directoryField = HTTPField.Name(SyncWire.directoryHeader)!
    static let attestationField = HTTPField.Name(SyncWire.attestationHeader)!
    /// The largest JSON body accepted (hello, registration).
    static let maxJSONBytes = 64 << 10
    static let chunkDigestField = HTTPField.Name(SyncWire.chunkDigestHeader)!
    static let chunkEncodingField = HTTPField.Name(SyncWire.chunkEncodingHeader)!
    /// The largest document chunk body accepted: a chunk, or its zlib stream (which may be a
    /// little larger than the chunk for incompressible bytes).
    static let maxChunkBodyBytes = DocumentStore.chunkSize + (64 << 10)

    /// Reads bodies of at most `limit` bytes at this node's minimum rate.
    func reader(limit: Int) -> BodyReader {
        BodyReader(
            limit: limit, minBytesPerSecond: limits.minBodyBytesPerSecond, graceSeconds: limits.bodyGraceSeconds,
            suite: responder.suite)
    }

    /// Authenticates a request from its headers and marks its connection as a node's.
    func authenticate(_ request: Request, _ context: NodeRequestContext) async throws -> AuthenticatedRequest {
        let authenticated = try responder.authenticate(Self.incoming(request))
        // A hub of several processes spends a request that changes something (POST, PUT) at all
        // of them; a read (a poll, a long-poll) touches no store (`Protocol/sync.md` §1).
        if request.method != .get { try await responder.spendShared(authenticated) }
        guard slots.authenticated(context.channel, node: authenticated.requester.node.rawValue) else {
            throw SyncError(
                code: "busy", status: 503,
                "\(authenticated.requester.node) already holds \(slots.perNode) connections, all busy: retry when one is done"
            )
        }
        return authenticated
    }

    func add(to router: Router<NodeRequestContext>) {
        router.get("v1/health") { request, context in
            _ = try await authenticate(request, context)
            return try Self.json(await responder.health())
        }
        router.post("v1/hello") { request, context in
            let reader = reader(limit: Self.maxJSONBytes)
            try reader.checkDeclaredLength(request)
            let signed = try await authenticate(request, context)
            let body = try await reader.read(request, channel: context.channel, signed: signed)
            let hello: HelloRequest
            do {
                hello = try JSONDecoder().decode(HelloRequest.self, from: Data(body))
            } catch {
                throw SyncError.badRequest("the hello body is not a valid HelloRequest")
            }
            return try Self.json(await responder.hello(hello, from: signed.requester))
        }
        router.post("v1/register") { request, context in
            let reader = reader(limit: Self.maxJSONBytes)
            try reader.checkDeclaredLength(request)
            let body = try await registrationBodies.reading(from: context.remoteAddress) {
                try await reader.read(request, channel: context.channel)
            }
            return try Self.json(await responder.register(body: body, from: context.remoteAddress))
        }
        router.get("v1/directory") { request, context in
            _ = try await authenticate(request, context)
            let document = try await responder.directory()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: Array(document.encoded()))))
        }
        router.get("v1/changes") { request, context in
            let requester = try await authenticate(request, context).requester
            let query = request.uri.queryParameters
            guard let after = query.get("after", as: Int64.self) else {
                throw SyncError.badRequest("the query needs after=N (an arrival sequence)")
            }
            let wait = query.get("wait").map { Double($0) } ?? 0
            guard let wait else { throw SyncError.badRequest("wait must be a number of seconds") }
            let attested = query.get("attest") == "1"
            let echo = query.get("echo") == "1"
            let answer = try await withGracefulShutdownHandler {
                try await responder.pull(
                    from: requester, after: after, wait: wait, maxEvents: query.get("maxEvents", as: Int.self),
                    maxBytes: query.get("maxBytes", as: Int.self), attested: attested, echo: echo)
            } onGracefulShutdown: {
                Task { await notifier.shutDown() }
            }
            var headers: HTTPFields = [
                .contentType: SyncWire.changeSetMediaType, Self.headField: String(answer.head),
                Self.directoryField: String(answer.directoryVersion),
            ]
            if let attestation = answer.attestation {
                headers[Self.attestationField] = Data(attestation).base64EncodedString()
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.post("v1/changes") { request, context in
            let reader = reader(limit: responder.limits.maxBodyBytes)
            try reader.checkDeclaredLength(request)
            let signed = try await authenticate(request, context)
            let body = try await reader.read(request, channel: context.channel, signed: signed)
            let directory = request.headers[Self.directoryField].flatMap { Int($0) }
            return try Self.json(
                await responder.push(from: signed.requester, body: body, senderDirectoryVersion: directory))
        }
        router.get("v1/documents/:hash") { request, context in
            let requester = try await authenticate(request, context).requester
            let hash = try context.parameters.require("hash")
            return try Self.json(await responder.documents.status(of: hash, for: requester))
        }
        router.get("v1/documents/:hash/chunks/:index") { request, context in
            let requester = try await authenticate(request, context).requester
            let hash = try context.parameters.require("hash")
            guard let index = context.parameters.get("index", as: Int.self) else {
                throw SyncError.badRequest("the chunk index must be a number")
            }
            let chunk = try await responder.documents.chunk(index, of: hash, for: requester)
            return Response(
                status: .ok,
                headers: [
                    .contentType: SyncWire.chunkMediaType, Self.chunkDigestField: chunk.digest,
                    Self.chunkEncodingField: chunk.encoding,
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: chunk.body)))
        }
        router.put("v1/documents/:hash/chunks/:index") { request, context in
            let reader = reader(limit: Self.maxChunkBodyBytes)
            try reader.checkDeclaredLength(request)
            let signed = try await authenticate(request, context)
            let hash = try context.parameters.require("hash")
            guard let index = context.parameters.get("index", as: Int.self) else {
                throw SyncError.badRequest("the chunk index must be a number")
            }
            guard let digest = request.headers[Self.chunkDigestField] else {
                throw SyncError.badRequest("a chunk needs its \(SyncWire.chunkDigestHeader) header")
            }
            let body = try await reader.read(request, channel: context.channel, signed: signed)
            let chunk = DocumentChunk(
                body: body, encoding: request.headers[Self.chunkEncodingField] ?? "identity", digest: digest)
            return try Self.json(await responder.documents.put(chunk, index: index, of: hash, from: signed.requester))
        }
        router.post("v1/control/sync") { request, _ in
            guard request.headers[.authorization] == "Bearer \(controlToken)" else {
                throw SyncError(
                    code: "unauthorized", status: 401,
                    "the control endpoint takes the token in DATA_DIR/daemon.json (run courtsync sync on this node's machine)"
                )
            }
            let peer = request.uri.queryParameters.get("peer")
            if let peer, !scheduler.links.contains(where: { $0.isNamed(by: peer) }) {
                throw SyncError(
                    code: "unknownPeer", status: 404,
                    "\(peer) is not a link of this node (links: \(scheduler.links.map { "\($0.court)" }.joined(separator: ", ")))"
                )
            }
            let rounds = await scheduler.syncNow(
                matching: peer.map { peer in { $0.isNamed(by: peer) } })
            return try Self.json(rounds)
        }
    }

    /// The request as the authenticator sees it: method, target as sent, headers.
    static func incoming(_ request: Request) -> IncomingRequest {
        var headers: [String: String] = [:]
        for field in request.headers where headers[field.name.canonicalName] == nil {
            headers[field.name.canonicalName] = field.value
        }
        return IncomingRequest(method: request.method.rawValue, target: request.uri.description, headers: headers)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
