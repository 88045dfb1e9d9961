import Foundation
import SyncEngine
import Testing
import TestSupport

/// The client side of every link facing a broken or hostile remote: each response gets a
/// specific error, within the limits, and nothing is held beyond them.
@Suite("HTTP client against hostile servers")
struct HTTPExchangeTests {
    /// Generous: other suites' blocking tests can hold the cooperative threads for many seconds.
    private static let patience = 120.0

    private func fetch(_ response: String, close: Bool, timeout: Double = patience, limit: Int = 1_000) async throws
        -> SyncError?
    {
        let server = try ScriptedServer(response: Array(response.utf8), close: close)
        defer { server.stop() }
        let exchange = HTTPExchange(method: "GET", url: URL(string: "http://127.0.0.1:\(server.port)/v1/changes")!)
        do {
            let answer = try await exchange.perform(tls: nil, timeout: timeout, maxBodyBytes: limit)
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
        let answer = try await exchange.perform(tls: nil, timeout: Self.patience, maxBodyBytes: 5)
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
        let answer = try await exchange.perform(tls: nil, timeout: Self.patience, maxBodyBytes: 100)
        #expect(answer.status == 401)
        #expect(answer.body == Array("{}".utf8))
    }
}
