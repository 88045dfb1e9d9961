import Foundation

/// A TCP relay on 127.0.0.1 that forwards every connection to a target port and keeps a copy of
/// every byte that crosses it in either direction: what an eavesdropper on the path would see.
public final class TCPRelay: @unchecked Sendable {
    private let target: Int
    private let lock = NSLock()
    private var captured: [UInt8] = []
    private var listener: LoopbackListener?

    /// The port the relay listens on.
    public var port: Int { listener?.port ?? 0 }

    /// Listens on a free port and relays to `127.0.0.1:targetPort`.
    public init(to targetPort: Int) throws {
        target = targetPort
        listener = try LoopbackListener { [weak self] client in
            guard let self else {
                close(client)
                return
            }
            self.relay(client)
        }
    }

    /// Every byte relayed so far, both directions interleaved.
    public var bytes: [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        return captured
    }

    /// Whether `text` (UTF-8) appears anywhere in what crossed the relay.
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

    private func relay(_ client: Int32) {
        guard let upstream = try? LoopbackSocket.connect(port: target) else {
            close(client)
            return
        }
        defer {
            close(client)
            close(upstream)
        }
        var fds = [
            pollfd(fd: client, events: Int16(POLLIN), revents: 0),
            pollfd(fd: upstream, events: Int16(POLLIN), revents: 0),
        ]
        var buffer = [UInt8](repeating: 0, count: 16 << 10)
        while true {
            guard poll(&fds, 2, 120_000) > 0 else { return }
            for (index, entry) in fds.enumerated() where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                guard n > 0 else { return }
                lock.lock()
                captured += buffer[0..<n]
                lock.unlock()
                let other = fds[1 - index].fd
                var sent = 0
                while sent < n {
                    let written = buffer[sent..<n].withUnsafeBytes { write(other, $0.baseAddress, $0.count) }
                    guard written > 0 else { return }
                    sent += written
                }
            }
        }
    }
}
