import Foundation
import Testing
import TestSupport

/// A client that opens a connection and stalls is cut off by the daemon's idle timeout instead of
/// holding the connection for ever.
@Suite("slow clients", .serialized)
struct SlowClientTests {
    @Test("a stalled request is closed by the server after limits.idleTimeoutSeconds")
    func stalledRequestIsClosed() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let cli = CommandRunner(environment: ["COURTSYNC_NODES_DIR": Fixtures.nodesFolder.path])
        let port = FreePort.next()
        let hub = folder.path("hub")
        let initialised = try cli.run([
            "init", "--data-dir", hub.path, "--role", "hub", "--listen", "127.0.0.1:\(port)",
        ])
        #expect(initialised.status == 0)
        let file = hub.appendingPathComponent("node.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        var limits = json["limits"] as! [String: Any]
        limits["maxLongPollSeconds"] = 1
        limits["idleTimeoutSeconds"] = 6
        json["limits"] = limits
        try JSONSerialization.data(withJSONObject: json).write(to: file)
        let daemon = DaemonProcess(dataDirectory: hub)
        try daemon.start(runner: cli)
        defer { daemon.stop() }

        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        // Headers promise 1,000 bytes of body; only 3 arrive, then nothing.
        let partial = Array("POST /v1/changes HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc".utf8)
        #expect(partial.withUnsafeBytes { send(socket, $0.baseAddress, $0.count, 0) } == partial.count)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var received = 0
        var closed = false
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                received += n
                continue
            }
            closed = n == 0
            break
        }
        #expect(closed, "the server kept the stalled connection open (received \(received) bytes)")
        #expect(daemon.isRunning)
    }
}
