import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP/1.1 request and its response, on a connection of its own (SwiftNIO), over TLS for
/// an `https` URL.
///
/// - The response body is read up to `maxBodyBytes`: a longer one is refused as soon as its
///   declared length or the bytes received pass the limit, and is never held whole.
/// - The whole exchange (connect, TLS handshake, request, response) must end within `timeout`
///   seconds, or the connection is closed and the error is `unreachable`.
/// - Cancelling the calling task closes an open connection at once and throws
///   `CancellationError`; while the connection is still being made, cancellation waits for the
///   connect to end (at most `min(timeout, 30)` seconds).
public struct HTTPExchange: Sendable {
    /// A complete response.
    public struct Response: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: [UInt8]

        /// The first value of header `name` (case-insensitive).
        public func header(_ name: String) -> String? { headers.first(name: name) }
    }

    /// The request: method, URL (scheme, host, port, path and query), headers and body.
    public var method: String
    public var url: URL
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(method: String, url: URL, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The request target as sent on the request line: path and query, percent-encoded.
    public var target: String {
        let components = URLComponents(url: url.absoluteURL, resolvingAgainstBaseURL: true)
        let path = components?.percentEncodedPath ?? url.path
        let query = components?.percentEncodedQuery.map { "?\($0)" } ?? ""
        return (path.isEmpty ? "/" : path) + query
    }

    /// Sends the request and reads the response. `tls` verifies the server of an `https` URL.
    public func perform(tls: ClientTLS?, timeout: Double, maxBodyBytes: Int) async throws -> Response {
        let origin = "\(url.scheme ?? "?")://\(url.host ?? "?")\(url.port.map { ":\($0)" } ?? "")"
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw SyncError(code: "badRequest", status: 0, "\(url.absoluteString) is not an http(s) URL")
        }
        let secure = scheme == "https"
        if secure, tls == nil {
            throw SyncError(code: "tlsFailure", status: 0, "\(origin): no TLS settings to verify it with")
        }
        let port = url.port ?? (secure ? 443 : 80)
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout * 1e9))
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.nanoseconds(Int64(min(timeout, 30) * 1e9)))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if secure, let tls {
                            try channel.pipeline.syncOperations.addHandler(tls.handler(host: host))
                        }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(
                            wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw Self.failure(error, origin: origin, phase: "did not accept a connection", tls: secure ? tls : nil)
        }
        let raw = channel.channel
        let timer = raw.eventLoop.scheduleTask(deadline: deadline) { raw.close(promise: nil) }
        defer { timer.cancel() }
        do {
            return try await withTaskCancellationHandler {
                try await exchange(on: channel, host: host, maxBodyBytes: maxBodyBytes, origin: origin, secure: secure)
            } onCancel: {
                raw.close(promise: nil)
            }
        } catch {
            try Task.checkCancellation()
            if NIODeadline.now() >= deadline {
                throw SyncError(code: "unreachable", status: 0, "\(origin) did not answer within \(timeout) s")
            }
            if error is SyncError { throw error }
            throw Self.failure(error, origin: origin, phase: "broke off the exchange", tls: secure ? tls : nil)
        }
    }

    private func exchange(
        on channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>, host: String, maxBodyBytes: Int,
        origin: String, secure: Bool
    ) async throws -> Response {
        try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
            let hostField = host.contains(":") ? "[\(host)]" : host
            head.headers.add(name: "Host", value: url.port.map { "\(hostField):\($0)" } ?? hostField)
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            if !body.isEmpty || method == "POST" { head.headers.add(name: "Content-Length", value: "\(body.count)") }
            head.headers.add(name: "Connection", value: "close")
            // A server may answer before the request is fully sent (a refusal decided from the
            // headers) and close: its answer still counts, so a failed write only matters when
            // no complete response follows.
            var writeFailure: (any Error)?
            do {
                try await outbound.write(.head(head))
                if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                try await outbound.write(.end(nil))
            } catch {
                writeFailure = error
            }

            var response: HTTPResponseHead?
            var received = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let head) where head.status.code < 200:
                    continue  // an interim response (100 Continue)
                case .head(let head):
                    if let declared = head.headers.first(name: "Content-Length").flatMap(Int.init),
                        declared > maxBodyBytes
                    {
                        throw Self.tooLarge(origin: origin, bytes: declared, limit: maxBodyBytes, status: head)
                    }
                    response = head
                case .body(var chunk):
                    guard received.readableBytes + chunk.readableBytes <= maxBodyBytes else {
                        throw Self.tooLarge(
                            origin: origin, bytes: received.readableBytes + chunk.readableBytes, limit: maxBodyBytes,
                            status: response)
                    }
                    received.writeBuffer(&chunk)
                case .end:
                    guard let response else { break }
                    return Response(
                        status: Int(response.status.code), headers: response.headers,
                        body: received.readBytes(length: received.readableBytes) ?? [])
                }
            }
            if let writeFailure { throw writeFailure }
            throw Self.endedEarly(origin: origin, secure: secure)
        }
    }

    private static func endedEarly(origin: String, secure: Bool) -> SyncError {
        SyncError(
            code: "badResponse", status: 0,
            "\(origin) closed the connection before its response ended" + hint(secure: secure))
    }

    /// What a plain-HTTP client should suspect when the answer is not HTTP.
    private static func hint(secure: Bool) -> String {
        secure ? "" : " (an https:// node addressed as http://?)"
    }

    private static func tooLarge(origin: String, bytes: Int, limit: Int, status: HTTPResponseHead?) -> SyncError {
        SyncError(
            code: "tooLarge", status: Int(status?.status.code ?? 0),
            "\(origin) sent a body of \(bytes) bytes or more, over the limit of \(limit)")
    }

    /// One line on why a TLS handshake failed, without the library's source locations.
    private static func tlsReason(_ error: any Error, tls: ClientTLS?) -> String {
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return tls?.verificationFailure ?? "its certificate was not accepted"
        }
        if text.contains("eofDuringHandshake") {
            return "it closed the connection during the handshake: it does not speak TLS, or it refused this client"
        }
        if text.contains("failedToValidateHostname") {
            return "its certificate is not issued for this host name or address"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
            return "it does not speak TLS (a plain http:// node?)"
        }
        if text.contains("unableToValidateCertificate") || text.contains("CERTIFICATE_VERIFY") {
            return "its certificate was not accepted"
        }
        let withoutLocation = text.split(separator: " at /").first.map(String.init) ?? text
        return "the handshake failed (\(withoutLocation))"
    }

    /// A system error as the system words it ("Connection refused"), anything else as it prints.
    private static func plain(_ error: any Error) -> String {
        (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
    }

    /// Names what went wrong: TLS (certificate, name, protocol), the connection, or the response.
    private static func failure(_ error: any Error, origin: String, phase: String, tls: ClientTLS?) -> SyncError {
        switch error {
        case let error as SyncError:
            return error
        case NIOSSLError.uncleanShutdown:
            // The peer dropped TCP without closing TLS: a dead or killed node, not a refusal.
            return endedEarly(origin: origin, secure: true)
        case HTTPParserError.invalidEOFState, ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed,
            ChannelError.outputClosed, ChannelError.eof:
            // Accepted, then closed before an answer (whether our write or the read saw it first).
            return endedEarly(origin: origin, secure: tls != nil)
        case let error as IOError where error.errnoCode == EPIPE:
            return endedEarly(origin: origin, secure: tls != nil)
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            return SyncError(code: "tlsFailure", status: 0, "\(origin): TLS refused: \(tlsReason(error, tls: tls))")
        case is HTTPParserError:
            return SyncError(
                code: "badResponse", status: 0,
                "\(origin) answered with something that is not HTTP (\(error))" + hint(secure: tls != nil))
        case let error as NIOConnectionError:
            let cause = error.connectionErrors.first.map { plain($0.error) } ?? error.dnsAError.map(plain) ?? "\(error)"
            return SyncError(code: "unreachable", status: 0, "\(origin) \(phase): \(cause)")
        case let error as IOError where error.errnoCode == ECONNRESET:
            // A TLS listener resets a plain-HTTP client after its alert.
            return SyncError(
                code: "unreachable", status: 0, "\(origin) \(phase): \(plain(error))" + hint(secure: tls != nil))
        default:
            return SyncError(code: "unreachable", status: 0, "\(origin) \(phase): \(plain(error))")
        }
    }
}
