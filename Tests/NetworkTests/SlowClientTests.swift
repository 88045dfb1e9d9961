import Foundation
import Node
import SyncEngine
import Testing
import TestSupport

/// Clients that hold connections: a stalled one is cut off by the idle timeout, a stranger's
/// promised body is never waited for, and idle strangers make room at the connection cap.
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

    @Test(
        "at limits.maxConnections idle strangers make room for newcomers; a node that proved who it is keeps its slot")
    func connectionSlots() throws {
        let setup = try HubSetup(limits: ["maxConnections": 20, "idleTimeoutSeconds": 120])
        let court = try setup.approvedCourt("京0105", name: "bj")
        let node = try CourtNode(dataDirectory: court, time: SystemTimeSource())
        defer { try? node.close() }
        func signedHealth() -> String {
            let headers = RequestSigner(node: node).headers(method: "GET", target: "/v1/health", body: [])
            return "GET /v1/health HTTP/1.1\r\nHost: x\r\n"
                + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
        }
        // A court's kept-alive connection, authenticated by its first request.
        let peer = try RawConnection(port: setup.port)
        peer.send(signedHealth())
        let first = String(decoding: peer.readUntilClosed(seconds: 30, stopAfter: "}").bytes, as: UTF8.self)
        #expect(first.hasPrefix("HTTP/1.1 200"), "\(first)")

        // Forty idle strangers (twice the cap) connect and say nothing.
        let strangers = try (0..<40).map { _ in try RawConnection(port: setup.port) }
        // A newcomer is still served at once, long before any idle timeout.
        let newcomer = try RawConnection(port: setup.port)
        newcomer.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        let answer = String(decoding: newcomer.readUntilClosed(seconds: 20, stopAfter: "}}").bytes, as: UTF8.self)
        #expect(answer.hasPrefix("HTTP/1.1 401"), "the newcomer waited: \(answer)")
        // The server closed the oldest idle strangers to make room.
        let closed = strangers.filter { $0.readUntilClosed(milliseconds: 200).closed }.count
        #expect(closed >= 40 - 20, "only \(closed) strangers were closed")
        // The court's connection was never closed: its next request is served on it.
        peer.send(signedHealth())
        let second = String(decoding: peer.readUntilClosed(seconds: 30, stopAfter: "}").bytes, as: UTF8.self)
        #expect(second.hasPrefix("HTTP/1.1 200"), "\(second)")
        #expect(setup.hub.isRunning)
    }

    @Test(
        "one node holds at most 8 connections: its least recently used idle one makes room, and with none idle it is told busy"
    )
    func connectionsPerNode() async throws {
        let setup = try HubSetup(limits: ["idleTimeoutSeconds": 120])
        let court = try setup.approvedCourt("京0105", name: "bj")
        let node = try CourtNode(dataDirectory: court, time: SystemTimeSource())
        defer { try? node.close() }
        func signed(_ target: String, close: Bool = false) -> String {
            let headers = RequestSigner(node: node).headers(method: "GET", target: target, body: [])
            return "GET \(target) HTTP/1.1\r\nHost: x\r\n" + (close ? "Connection: close\r\n" : "")
                + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
        }
        func health(on connection: RawConnection, close: Bool = false) -> String {
            connection.send(signed("/v1/health", close: close))
            return String(decoding: connection.readUntilClosed(seconds: 30, stopAfter: "}").bytes, as: UTF8.self)
        }
        // Eight kept-alive connections, each authenticated and then idle.
        let idle = try (0..<8).map { _ in try RawConnection(port: setup.port) }
        for connection in idle { #expect(health(on: connection).hasPrefix("HTTP/1.1 200")) }
        // A ninth is served; the node's least recently used idle connection was closed for it.
        let ninth = try RawConnection(port: setup.port)
        #expect(health(on: ninth).hasPrefix("HTTP/1.1 200"))
        #expect(idle[0].readUntilClosed(milliseconds: 2_000).closed, "the oldest idle connection stayed open")
        #expect(idle[1...].allSatisfy { !$0.readUntilClosed(milliseconds: 100).closed })
        for connection in idle + [ninth] { connection.close() }

        // Eight long-polls, all busy: a ninth request is told busy, and nothing else is disturbed.
        let polls = try (0..<8).map { _ in try RawConnection(port: setup.port) }
        for poll in polls { poll.send(signed("/v1/changes?after=0&wait=25")) }
        // The hub notes each pull as it starts waiting (node_contacts.requests).
        let nodeID = node.identity.node.rawValue
        #expect(
            try await eventually(within: 20) {
                try Self.sqlite(
                    setup.folder.path("hub").appendingPathComponent("replica.sqlite").path,
                    "SELECT requests FROM node_contacts WHERE node_id = '\(nodeID)'") == "8"
            })
        let extra = try RawConnection(port: setup.port)
        defer { extra.close() }
        let answer = health(on: extra, close: true)
        #expect(answer.hasPrefix("HTTP/1.1 503") && answer.contains(#""code":"busy""#), "\(answer.prefix(300))")
        #expect(polls.allSatisfy { !$0.readUntilClosed(milliseconds: 100).closed })
        for poll in polls { poll.close() }
        #expect(setup.hub.isRunning)
    }

    @Test(
        "strangers sending registration bodies slowly cannot hold the slots: two at a time per address, and closed for newcomers"
    )
    func slowRegistrations() throws {
        let setup = try HubSetup(limits: ["maxConnections": 20, "idleTimeoutSeconds": 120])
        let court = try setup.approvedCourt("京0105", name: "bj")
        let node = try CourtNode(dataDirectory: court, time: SystemTimeSource())
        defer { try? node.close() }
        // Thirty strangers each start a 64 KiB registration and keep sending, fast enough for
        // the minimum rate.
        let strangers = try (0..<30).map { _ in try RawConnection(port: setup.port) }
        for stranger in strangers {
            stranger.send("POST /v1/register HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n{\"court\": \"")
            stranger.send(bytes: [UInt8](repeating: 0x41, count: 2_048))
        }
        // Beyond two at once from one address, each is refused at once.
        let answers = strangers.map {
            String(decoding: $0.readUntilClosed(milliseconds: 1_500, stopAfter: "}}").bytes, as: UTF8.self)
        }
        let refused = answers.filter { $0.hasPrefix("HTTP/1.1 429") && $0.contains(#""code":"tooManyRequests""#) }
        #expect(refused.count >= 30 - 2 - (30 - 20), "\(answers.map { $0.prefix(40) })")
        // At the cap, a court's new connection is served at once: a stranger's makes room.
        let headers = RequestSigner(node: node).headers(method: "GET", target: "/v1/health", body: [])
        let courtConnection = try RawConnection(port: setup.port)
        courtConnection.send(
            "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n")
        let served = String(decoding: courtConnection.readUntilClosed(seconds: 10).bytes, as: UTF8.self)
        #expect(served.hasPrefix("HTTP/1.1 200"), "\(served.prefix(200))")
        for stranger in strangers { stranger.close() }
        #expect(setup.hub.isRunning)
    }

    /// One value from a query by the `sqlite3` shell, as an operator would read a replica.
    static func sqlite(_ path: String, _ query: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, query]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
