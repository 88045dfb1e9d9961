import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One client connection (HTTP/1.1, over TLS for `https`), on which requests go one after
/// another: kept open between them when the server allows it (``HTTPConnectionPool``).
final class HTTPConnection: Sendable {
    /// The connection was closed (by the server, as idle) after it was kept and before a request
    /// was written on it: nothing was sent.
    struct ClosedBeforeRequest: Error {}

    /// Where it goes: scheme, host and port.
    let origin: HTTPOrigin
    let channel: any Channel
    private let collector: NIOLoopBound<ResponseCollector>

    private init(origin: HTTPOrigin, channel: any Channel, collector: NIOLoopBound<ResponseCollector>) {
        self.origin = origin
        self.channel = channel
        self.collector = collector
    }

    /// Opens a connection (and the TLS handshake's first step) within `connectTimeout` seconds.
    static func connect(to origin: HTTPOrigin, tls: ClientTLS?, connectTimeout: Double) async throws -> HTTPConnection {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.nanoseconds(Int64(connectTimeout * 1e9)))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if origin.secure, let tls {
                        try channel.pipeline.syncOperations.addHandler(tls.handler(host: origin.host))
                    }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(ResponseCollector())
                }
            }
            .connect(host: origin.host, port: origin.port).get()
        let collector = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: ResponseCollector.self), eventLoop: channel.eventLoop)
        }.get()
        return HTTPConnection(origin: origin, channel: channel, collector: collector)
    }

    /// Whether the connection is still open.
    var isActive: Bool { channel.isActive }

    /// Sends one request and waits for its whole response (at most `maxBodyBytes` of body). A
    /// failure leaves the connection closed; ``ClosedBeforeRequest`` if it was closed before the
    /// request was written. The connection may be kept only if the server says so and the whole
    /// request was written before the answer ended (a server answering early, from the headers,
    /// may not have read the rest).
    func send(
        _ head: HTTPRequestHead, body: [UInt8], maxBodyBytes: Int, origin: String
    ) async throws -> (response: HTTPExchange.Response, keepAlive: Bool) {
        let promise = channel.eventLoop.makePromise(of: CollectedResponse.self)
        let collector = self.collector
        let channel = self.channel
        channel.eventLoop.execute {
            guard collector.value.expect(promise, maxBodyBytes: maxBodyBytes, origin: origin) else { return }
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty {
                channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil)
            }
            let written = channel.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenSuccess { collector.value.requestWritten() }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: written)
        }
        let collected = try await withTaskCancellationHandler {
            try await promise.futureResult.get()
        } onCancel: {
            channel.close(promise: nil)
        }
        return (collected.response, collected.keepAlive)
    }

    /// Closes the connection.
    func close() { channel.close(promise: nil) }
}

/// A server a connection goes to.
struct HTTPOrigin: Hashable, Sendable, CustomStringConvertible {
    var secure: Bool
    var host: String
    var port: Int

    var description: String {
        let hostField = host.contains(":") ? "[\(host)]" : host
        return "\(secure ? "https" : "http")://\(hostField):\(port)"
    }
}

/// A response as the collector completes it, and whether the server keeps the connection.
struct CollectedResponse: Sendable {
    var response: HTTPExchange.Response
    var keepAlive: Bool
}

/// Gathers one response at a time on its connection's event loop, enforcing the body limit as
/// bytes arrive; fails the waiting request if the connection closes or errs first.
final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private var promise: EventLoopPromise<CollectedResponse>?
    private var maxBodyBytes = 0
    private var origin = ""
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()
    /// Whether the whole current request was written.
    private var written = false
    /// Whether the connection closed: a request on it then fails at once.
    private var closed = false
    /// The error that closed a new connection before its first request (a TLS handshake refused).
    private var setupFailure: (any Error)?
    /// Whether a response was completed on this connection.
    private var answeredBefore = false

    /// Takes the promise of the next response; returns `false` (failing it with
    /// ``HTTPConnection/ClosedBeforeRequest``) if the connection is closed already.
    func expect(_ promise: EventLoopPromise<CollectedResponse>, maxBodyBytes: Int, origin: String) -> Bool {
        guard !closed else {
            promise.fail(answeredBefore ? HTTPConnection.ClosedBeforeRequest() : setupFailure ?? ChannelError.eof)
            return false
        }
        written = false
        self.promise = promise
        self.maxBodyBytes = maxBodyBytes
        self.origin = origin
        head = nil
        body.clear()
        return true
    }

    /// Notes that the current request was written whole.
    func requestWritten() { written = true }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard promise != nil else {
            // Nothing was asked: a server talking out of turn.
            context.close(promise: nil)
            return
        }
        switch unwrapInboundIn(data) {
        case .head(let response) where response.status.code < 200:
            return  // an interim response (100 Continue)
        case .head(let response):
            if let declared = response.headers.first(name: "Content-Length").flatMap(Int.init), declared > maxBodyBytes
            {
                fail(tooLarge(declared, status: response), context: context)
                return
            }
            head = response
        case .body(var chunk):
            guard body.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                fail(tooLarge(body.readableBytes + chunk.readableBytes, status: head), context: context)
                return
            }
            body.writeBuffer(&chunk)
        case .end:
            guard let head, let promise else { return }
            self.promise = nil
            answeredBefore = true
            let response = HTTPExchange.Response(
                status: Int(head.status.code), headers: head.headers,
                body: body.readBytes(length: body.readableBytes) ?? [])
            promise.succeed(CollectedResponse(response: response, keepAlive: head.isKeepAlive && written))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if promise == nil, !answeredBefore, setupFailure == nil { setupFailure = error }
        fail(error, context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        promise?.fail(ChannelError.eof)
        promise = nil
        context.fireChannelInactive()
    }

    private func fail(_ error: any Error, context: ChannelHandlerContext) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }

    private func tooLarge(_ bytes: Int, status: HTTPResponseHead?) -> SyncError {
        SyncError(
            code: "tooLarge", status: Int(status?.status.code ?? 0),
            "\(origin) sent a body of \(bytes) bytes or more, over the limit of \(maxBodyBytes)")
    }
}
