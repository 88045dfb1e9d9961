import Foundation

/// A TCP relay on 127.0.0.1 that forwards every connection to a target port and keeps a copy of
/// every byte that crosses it in either direction: what an eavesdropper on the path would see.
public final class TCPRelay: @unchecked Sendable {
    /// The port the relay listens on.
    public let port: Int
    private let target: Int
    private let listener: Int32
    private let lock = NSLock()
    private var captured: [UInt8] = []
    private var stopped = false

    /// Listens on a free port and relays to `127.0.0.1:targetPort`.
    public init(to targetPort: Int) throws {
        target = targetPort
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw DaemonError(message: "the relay cannot listen: \(String(cString: strerror(errno)))")
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listener = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                Thread.detachNewThread { self.relay(client) }
            }
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
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    deinit { stop() }

    private func relay(_ client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = Self.loopback(port: target)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        defer {
            close(client)
            close(upstream)
        }
        guard connected == 0 else { return }
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

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
