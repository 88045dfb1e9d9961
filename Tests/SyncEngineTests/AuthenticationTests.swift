import Entrustment
import Foundation
import Node
import Replica
import SyncEngine
import SyncProtocol
import Testing
import TestSupport

/// Signed requests at a real responder (real replicas, the hub's real directory): each bad
/// request is refused with its specific code, and the receiver's replica is unchanged, in both
/// signature suites.
@Suite("request authentication")
struct AuthenticationTests {
    /// The hub, 京0105 (with one matter to push), and 沪0115 pending approval.
    static func network(_ suite: SignatureSuite) throws -> (InProcessNetwork, body: [UInt8]) {
        let net = try InProcessNetwork(suite: suite)
        try net.add("最高法")
        let bj = try net.add("京0105")
        try net.add("粤0106")
        try net.add("沪0115", approve: false)
        _ = try bj.node.createMatter(
            MatterDraft(caseNumber: "（2026）京0105执1号", entrustedCourt: "粤0106", kind: "deposit:freeze"))
        let batch = try bj.node.replica.changes(
            after: 0, for: ChangeSelection(court: nil, excludingNode: nil), maxEvents: 10, maxBytes: 1 << 20)
        let body = try ChangeSetCodec.encode(
            ChangeSet(
                suite: suite, senderCourt: bj.node.identity.court, senderNode: bj.node.identity.node,
                createdAt: bj.node.time.now(),
                throughSequence: UInt64(batch.through), events: batch.events))
        return (net, body)
    }

