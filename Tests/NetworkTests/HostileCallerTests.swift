import Crypto
import Entrustment
import Foundation
import Node
import SyncEngine
import SyncProtocol
import Testing
import TestSupport

/// Hostile callers against a real hub daemon (`docs/security.md`): strangers posing as an
/// approved node, zip bombs, trickling bodies. Each gets a specific refusal, the hub stays up and
/// its memory stays within the bounds `docs/security.md` states, and its digest does not move.
@Suite("hostile callers at a live hub", .serialized)
struct HostileCallerTests {
    static let mebibyte = 1 << 20

    /// A process's memory figure from `/proc/PID/status` (`VmRSS`, `VmHWM` …), in bytes.
    static func memory(_ field: String, of pid: Int32) throws -> Int {
        let text = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({
                Int($0)
            })
        else { throw DaemonError(message: "no \(field) in /proc/\(pid)/status") }
        return kilobytes * 1024
    }

    /// A push's request head naming `node` of `court` (an approved node) but signed with a key of
    /// the caller's own, for a body of `length` bytes.
    static func forgedPush(court: String, node: String, length: Int) -> String {
        let stamp = String(SystemTimeSource().now().milliseconds)
        let nonce = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let courtHeader = SyncWire.encodeHeader(court)
        let nodeHeader = SyncWire.encodeHeader(node)
        let digest = [UInt8](repeating: 7, count: 32)
        let message = RequestSigning.message(
            method: "POST", target: "/v1/changes", timestamp: stamp, nonce: nonce, bodyDigest: digest,
            court: courtHeader, node: nodeHeader)
        let signature = SignaturePurpose.request.sign(message, with: SigningKey.generate(.ed25519))
        return "POST /v1/changes HTTP/1.1\r\nHost: x\r\nContent-Type: application/vnd.courtsync.changeset\r\n"
            + "Content-Length: \(length)\r\n\(SyncWire.courtHeader): \(courtHeader)\r\n\(SyncWire.nodeHeader): \(nodeHeader)\r\n"
            + "\(RequestSigning.timestampHeader): \(stamp)\r\n\(RequestSigning.nonceHeader): \(nonce)\r\n"
            + "\(RequestSigning.digestHeader): \(RequestSigning.digestHeaderValue(digest, suite: .ed25519))\r\n"
            + "\(RequestSigning.signatureHeader): \(Data(signature).base64EncodedString())\r\n\r\n"
    }

