import Foundation
import SyncEngine
import Testing
import TestSupport

/// The client side of every link facing a broken or hostile remote: each response gets a
/// specific error, within the limits, and nothing is held beyond them.
@Suite("HTTP client against hostile servers")
struct HTTPExchangeTests {
    /// Generous; the exchanges run off the cooperative pool (``offCooperativePool(_:)``), which
    /// other suites' blocking tests can hold for minutes.
    private static let patience = 120.0

    private func fetch(_ response: String, close: Bool, timeout: Double = patience, limit: Int = 1_000) async throws
        -> SyncError?
    {
        let server = try ScriptedServer(response: Array(response.utf8), close: close)
        defer { server.stop() }
        let exchange = HTTPExchange(method: "GET", url: URL(string: "http://127.0.0.1:\(server.port)/v1/changes")!)
        do {
            let answer = try await offCooperativePool {
                try await exchange.perform(tls: nil, timeout: timeout, maxBodyBytes: limit)
            }
            Issue.record("expected an error, got HTTP \(answer.status) with \(answer.body.count) bytes")
            return nil
        } catch let error as SyncError {
            return error
        }
    }

    @Test(
        "each broken response gets its own error",
        arguments: [
            ("declared body over the limit", "HTTP/1.1 200 OK\r\nContent-Length: 50000000\r\n\r\n", false, "tooLarge"),
            (
                "chunked body over the limit",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n400\r\n" + String(repeating: "x", count: 1024)
                    + "\r\n", false, "tooLarge"
            ),
            ("not HTTP", "SSH-2.0-OpenSSH_9.2\r\n\r\n", true, "badResponse"),
            ("truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", true, "badResponse"),
            ("closed without a word", "", true, "badResponse"),
        ])
    func brokenResponses(_ case: String, response: String, close: Bool, code: String) async throws {
        let error = try await fetch(response, close: close)
        #expect(error?.code == code, "\(`case`): \(error?.message ?? "")")
    }

    @Test("a server that accepts and never answers is given up on at the timeout", .timeLimit(.minutes(1)))
    func silentServer() async throws {
        let error = try await fetch("", close: false, timeout: 1)
        #expect(error?.code == "unreachable")
        #expect(error?.message.contains("did not answer within") == true, "\(error?.message ?? "")")
    }

    @Test("a response within the limit arrives whole")
    func wellFormed() async throws {
        let server = try ScriptedServer(
            response: Array("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Test: yes\r\n\r\nhello".utf8), close: true)
        defer { server.stop() }
        let exchange = HTTPExchange(method: "GET", url: URL(string: "http://127.0.0.1:\(server.port)/x?a=1")!)
        #expect(exchange.target == "/x?a=1")
        let answer = try await offCooperativePool {
            try await exchange.perform(tls: nil, timeout: Self.patience, maxBodyBytes: 5)
        }
        #expect(answer.status == 200)
        #expect(answer.header("x-test") == "yes")
        #expect(answer.body == Array("hello".utf8))
    }

    @Test("an answer sent before the request body is read, then a close, still reaches the client")
    func earlyAnswer() async throws {
        let refusal = "HTTP/1.1 401 Unauthorized\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
        let server = try ScriptedServer(response: Array(refusal.utf8), close: true)
        defer { server.stop() }
        let exchange = HTTPExchange(
            method: "POST", url: URL(string: "http://127.0.0.1:\(server.port)/v1/changes")!,
            body: [UInt8](repeating: 7, count: 4 << 20))
        let answer = try await offCooperativePool {
            try await exchange.perform(tls: nil, timeout: Self.patience, maxBodyBytes: 100)
        }
        #expect(answer.status == 401)
        #expect(answer.body == Array("{}".utf8))
    }
}

/// Persistent links: requests through a pool travel on one kept connection, and a kept
/// connection the server closed meanwhile costs a new connection, never a failed request.
@Suite("HTTP client connections kept alive")
struct HTTPKeepAliveTests {
    private func get(_ port: Int, pool: HTTPConnectionPool) async throws -> HTTPExchange.Response {
        let exchange = HTTPExchange(method: "GET", url: URL(string: "http://127.0.0.1:\(port)/v1/health")!)
        return try await offCooperativePool {
            try await exchange.perform(tls: nil, timeout: 120, maxBodyBytes: 100, pool: pool)
        }
    }

    @Test("consecutive requests through a pool go on one connection")
    func reused() async throws {
        let server = try KeepAliveServer(body: "ok")
        defer { server.stop() }
        let pool = HTTPConnectionPool()
        // The whole sequence off the cooperative pool: a starved pause between two requests
        // longer than the pool's idle limit would rightly cost a new connection.
        let bodies = try await offCooperativePool {
            var bodies: [[UInt8]] = []
            for _ in 0..<5 { bodies.append(try await get(server.port, pool: pool).body) }
            return bodies
        }
        #expect(bodies == Array(repeating: Array("ok".utf8), count: 5))
        #expect(server.connections == 1)
        #expect(await pool.opened == 1)
        #expect(await pool.reused == 4)
        await pool.closeAll()
    }

    @Test("a kept connection the server closed is replaced, and the request still succeeds")
    func serverClosedKeptConnection() async throws {
        let server = try KeepAliveServer(body: "ok", responsesPerConnection: 1)
        defer { server.stop() }
        let pool = HTTPConnectionPool()
        for _ in 0..<3 {
            let answer = try await get(server.port, pool: pool)
            #expect(answer.status == 200)
        }
        #expect(server.connections == 3)
        #expect(await pool.opened == 3)
        await pool.closeAll()
    }

    @Test("without a pool, every request asks the server to close its connection")
    func unpooled() async throws {
        let server = try KeepAliveServer(body: "ok")
        defer { server.stop() }
        for _ in 0..<2 {
            let exchange = HTTPExchange(method: "GET", url: URL(string: "http://127.0.0.1:\(server.port)/x")!)
            _ = try await offCooperativePool { try await exchange.perform(tls: nil, timeout: 120, maxBodyBytes: 100) }
        }
        #expect(server.connections == 2)
    }
}