    /// Headers for a push by `node`, optionally with a different timestamp or key.
    static func headers(
        _ node: CourtNode, body: [UInt8], timestamp: Int64? = nil, key: SigningKey? = nil
    ) -> [String: String] {
        let stamp = String(timestamp ?? node.time.now().milliseconds)
        let nonce = Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255) })
        let court = SyncWire.encodeHeader(node.identity.court.rawValue)
        let id = SyncWire.encodeHeader(node.identity.node.rawValue)
        let digest = RequestSigning.digest(of: body, suite: node.suite)
        let message = RequestSigning.message(
            method: "POST", target: "/v1/changes", timestamp: stamp, nonce: nonce, bodyDigest: digest, court: court,
            node: id)
        let signature =
            key.map { SignaturePurpose.request.sign(message, with: $0) } ?? node.sign(message, for: .request)
        return [
            SyncWire.courtHeader: court, SyncWire.nodeHeader: id, RequestSigning.timestampHeader: stamp,
            RequestSigning.nonceHeader: nonce,
            RequestSigning.digestHeader: RequestSigning.digestHeaderValue(digest, suite: node.suite),
            RequestSigning.signatureHeader: Data(signature).base64EncodedString(),
        ]
    }

    /// Authenticates and pushes as the daemon's route does: the headers first, then the body
    /// against the digest they declare.
    static func push(_ net: InProcessNetwork, _ headers: [String: String], _ body: [UInt8]) async throws -> PushReceipt
    {
        let responder = net.hub.responder
        let request = try responder.authenticate(
            IncomingRequest(method: "POST", target: "/v1/changes", headers: headers))
        try request.check(body: body)
        return try await responder.push(from: request.requester, body: body)
    }

    @Test(
        "forged, stale, unsigned, unregistered, rejected and revoked requests are refused and change nothing",
        arguments: SignatureSuite.allCases)
    func refusals(suite: SignatureSuite) async throws {
        let (net, body) = try Self.network(suite)
        defer { net.remove() }
        let bj = net.members["京0105"]!.node
        let sh = net.members["沪0115"]!.node
        let now = bj.time.now().milliseconds
        let beyondWindow = Int64(NodeConfig.Limits().requestWindowSeconds) * 1000 + 1000
        var unsigned = Self.headers(bj, body: body)
        unsigned.removeValue(forKey: RequestSigning.signatureHeader)
        var tamperedBody = body
        tamperedBody[tamperedBody.count - 1] ^= 1
        let cases: [(String, [String: String], [UInt8], String)] = [
            ("forged", Self.headers(bj, body: body, key: SigningKey.generate(suite)), body, "badSignature"),
            (
                "signed with the node's key of the other suite",
                Self.headers(
                    bj, body: body,
                    key: TestKeys.key(for: bj.identity.node, suite: SignatureSuite.allCases.first { $0 != suite }!)),
                body, "badSignature"
            ),
            ("body changed after signing", Self.headers(bj, body: body), tamperedBody, "digestMismatch"),
            ("stale", Self.headers(bj, body: body, timestamp: now - beyondWindow), body, "staleRequest"),
            ("from the future", Self.headers(bj, body: body, timestamp: now + beyondWindow), body, "staleRequest"),
            ("unsigned", unsigned, body, "unauthenticated"),
            ("pending registration", Self.headers(sh, body: body), body, "unknownKey"),
        ]
        for (name, headers, sent, code) in cases {
            await #expect("\(name)") {
                try await Self.push(net, headers, sent)
            } throws: { ($0 as? SyncError)?.code == code }
        }
        try net.decide(.reject, "沪0115")
        await #expect {
            try await Self.push(net, Self.headers(sh, body: body), body)
        } throws: { ($0 as? SyncError)?.code == "revokedKey" && ($0 as? SyncError)?.status == 403 }
        #expect(try net.hub.node.replica.eventCount() == 0)

        // A genuine request passes once; the same headers again are a replay.
        let genuine = Self.headers(bj, body: body)
        let receipt = try await Self.push(net, genuine, body)
        #expect(receipt.stored == 1)
        await #expect {
            try await Self.push(net, genuine, body)
        } throws: { ($0 as? SyncError)?.code == "replayedRequest" }

        // Revoked: refused from then on; what it signed before stays.
        try net.decide(.revoke, "京0105")
        await #expect {
            try await Self.push(net, Self.headers(bj, body: body), body)
        } throws: { ($0 as? SyncError)?.code == "revokedKey" }
        #expect(try net.hub.node.replica.eventCount() == 1)
        #expect(try net.hub.node.matters(MatterFilter()).count == 1)
    }

    @Test(
        "a pull returns only what the authenticated court may see, whatever cursor it asks from",
        arguments: SignatureSuite.allCases)
    func pullIsFiltered(suite: SignatureSuite) async throws {
        let (net, body) = try Self.network(suite)
        defer { net.remove() }
        _ = try await Self.push(net, Self.headers(net.members["京0105"]!.node, body: body), body)
        try net.decide(.approve, "沪0115")
        let sh = net.link("沪0115", to: "最高法")
        try await sh.handshake()
        let round = try await sh.pullRound(wait: 0)
        #expect(round.stats.eventsReceived == 0)
        #expect(try net.members["沪0115"]!.node.replica.eventCount() == 0)
        let gz = net.link("粤0106", to: "最高法")
        try await gz.handshake()
        #expect(try await gz.pullRound(wait: 0).stats.eventsStored == 1)
    }

    @Test(
        "events pushed by an authenticated node are still checked one by one: a forged one is refused by id",
        arguments: SignatureSuite.allCases)
    func relayedForgery(suite: SignatureSuite) async throws {
        let (net, body) = try Self.network(suite)
        defer { net.remove() }
        let set = try ChangeSetCodec.decode(body, suite: suite)
        var signature = set.events[0].signature!
        signature[5] ^= 0x10
        var forged = set
        forged.events = [try set.events[0].withSignature(signature)]
        let forgedBody = try ChangeSetCodec.encode(forged)
        let receipt = try await Self.push(net, Self.headers(net.members["京0105"]!.node, body: forgedBody), forgedBody)
        #expect(receipt.stored == 0)
        #expect(receipt.refused.map(\.event) == [set.events[0].id.hex])
        #expect(receipt.refused.first?.code == "badSignature")
        #expect(try net.hub.node.replica.eventCount() == 0 && net.hub.node.replica.refusalCount() == 1)
    }

    @Test(
        "a change set of the other suite, or a body digest in the other suite's hash, is refused and changes nothing",
        arguments: SignatureSuite.allCases)
    func otherSuiteRefused(suite: SignatureSuite) async throws {
        let (net, body) = try Self.network(suite)
        defer { net.remove() }
        let other = SignatureSuite.allCases.first { $0 != suite }!
        let bj = net.members["京0105"]!.node
        // The same events re-framed as a set of the other suite: refused before anything is read.
        var foreign = try ChangeSetCodec.decode(body, suite: suite)
        foreign.suite = other
        let foreignBody = try ChangeSetCodec.encode(foreign)
        await #expect {
            try await Self.push(net, Self.headers(bj, body: foreignBody), foreignBody)
        } throws: { ($0 as? SyncError)?.code == "wrongSuite" && ($0 as? SyncError)?.status == 400 }
        // A Content-Digest in the other suite's algorithm only: the request is not signed as this network signs.
        var headers = Self.headers(bj, body: body)
        headers[RequestSigning.digestHeader] = RequestSigning.digestHeaderValue(
            RequestSigning.digest(of: body, suite: other), suite: other)
        await #expect {
            try await Self.push(net, headers, body)
        } throws: { ($0 as? SyncError)?.code == "unauthenticated" }
        #expect(try net.hub.node.replica.eventCount() == 0)
    }
}