    @Test(
        "1,000 strangers posing as an approved node each get 401 from the headers; the hub keeps none of their bodies")
    func strangersStayCheap() throws {
        let setup = try HubSetup(limits: ["maxConnections": 1_100, "idleTimeoutSeconds": 120])
        let court = try setup.approvedCourt("京0105", name: "bj")
        let nodeID = try #require(
            try setup.check(["status", "--data-dir", court.path, "--json"]).json["nodeId"] as? String)
        let pid = try #require(setup.hub.processIdentifier)
        let before = try Self.memory("VmRSS", of: pid)
        let chunk = [UInt8](repeating: 0x41, count: 64 << 10)
        var connections: [RawConnection] = []
        for _ in 0..<1_000 {
            let connection = try RawConnection(port: setup.port)
            connection.send(Self.forgedPush(court: "京0105", node: nodeID, length: 16_000_000))
            // 384 KiB of the promised 16 MB each: 375 MiB in all, were any of it kept.
            for _ in 0..<6 { connection.send(bytes: chunk) }
            connections.append(connection)
        }
        for connection in connections.prefix(50) {
            let answer = String(decoding: connection.readUntilClosed(seconds: 30, stopAfter: "}}").bytes, as: UTF8.self)
            #expect(
                answer.hasPrefix("HTTP/1.1 401") && answer.contains(#""code":"badSignature""#), "\(answer.prefix(200))")
        }
        let during = try Self.memory("VmRSS", of: pid)
        #expect(
            during < 300 * Self.mebibyte, "the hub holds \(during / Self.mebibyte) MiB (from \(before / Self.mebibyte))"
        )
        // The court itself is still served while all of them are connected. (Its request goes
        // from this process: Foundation's Process cannot spawn with a thousand sockets open.)
        let node = try CourtNode(dataDirectory: court, time: SystemTimeSource())
        defer { try? node.close() }
        let headers = RequestSigner(node: node).headers(method: "GET", target: "/v1/health", body: [])
        let courtConnection = try RawConnection(port: setup.port)
        defer { courtConnection.close() }
        courtConnection.send(
            "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n")
        let served = String(decoding: courtConnection.readUntilClosed(seconds: 30).bytes, as: UTF8.self)
        #expect(served.hasPrefix("HTTP/1.1 200"), "\(served.prefix(300))")
        print(
            "hostile connections: hub RSS \(before / Self.mebibyte) MiB before, \(during / Self.mebibyte) MiB with 1,000 open"
        )
        for connection in connections { connection.close() }
        #expect(setup.hub.isRunning)
        #expect(try setup.check(["status", "--data-dir", setup.dir("hub"), "--json"]).json["events"] as? Int == 0)
    }

    /// A change set by `node` whose header claims `claimed` payload bytes and whose zlib stream
    /// inflates to `inflated` zeros: a zip bomb with a valid checksum.
    static func bomb(court: CourtCode, node: NodeID, claimed: Int, inflated: Int) throws -> [UInt8] {
        let compressed = try Zlib.compress([UInt8](repeating: 0, count: inflated), level: 9)
        var header = ByteWriter()
        header.write(raw: ChangeSetCodec.magic)
        header.write(byte: ChangeSetCodec.formatVersion)
        header.write(byte: ChangeSetCodec.zlibCompression)
        header.write(string: court.rawValue)
        header.write(string: node.rawValue)
        header.write(varint: UInt64(SystemTimeSource().now().milliseconds))
        header.write(varint: 1)
        header.write(varint: 1)
        header.write(varint: 0)
        header.write(varint: UInt64(claimed))
        header.write(varint: UInt64(compressed.count))
        var hasher = SHA256()
        hasher.update(data: header.bytes)
        hasher.update(data: compressed)
        return header.bytes + Array(hasher.finalize()) + compressed
    }

    @Test(
        "four zip bombs at once, each refused with its code; the hub's peak memory grows by at most twice the body limit each"
    )
    func zipBombs() async throws {
        let limit = Self.mebibyte
        let setup = try HubSetup(limits: ["maxBodyBytes": limit])
        let court = try setup.approvedCourt("京0105", name: "bj")
        let node = try CourtNode(dataDirectory: court, time: SystemTimeSource())
        defer { try? node.close() }
        // 250 MiB of zeros deflate to about 250 KiB: well within the 1 MiB body limit.
        let claimsLittle = try Self.bomb(
            court: node.identity.court, node: node.identity.node, claimed: limit, inflated: 250 * Self.mebibyte)
        let claimsMuch = try Self.bomb(
            court: node.identity.court, node: node.identity.node, claimed: 256 * Self.mebibyte,
            inflated: 250 * Self.mebibyte)
        #expect(claimsLittle.count < limit && claimsMuch.count < limit)
        let pid = try #require(setup.hub.processIdentifier)
        let peakBefore = try Self.memory("VmHWM", of: pid)
        let url = URL(string: setup.url + "/v1/changes")!
        let signer = RequestSigner(node: node)
        let answers = try await withThrowingTaskGroup(of: (Int, String).self) { group in
            for body in [claimsLittle, claimsMuch, claimsLittle, claimsMuch] {
                group.addTask {
                    let headers = signer.headers(method: "POST", target: "/v1/changes", body: body)
                    let response = try await HTTPExchange(
                        method: "POST", url: url, headers: headers.map { ($0.key, $0.value) }, body: body
                    ).perform(tls: nil, timeout: 60, maxBodyBytes: 1 << 20)
                    let json = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
                    return (response.status, ((json?["error"] as? [String: Any])?["code"] as? String) ?? "")
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.filter { $0 == (400, "decompressionFailed") }.count == 2, "\(answers)")
        #expect(answers.filter { $0 == (413, "tooLarge") }.count == 2, "\(answers)")
        let peakAfter = try Self.memory("VmHWM", of: pid)
        let growth = peakAfter - peakBefore
        #expect(growth <= 4 * 2 * limit + 48 * Self.mebibyte, "peak grew by \(growth / Self.mebibyte) MiB")
        print(
            "zip bombs: hub peak RSS \(peakBefore / Self.mebibyte) → \(peakAfter / Self.mebibyte) MiB for four at once")
        #expect(setup.hub.isRunning)
        #expect(try setup.check(["status", "--data-dir", setup.dir("hub"), "--json"]).json["events"] as? Int == 0)
    }

    @Test("a signed body that trickles below the minimum rate is cut off with 408 and its connection closed")
    func tricklingBody() throws {
        let setup = try HubSetup(limits: ["minBodyBytesPerSecond": 2_000, "bodyGraceSeconds": 1])
        let court = try setup.approvedCourt("京0105", name: "bj")
        let node = try CourtNode(dataDirectory: court, time: SystemTimeSource())
        defer { try? node.close() }
        let body = [UInt8](repeating: 0x43, count: 100_000)
        let headers = RequestSigner(node: node).headers(method: "POST", target: "/v1/changes", body: body)
        let connection = try RawConnection(port: setup.port)
        connection.send(
            "POST /v1/changes HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n"
                + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n")
        var answer: [UInt8] = []
        var sent = 0
        // Ten bytes every half second (20 bytes/s against 2,000 required), until the hub answers.
        while answer.isEmpty, sent < 600 {
            connection.send(bytes: Array(body[sent..<sent + 10]))
            sent += 10
            answer = connection.readUntilClosed(milliseconds: 500, stopAfter: "}}").bytes
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 408") && text.contains(#""code":"slowBody""#), "\(text)")
        #expect(connection.readUntilClosed(seconds: 10).closed, "the connection stayed open")
        #expect(setup.hub.isRunning)

        // A burst, then nothing: the average would allow 50 s of silence for 100 kB, but a body
        // may not stall longer than the grace (1 s here).
        let stalled = try RawConnection(port: setup.port)
        let again = RequestSigner(node: node).headers(method: "POST", target: "/v1/changes", body: body)
        stalled.send(
            "POST /v1/changes HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.count)\r\n"
                + again.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n")
        stalled.send(bytes: Array(body.prefix(body.count / 2)))
        let cut = String(decoding: stalled.readUntilClosed(seconds: 20, stopAfter: "}}").bytes, as: UTF8.self)
        #expect(cut.hasPrefix("HTTP/1.1 408") && cut.contains(#""code":"slowBody""#), "\(cut)")
    }
}

extension HostileCallerTests {
    @Test("a request replayed after the hub restarts is still refused: the nonces it spent are on disk")
    func replayAcrossRestart() throws {
        let setup = try HubSetup()
        let court = try setup.approvedCourt("京0105", name: "bj")
        let node = try CourtNode(dataDirectory: court, time: SystemTimeSource())
        let headers = RequestSigner(node: node).headers(method: "GET", target: "/v1/health", body: [])
        let request =
            "GET /v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
            + headers.map { "\($0.key): \($0.value)\r\n" }.joined() + "\r\n"
        func send() throws -> String {
            let connection = try RawConnection(port: setup.port)
            defer { connection.close() }
            connection.send(request)
            return String(decoding: connection.readUntilClosed(seconds: 10).bytes, as: UTF8.self)
        }
        #expect(try send().hasPrefix("HTTP/1.1 200"))
        #expect(try send().contains(#""code":"replayedRequest""#))
        #expect(setup.hub.stop() == 0)
        try setup.hub.start(runner: setup.cli)
        let again = try send()
        #expect(again.hasPrefix("HTTP/1.1 401") && again.contains(#""code":"replayedRequest""#), "\(again.prefix(300))")
    }
}
