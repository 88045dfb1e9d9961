import Foundation

/// A listening socket on 127.0.0.1 that hands every accepted connection to `handle` on a thread
/// of its own, until ``stop()``. The handler owns (and closes) the connection.
public final class LoopbackListener: @unchecked Sendable {
    /// The port it listens on.
    public let port: Int
    private let fd: Int32
    private let lock = NSLock()
    private var stopped = false

    public init(handle: @escaping @Sendable (Int32) -> Void) throws {
        let (fd, port) = try LoopbackSocket.listen()
        self.fd = fd
        self.port = port
        Thread.detachNewThread {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                Thread.detachNewThread { handle(client) }
            }
        }
    }

    /// Stops accepting connections (once).
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    deinit { stop() }
}
