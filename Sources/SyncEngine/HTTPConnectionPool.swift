import Foundation

/// The idle connections a client keeps open to the servers it calls (HTTP/1.1 keep-alive), so
/// that a court's next pull, push or chunk goes out on the connection (and TLS session) of the
/// last one instead of a new TCP connection and handshake.
///
/// A connection is put back only after a complete response whose server keeps it open; it is
/// handed out to one request at a time. At most ``maxIdlePerOrigin`` wait per server, none
/// longer than ``maxIdleSeconds`` (servers close idle connections too: a request that finds its
/// kept connection closed before any answer is sent again once, on a new one).
public actor HTTPConnectionPool {
    /// The most idle connections kept per server.
    public static let maxIdlePerOrigin = 4
    /// How long an idle connection is kept.
    public static let maxIdleSeconds: Double = 30

    private struct Idle {
        var connection: HTTPConnection
        var since: Date
    }

    private var idle: [HTTPOrigin: [Idle]] = [:]
    /// How many connections were opened, and how many requests went on a kept one.
    public private(set) var opened = 0
    public private(set) var reused = 0

    public init() {}

    /// An open idle connection to `origin`, if one is kept; closes those kept too long.
    func take(_ origin: HTTPOrigin) -> HTTPConnection? {
        let now = Date()
        while var list = idle[origin], let last = list.popLast() {
            idle[origin] = list.isEmpty ? nil : list
            if now.timeIntervalSince(last.since) <= Self.maxIdleSeconds, last.connection.isActive {
                reused += 1
                return last.connection
            }
            last.connection.close()
        }
        return nil
    }

    /// Notes a connection opened for a request.
    func noteOpened() { opened += 1 }

    /// Keeps `connection` for the next request, or closes it if enough are kept.
    func put(_ connection: HTTPConnection) {
        guard connection.isActive else { return }
        var list = idle[connection.origin, default: []]
        guard list.count < Self.maxIdlePerOrigin else {
            connection.close()
            return
        }
        list.append(Idle(connection: connection, since: Date()))
        idle[connection.origin] = list
    }

    /// Closes every idle connection.
    public func closeAll() {
        for list in idle.values { for entry in list { entry.connection.close() } }
        idle = [:]
    }

    deinit {
        for list in idle.values { for entry in list { entry.connection.close() } }
    }
}
