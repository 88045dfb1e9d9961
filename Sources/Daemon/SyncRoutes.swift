import Entrustment
import Foundation
import HTTPTypes
import Hummingbird
import Node
import ServiceLifecycle
import SyncEngine

/// The daemon's HTTP routes (`Protocol/sync.md` §4). Every protocol endpoint authenticates the
/// signed request first (``SyncResponder/authenticate(_:)``) except `POST /v1/register`, whose
/// body is signed by the key it presents; endpoints with a body check the headers before
/// collecting it, so an unknown, stale or revoked caller is answered at once and its body is
/// never buffered or hashed (Hummingbird discards what still arrives on a kept-alive connection); `/v1/control/sync` lets `courtsync sync` on this
/// machine start a round.
struct SyncRoutes: Sendable {
    let responder: SyncResponder
    let scheduler: SyncScheduler
    let notifier: ChangeNotifier
    let controlToken: String

    static let headField = HTTPField.Name(SyncWire.headHeader)!
    static let directoryField = HTTPField.Name(SyncWire.directoryHeader)!
    /// The largest JSON body accepted (hello, registration).
    static let maxJSONBytes = 64 << 10

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(JSONErrorMiddleware())
        router.get("v1/health") { request, _ in
            _ = try responder.authenticate(Self.incoming(request, body: []))
            return try Self.json(await responder.health())
        }
        router.post("v1/hello") { request, _ in
            let checked = try responder.checkHeaders(Self.incoming(request, body: []))
            let body = try await Self.collect(request, limit: Self.maxJSONBytes)
            let requester = try responder.authenticate(checked, body: body)
            let hello: HelloRequest
            do {
                hello = try JSONDecoder().decode(HelloRequest.self, from: Data(body))
            } catch {
                throw SyncError.badRequest("the hello body is not a valid HelloRequest")
            }
            return try Self.json(await responder.hello(hello, from: requester))
        }
        router.post("v1/register") { request, _ in
            let body = try await Self.collect(request, limit: Self.maxJSONBytes)
            return try Self.json(await responder.register(body: body))
        }
        router.get("v1/directory") { request, _ in
            _ = try responder.authenticate(Self.incoming(request, body: []))
            let document = try await responder.directory()
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: Array(document.encoded()))))
        }
        router.get("v1/changes") { request, _ in
            let requester = try responder.authenticate(Self.incoming(request, body: []))
            let query = request.uri.queryParameters
            guard let after = query.get("after", as: Int64.self) else {
                throw SyncError.badRequest("the query needs after=N (an arrival sequence)")
            }
            let wait = query.get("wait").map { Double($0) } ?? 0
            guard let wait else { throw SyncError.badRequest("wait must be a number of seconds") }
            let answer = try await withGracefulShutdownHandler {
                try await responder.pull(
                    from: requester, after: after, wait: wait, maxEvents: query.get("maxEvents", as: Int.self),
                    maxBytes: query.get("maxBytes", as: Int.self))
            } onGracefulShutdown: {
                Task { await notifier.shutDown() }
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: SyncWire.changeSetMediaType, Self.headField: String(answer.head),
                    Self.directoryField: String(answer.directoryVersion),
                ],
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.post("v1/changes") { request, _ in
            let checked = try responder.checkHeaders(Self.incoming(request, body: []))
            let body = try await Self.collect(request, limit: responder.limits.maxBodyBytes)
            let requester = try responder.authenticate(checked, body: body)
            return try Self.json(await responder.push(from: requester, body: body))
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
        return router
    }

    /// Reads a body of at most `limit` bytes, refusing a larger one with 413.
    static func collect(_ request: Request, limit: Int) async throws -> [UInt8] {
        do {
            return Array(buffer: try await request.body.collect(upTo: limit))
        } catch {
            throw SyncError(code: "tooLarge", status: 413, "the request body is over the limit of \(limit) bytes")
        }
    }

    /// The request as the authenticator sees it: method, target as sent, headers and body.
    static func incoming(_ request: Request, body: [UInt8]) -> IncomingRequest {
        var headers: [String: String] = [:]
        for field in request.headers where headers[field.name.canonicalName] == nil {
            headers[field.name.canonicalName] = field.value
        }
        return IncomingRequest(
            method: request.method.rawValue, target: request.uri.description, headers: headers, body: body)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
