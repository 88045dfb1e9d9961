import Foundation

/// A TCP proxy on 127.0.0.1 between a node and the node it calls, that injects network faults
/// (`docs/reliability.md`) and keeps a copy of every byte it forwards, in either direction: what
/// an eavesdropper on the path would see. The fault can be changed at any time; it applies to
/// connections opened afterwards, and to the bytes still flowing on open ones. Faults apply per
/// request: on a kept-alive connection, each request (found by its head and `Content-Length`;
/// clients here send one request at a time) is judged afresh, as on a connection of its own.
public final class FaultProxy: @unchecked Sendable {
    /// What the path does to a connection.
    public enum Fault: Sendable, Equatable {
        /// Forward everything.
        case none
        /// Forward everything, each chunk `seconds` late.
        case delay(seconds: Double)
        /// Refuse: close every new connection at once, before any byte.
        case drop
        /// Accept and read, never forward or answer (a black hole): the caller times out.
        case blackhole
        /// Forward requests, lose the answers to those whose first bytes are `requestPrefix` (every
        /// answer when empty): the asymmetric partition, where the callee hears the caller but the
        /// caller never hears back.
        case answersLost(requestPrefix: String)
        /// Forward `bytes` of the request, then reset the connection (RST) in the middle of it.
        case resetRequestAfter(bytes: Int)
        /// Forward a request's head and `bytes` of its body, then reset the connection (a push
        /// cut off mid-body; requests without a body pass).
        case resetRequestBodyAfter(bytes: Int)
        /// Forward `bytes` of the answer, then close the connection cleanly (a truncated answer).
        case truncateAnswerAfter(bytes: Int)
        /// Forward the answer's head and `bytes` of its body, then close the connection cleanly
        /// (a body cut short of its `Content-Length`).
        case truncateAnswerBodyAfter(bytes: Int)
    }

    private let target: Int
    private let lock = NSLock()
    private var current: Fault = .none
    private var captured: [UInt8] = []
    private var struck = 0
    private let capturing: Bool
    private var listener: LoopbackListener?

    /// The port the proxy listens on.
    public var port: Int { listener?.port ?? 0 }

    /// Listens on a free port and forwards to `127.0.0.1:targetPort`, keeping a copy of what it
    /// forwards unless `capturing` is false (a long run, where the copy would only grow).
    public init(to targetPort: Int, capturing: Bool = true) throws {
        target = targetPort
        self.capturing = capturing
        listener = try LoopbackListener { [weak self] client in
            guard let self else {
                close(client)
                return
            }
            self.serve(client)
        }
    }

    /// The fault in force.
    public var fault: Fault {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// How many connections a fault has changed so far: refused, swallowed, answer lost, reset,
    /// truncated or delayed. A test reads it to know the fault really struck.
    public var strikes: Int { lock.withLock { struck } }

    /// Every byte forwarded so far, both directions interleaved (none when not capturing).
    public var bytes: [UInt8] { lock.withLock { captured } }

    /// Whether `text` (UTF-8) appears anywhere in what was forwarded.
    public func saw(_ text: String) -> Bool {
        let needle = Array(text.utf8)
        let haystack = bytes
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in
            haystack[start] == needle[0] && Array(haystack[start..<(start + needle.count)]) == needle
        }
    }

    /// Stops accepting connections.
    public func stop() { listener?.stop() }

