import Foundation
import Synchronization

/// A loopback HTTP/1.1 server that answers every request on a connection with the same small
/// `200` response and keeps the connection open (or closes it after `responsesPerConnection`
/// answers, as a server's idle timeout would), counting the connections it accepted.
public final class KeepAliveServer: Sendable {
    private final class Counter: Sendable {
        let value = Mutex(0)
    }

    private let listener: LoopbackListener
    private let accepted = Counter()

    /// The port it listens on.
    public var port: Int { listener.port }

    /// How many connections it has accepted.
    public var connections: Int { accepted.value.withLock { $0 } }

    public init(body: String, responsesPerConnection: Int = .max) throws {
        let accepted = self.accepted
        let response = Array("HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
        listener = try LoopbackListener { client in
            accepted.value.withLock { $0 += 1 }
            Self.serve(client, response: response, limit: responsesPerConnection)
        }
    }

    /// Stops accepting connections.
    public func stop() { listener.stop() }

    private static func serve(_ client: Int32, response: [UInt8], limit: Int) {
        defer { close(client) }
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        var answered = 0
        while answered < limit {
            while pending.firstRange(of: end) == nil {
                let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                guard n > 0, pending.count < 1 << 20 else { return }
                pending += buffer[0..<n]
            }
            // Requests without a body: the head is the whole request.
            pending.removeSubrange(..<pending.firstRange(of: end)!.upperBound)
            var sent = 0
            while sent < response.count {
                let n = response[sent...].withUnsafeBytes {
                    send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard n > 0 else { return }
                sent += n
            }
            answered += 1
        }
    }
}
