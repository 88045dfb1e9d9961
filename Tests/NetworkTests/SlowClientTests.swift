import Foundation
import Testing
import TestSupport

/// Clients that hold connections: a stalled one is cut off by the idle timeout, a stranger's
/// promised body is never waited for, and connections beyond the cap wait to be accepted.
@Suite("slow clients", .serialized)
struct SlowClientTests {
    @Test("a stalled request is closed by the server after limits.idleTimeoutSeconds")
    func stalledRequestIsClosed() throws {
        let setup = try HubSetup(limits: ["maxLongPollSeconds": 1, "idleTimeoutSeconds": 6])
        let port = setup.port
        let daemon = setup.hub

        // Headers promise 1,000 bytes of body; only 3 arrive, then nothing. Registration reads its
        // body before any check (it is unauthenticated), so the server waits on the body.
        let connection = try RawConnection(port: port)
        connection.send("POST /v1/register HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
        let (received, closed) = connection.readUntilClosed(seconds: 60)
        #expect(closed, "the server kept the stalled connection open (received \(received.count) bytes)")
        #expect(daemon.isRunning)
    }

    @Test("an unsigned push is refused from its headers, before the body it promises is sent")
    func refusedBeforeBody() throws {
        let setup = try HubSetup()
        let port = setup.port

        // 10 MiB promised, none sent: the answer must come from the headers alone.
        let connection = try RawConnection(port: port)
        connection.send(
            "POST /v1/changes HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.courtsync.changeset\r\n"
                + "Content-Length: 10485760\r\n\r\n")
        let (received, _) = connection.readUntilClosed(seconds: 30, stopAfter: "}}")
        let text = String(decoding: received, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 401"), "\(text)")
        #expect(text.contains("\"code\":\"unauthenticated\""), "\(text)")
    }

    @Test("beyond limits.maxConnections a connection waits until one closes, then is served")
    func connectionCap() throws {
        let setup = try HubSetup(limits: ["maxConnections": 2])
        let held = try [RawConnection(port: setup.port), RawConnection(port: setup.port)]
        let health = "GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
        for connection in held {  // both are accepted: each gets its answer
            connection.send(health)
            #expect(
                String(decoding: connection.readUntilClosed(seconds: 30, stopAfter: "}}").bytes, as: UTF8.self)
                    .hasPrefix("HTTP/1.1 401"))
        }
        let waiting = try RawConnection(port: setup.port)
        waiting.send(health)
        #expect(waiting.readUntilClosed(seconds: 3, stopAfter: "}}").bytes.isEmpty, "a third connection was served")
        held[0].close()
        let answer = String(decoding: waiting.readUntilClosed(seconds: 30, stopAfter: "}}").bytes, as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 401"), "\(answer)")
        #expect(setup.hub.isRunning)
    }
}

/// A plain TCP connection to 127.0.0.1 for writing requests byte by byte.
private final class RawConnection {
    let fd: Int32
    private var closed = false

    init(port: Int) throws {
        fd = try LoopbackSocket.connect(port: port)
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Reads until the server closes (`closed`), `seconds` pass, or `stopAfter` has arrived.
    func readUntilClosed(seconds: Int, stopAfter marker: String? = nil) -> (bytes: [UInt8], closed: Bool) {
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var received: [UInt8] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return (received, n == 0) }
            received += buffer[0..<n]
            if let marker, String(decoding: received, as: UTF8.self).contains(marker) { return (received, false) }
        }
    }

    /// Closes the connection (once).
    func close() {
        guard !closed else { return }
        closed = true
        Foundation.close(fd)
    }

    deinit { close() }
}
