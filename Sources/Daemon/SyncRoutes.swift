import Entrustment
import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import SyncEngine

/// The daemon's HTTP routes (`Protocol/sync.md` §4): the protocol's endpoints call the
/// ``SyncResponder``; `/v1/control/sync` lets `courtsync sync` on this machine start a round.
struct SyncRoutes: Sendable {
    let responder: SyncResponder
    let scheduler: SyncScheduler
    let notifier: ChangeNotifier
    let directory: CourtDirectory
    let controlToken: String

    static let courtField = HTTPField.Name(SyncWire.courtHeader)!
    static let nodeField = HTTPField.Name(SyncWire.nodeHeader)!
    static let headField = HTTPField.Name(SyncWire.headHeader)!
    /// The largest handshake body accepted.
    static let maxHelloBytes = 64 << 10

    func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.middlewares.add(JSONErrorMiddleware())
        router.get("v1/health") { _, _ in try Self.json(await responder.health()) }
        router.post("v1/hello") { request, _ in
            let body = try await request.body.collect(upTo: Self.maxHelloBytes)
            let hello: HelloRequest
            do {
                hello = try JSONDecoder().decode(HelloRequest.self, from: Data(buffer: body))
            } catch {
                throw SyncError.badRequest("the hello body is not a valid HelloRequest")
            }
            return try Self.json(await responder.hello(hello))
        }
        router.get("v1/changes") { request, _ in
            let requester = try requester(of: request)
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
                headers: [.contentType: SyncWire.changeSetMediaType, Self.headField: String(answer.head)],
                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
        }
        router.post("v1/changes") { request, _ in
            let requester = try requester(of: request)
            let limit = responder.limits.maxBodyBytes
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: limit)
            } catch {
                throw SyncError(code: "tooLarge", status: 413, "the change set is over the limit of \(limit) bytes")
            }
            return try Self.json(await responder.push(from: requester, body: Array(buffer: body)))
        }
        router.post("v1/control/sync") { request, _ in
            guard request.headers[.authorization] == "Bearer \(controlToken)" else {
                throw SyncError(
                    code: "unauthorized", status: 401,
                    "the control endpoint takes the token in DATA_DIR/daemon.json (run courtsync sync on this node's machine)"
                )
            }
            let peer = request.uri.queryParameters.get("peer")
            let rounds = await scheduler.syncNow(
                matching: peer.map { peer in { $0.isNamed(by: peer) } })
            return try Self.json(rounds)
        }
        return router
    }

    private func requester(of request: Request) throws(SyncError) -> Requester {
        try Requester.parse(
            court: request.headers[Self.courtField], node: request.headers[Self.nodeField], directory: directory)
    }

    static func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}
