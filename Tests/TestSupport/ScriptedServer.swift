import Foundation

/// A TCP server on 127.0.0.1 that answers every connection with fixed bytes once the request's
/// headers have arrived, then holds the connection open (or closes it): a misbehaving remote
/// node, for testing what a client does with hostile or broken responses.
public final class ScriptedServer: Sendable {
    private let listener: LoopbackListener

    /// The port it listens on.
    public var port: Int { listener.port }

    /// Answers with `response`; closes the connection afterwards if `close`.
    public init(response: [UInt8], close closeAfter: Bool) throws {
        listener = try LoopbackListener { client in Self.answer(client, response: response, close: closeAfter) }
    }

    /// Stops accepting connections.
    public func stop() { listener.stop() }

    private static func answer(_ client: Int32, response: [UInt8], close closeAfter: Bool) {
        defer { close(client) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let end = Array("\r\n\r\n".utf8)
        while request.firstRange(of: end) == nil {
            let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
            guard n > 0, request.count < 1 << 20 else { return }
            request += buffer[0..<n]
        }
        var sent = 0
        while sent < response.count {
            let n = response[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return }
            sent += n
        }
        if !closeAfter {
            // Hold the connection until the client gives up.
            while buffer.withUnsafeMutableBytes({ recv(client, $0.baseAddress, $0.count, 0) }) > 0 {}
        }
    }
}