    private func serve(_ client: Int32) {
        if fault == .drop {
            strike()
            close(client)
            return
        }
        guard let upstream = try? LoopbackSocket.connect(port: target) else {
            close(client)
            return
        }
        var reset = false
        defer {
            if reset {
                var linger = Foundation.linger(l_onoff: 1, l_linger: 0)
                setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Foundation.linger>.size))
            }
            close(client)
            close(upstream)
        }
        var fds = [
            pollfd(fd: client, events: Int16(POLLIN), revents: 0),
            pollfd(fd: upstream, events: Int16(POLLIN), revents: 0),
        ]
        var requestBytes = 0
        var answerBytes = 0
        var requestStart: [UInt8] = []
        var requestHead: [UInt8] = []
        var requestBodyStart: Int?
        var answerHead: [UInt8] = []
        var answerBodyStart: Int?
        var requestEnd: Int?
        var struckHere = false
        func strikeOnce() {
            if !struckHere { strike() }
            struckHere = true
        }
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            guard poll(&fds, 2, 120_000) > 0 else { return }
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                guard n > 0 else { return }
                let isRequest = index == 0
                if isRequest, answerBytes > 0, let end = requestEnd, requestBytes >= end {
                    // The previous request was answered: a new one on the kept connection.
                    (requestBytes, answerBytes, requestStart, requestHead) = (0, 0, [], [])
                    (requestBodyStart, answerHead, answerBodyStart, requestEnd) = (nil, [], nil, nil)
                    struckHere = false
                }
                if isRequest, requestStart.count < 64 { requestStart += buffer[0..<min(n, 64 - requestStart.count)] }
                if isRequest, requestBodyStart == nil, requestHead.count < 16 << 10 {
                    requestHead += buffer[0..<n]
                    requestBodyStart = Self.headEnd(requestHead)
                    if let start = requestBodyStart { requestEnd = start + Self.contentLength(requestHead) }
                }
                if !isRequest, answerBodyStart == nil, answerHead.count < 16 << 10 {
                    answerHead += buffer[0..<n]
                    answerBodyStart = Self.headEnd(answerHead)
                }
                var forward = n
                switch fault {
                case .none, .drop: break
                case .delay(let seconds):
                    strikeOnce()
                    // The fault itself: a slow path holds each read back (on this connection's
                    // own forwarding thread).
                    Thread.sleep(forTimeInterval: seconds)
                case .blackhole:
                    strikeOnce()
                    forward = 0
                case .answersLost(let prefix):
                    if !isRequest, requestStart.starts(with: Array(prefix.utf8)) {
                        strikeOnce()
                        forward = 0
                    }
                case .resetRequestAfter(let limit):
                    if isRequest {
                        forward = max(0, min(n, limit - requestBytes))
                        if forward < n {
                            send(buffer, forward, to: upstream)
                            strikeOnce()
                            reset = true
                            return
                        }
                    }
                case .resetRequestBodyAfter(let limit):
                    if isRequest, let bodyStart = requestBodyStart {
                        forward = max(0, min(n, bodyStart + limit - requestBytes))
                        if forward < n {
                            send(buffer, forward, to: upstream)
                            strikeOnce()
                            reset = true
                            return
                        }
                    }
                case .truncateAnswerAfter(let limit):
                    if !isRequest {
                        forward = max(0, min(n, limit - answerBytes))
                        if forward < n {
                            send(buffer, forward, to: client)
                            strikeOnce()
                            return
                        }
                    }
                case .truncateAnswerBodyAfter(let limit):
                    if !isRequest, let bodyStart = answerBodyStart {
                        forward = max(0, min(n, bodyStart + limit - answerBytes))
                        if forward < n {
                            send(buffer, forward, to: client)
                            strikeOnce()
                            return
                        }
                    }
                }
                if isRequest { requestBytes += forward } else { answerBytes += forward }
                guard send(buffer, forward, to: fds[1 - index].fd) else { return }
            }
        }
    }

    private func strike() { lock.withLock { struck += 1 } }

    /// The `Content-Length` a message head declares (0 without one).
    private static func contentLength(_ head: [UInt8]) -> Int {
        let text = String(decoding: head, as: UTF8.self).lowercased()
        guard let range = text.range(of: "\r\ncontent-length:") else { return 0 }
        let digits = text[range.upperBound...].drop { $0 == " " }.prefix { $0.isNumber }
        return Int(digits) ?? 0
    }

    /// Where the body starts in an answer that begins with `head`, once its blank line has come.
    private static func headEnd(_ head: [UInt8]) -> Int? {
        let blankLine: [UInt8] = [13, 10, 13, 10]
        guard head.count >= 4 else { return nil }
        return (0...(head.count - 4)).first { Array(head[$0..<($0 + 4)]) == blankLine }.map { $0 + 4 }
    }

    @discardableResult
    private func send(_ buffer: [UInt8], _ count: Int, to fd: Int32) -> Bool {
        if capturing { lock.withLock { captured += buffer[0..<count] } }
        var sent = 0
        while sent < count {
            let written = buffer[sent..<count].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { return false }
            sent += written
        }
        return true
    }
}
