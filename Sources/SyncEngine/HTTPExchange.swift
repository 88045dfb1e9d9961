import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One HTTP/1.1 request and its response (SwiftNIO), over TLS for an `https` URL: on a
/// connection of its own, or on a kept one from an ``HTTPConnectionPool``.
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
    /// With a `pool`, the request goes on a kept connection to the same server if one is idle,
    /// and its connection is kept for the next request if the server allows; without one, the
    /// connection is closed after the response.
    public func perform(
        tls: ClientTLS?, timeout: Double, maxBodyBytes: Int, pool: HTTPConnectionPool? = nil
    ) async throws -> Response {
        let originText = "\(url.scheme ?? "?")://\(url.host ?? "?")\(url.port.map { ":\($0)" } ?? "")"
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            throw SyncError(code: "badRequest", status: 0, "\(url.absoluteString) is not an http(s) URL")
        }
        let secure = scheme == "https"
        if secure, tls == nil {
            throw SyncError(code: "tlsFailure", status: 0, "\(originText): no TLS settings to verify it with")
        }
        let origin = HTTPOrigin(secure: secure, host: host, port: url.port ?? (secure ? 443 : 80))
        let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout * 1e9))
        let head = requestHead(host: host, keepAlive: pool != nil)
        // A kept connection the server had closed before this request was written: the request
        // goes on a new connection (it was never sent, so its signature and nonce are unspent).
        if let pool, let kept = await pool.take(origin) {
            do {
                return try await exchange(
                    on: kept, head: head, deadline: deadline, timeout: timeout, maxBodyBytes: maxBodyBytes,
                    origin: originText, tls: tls, pool: pool)
            } catch is HTTPConnection.ClosedBeforeRequest {
                try Task.checkCancellation()
            }
        }
        let connection: HTTPConnection
        do {
            connection = try await HTTPConnection.connect(
                to: origin, tls: secure ? tls : nil, connectTimeout: min(timeout, 30))
        } catch {
            throw Self.failure(error, origin: originText, phase: "did not accept a connection", tls: secure ? tls : nil)
        }
        await pool?.noteOpened()
        do {
            return try await exchange(
                on: connection, head: head, deadline: deadline, timeout: timeout, maxBodyBytes: maxBodyBytes,
                origin: originText, tls: tls, pool: pool)
        } catch is HTTPConnection.ClosedBeforeRequest {
            throw Self.endedEarly(origin: originText, secure: secure)
        }
    }

    /// The request's head: the target, `Host`, the caller's headers, `Content-Length`, and
    /// `Connection: close` unless the connection is to be kept.
    private func requestHead(host: String, keepAlive: Bool) -> HTTPRequestHead {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: target)
        let hostField = host.contains(":") ? "[\(host)]" : host
        head.headers.add(name: "Host", value: url.port.map { "\(hostField):\($0)" } ?? hostField)
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if !body.isEmpty || method == "POST" || method == "PUT" {
            head.headers.add(name: "Content-Length", value: "\(body.count)")
        }
        if !keepAlive { head.headers.add(name: "Connection", value: "close") }
        return head
    }

    /// One request on `connection` within the deadline; the connection goes back to `pool` if
    /// the server keeps it, and is closed otherwise.
    private func exchange(
        on connection: HTTPConnection, head: HTTPRequestHead, deadline: NIODeadline, timeout: Double,
        maxBodyBytes: Int, origin: String, tls: ClientTLS?, pool: HTTPConnectionPool?
    ) async throws -> Response {
        let channel = connection.channel
        let timer = channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
        do {
            let (response, keepAlive) = try await connection.send(
                head, body: body, maxBodyBytes: maxBodyBytes, origin: origin)
            // Before the connection can go to another request: this request's deadline no
            // longer applies to it.
            timer.cancel()
            if let pool, keepAlive, !Task.isCancelled {
                await pool.put(connection)
            } else {
                connection.close()
            }
            return response
        } catch let error as HTTPConnection.ClosedBeforeRequest {
            timer.cancel()
            throw error
        } catch {
            timer.cancel()
            connection.close()
            try Task.checkCancellation()
            if NIODeadline.now() >= deadline {
                throw SyncError(code: "unreachable", status: 0, "\(origin) did not answer within \(timeout) s")
            }
            if error is SyncError { throw error }
            throw Self.failure(
                error, origin: origin, phase: "broke off the exchange", tls: url.scheme == "https" ? tls : nil)
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
