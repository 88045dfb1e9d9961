import Crypto
import Entrustment
import Foundation
import Node
import Replica
import SyncEngine
import SyncProtocol
import Testing
import TestSupport

/// Honest time and hostile callers through the sync engine, with real replicas in one process:
/// backdated acts refused on every path, the hub's witnesses in push receipts and pulls, late
/// reports and their acceptance, the replay allowance per node.
@Suite("honest time through sync", .serialized)
struct HonestSyncTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 24 * hour

    static func draft(_ sequence: Int) -> MatterDraft {
        MatterDraft(caseNumber: "（2026）京0105执\(sequence)号", entrustedCourt: "粤0106", kind: "deposit:freeze")
    }

    /// The hub, 京0105 and 粤0106; one matter sent and signed, held everywhere.
    static func signedMatter(clock: ManualClock) async throws -> (InProcessNetwork, MatterID) {
        let net = try InProcessNetwork()
        for court in ["最高法", "京0105", "粤0106"] { try net.add(court, time: clock) }
        let sent = try net.members["京0105"]!.node.createMatter(draft(1))
        try await net.settle(["京0105", "粤0106"], with: "最高法")
        clock.advance(milliseconds: hour)
        _ = try net.members["粤0106"]!.node.act(on: sent.id.rawValue, .sign(note: ""))
        try await net.settle(["京0105", "粤0106"], with: "最高法")
        return (net, sent.id)
    }

    /// A completion by 粤0106's own key, dated a day before the sign it follows.
    static func backdatedCompletion(_ net: InProcessNetwork, _ id: MatterID) throws -> Event {
        let gz = net.members["粤0106"]!.node
        let sign = try #require(try gz.events(of: id).last?.event)
        return gz.signed(
            try Event(
                matterID: id, author: gz.identity.court, origin: gz.identity.node,
                timestamp: HybridTimestamp(wall: sign.timestamp.wall - day, counter: 0), parents: [sign.id],
                action: .complete(outcome: .full, feedback: "已冻结")))
    }

    static func set(from node: CourtNode, _ events: [Event]) throws -> [UInt8] {
        try ChangeSetCodec.encode(
            ChangeSet(
                senderCourt: node.identity.court, senderNode: node.identity.node, createdAt: node.time.now(),
                throughSequence: 99, events: events))
    }

    @Test("a completion dated before the sign it follows is refused by push, by pull and by import")
    func backdatedOnEveryPath() async throws {
        let clock = ManualClock(Fixtures.time("2026-11-02T09:00:00+08:00"))
        let (net, id) = try await Self.signedMatter(clock: clock)
        defer { net.remove() }
        let backdated = try Self.backdatedCompletion(net, id)
        let gz = net.members["粤0106"]!.node

        // Push: refused by id in the receipt, not stored, the hub's digest unchanged.
        let hub = net.hub
        let hubDigest = try hub.node.replica.digest().digest
        let body = try Self.set(from: gz, [backdated])
        let request = try hub.responder.authenticate(
            IncomingRequest(
                method: "POST", target: "/v1/changes",
                headers: RequestSigner(node: gz).headers(method: "POST", target: "/v1/changes", body: body)))
        let receipt = try await hub.responder.push(from: request.requester, body: body)
        #expect(receipt.refused.map(\.event) == [backdated.id.hex] && receipt.refused.first?.code == "rejectedEvent")
        #expect(receipt.refused.first?.reason.contains("cannot precede") == true)
        #expect(try hub.node.replica.digest().digest == hubDigest)

        // Pull: a remote answering with the backdated event (as a rogue relay would) is refused.
        let bj = net.members["京0105"]!.node
        let bjDigest = try bj.replica.digest().digest
        let rogue = RoguePulls(
            inner: LocalTransport(to: hub.responder, signer: RequestSigner(node: bj)),
            answer: ChangeSet(
                senderCourt: hub.node.identity.court, senderNode: hub.node.identity.node, createdAt: clock.now(),
                throughSequence: 10_000, events: [backdated]))
        let link = net.link("京0105", to: "最高法", transport: rogue)
        try await link.handshake()
        let round = try await link.pullRound(wait: 0)
        #expect(round.stats.refused == 1 && round.stats.eventsStored == 0)
        #expect(try bj.replica.digest().digest == bjDigest)
        #expect(try bj.replica.refusals().first?.event == backdated.id.hex)

        // Import: the change file is refused whole and the replica is unchanged.
        let file = net.folder.path("backdated.csync")
        try Data(try Self.set(from: gz, [backdated])).write(to: file)
        #expect { try bj.importChanges(from: file) } throws: { ($0 as? NodeError)?.code == "rejectedEvent" }
        #expect(try bj.replica.digest().digest == bjDigest)
    }

    @Test("a revoked node's event that reaches the hub after the revocation is refused, whatever time it claims")
    func revokedKeyCannotBackdate() async throws {
        let clock = ManualClock(Fixtures.time("2026-11-02T09:00:00+08:00"))
        let (net, id) = try await Self.signedMatter(clock: clock)
        defer { net.remove() }
        let hub = net.hub
        let gz = net.members["粤0106"]!.node
        let bj = net.members["京0105"]!.node
        clock.advance(milliseconds: Self.hour)
        _ = try hub.node.decide(.revoke, court: "粤0106")
        // Whoever holds 粤0106's key dates a completion half an hour before the revocation and
        // has another court relay it.
        let sign = try #require(try gz.events(of: id).last?.event)
        let forged = gz.signed(
            try Event(
                matterID: id, author: gz.identity.court, origin: gz.identity.node,
                timestamp: HybridTimestamp(wall: clock.now().milliseconds - Self.hour / 2, counter: 0),
                parents: [sign.id], action: .complete(outcome: .full, feedback: "已冻结")))
        let hubDigest = try hub.node.replica.digest().digest
        let body = try Self.set(from: bj, [forged])
        let request = try hub.responder.authenticate(
            IncomingRequest(
                method: "POST", target: "/v1/changes",
                headers: RequestSigner(node: bj).headers(method: "POST", target: "/v1/changes", body: body)))
        let receipt = try await hub.responder.push(from: request.requester, body: body)
        #expect(receipt.stored == 0 && receipt.refused.map(\.code) == ["revokedKey"], "\(receipt)")
        #expect(try hub.node.replica.digest().digest == hubDigest)
        // What the hub stored before the revocation stays valid: the audit still passes.
        #expect(try hub.node.auditVerify().ok)
    }

    @Test("the hub's witnesses come back in push receipts and pulls; it witnesses delivery to the entrusted court once")
    func witnessesTravel() async throws {
        let clock = ManualClock(Fixtures.time("2026-11-02T09:00:00+08:00"))
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106"] { try net.add(court, time: clock) }
        let bj = net.members["京0105"]!.node
        let gz = net.members["粤0106"]!.node
        let sent = try bj.createMatter(Self.draft(1))
        let hubKey = try VerifyingKey(hex: net.hub.node.publicKey, suite: .ed25519)

        // 京0105's push: the receipt carries the hub's storage witness, which 京0105 keeps.
        let bjLink = net.link("京0105", to: "最高法")
        try await bjLink.handshake()
        _ = try await bjLink.pushRound()
        let held = try bj.replica.witnesses(ofMatter: sent.id)
        #expect(held.map(\.kind) == [.stored] && held.first?.at == clock.now())
        try held.first?.verify(hubKey: hubKey)

        // 粤0106's pull brings the create and its witness; the hub witnesses the delivery then.
        clock.advance(milliseconds: 10 * 60_000)
        await net.sync("粤0106", with: ["最高法"])
        let atCourt = try gz.replica.witnesses(ofMatter: sent.id)
        #expect(Set(atCourt.map(\.kind)) == [.stored, .delivered])
        let delivery = try #require(atCourt.first { $0.kind == .delivered })
        #expect(delivery.court == gz.identity.court && delivery.at == clock.now())
        // Pulling again delivers nothing new and witnesses no second delivery.
        clock.advance(milliseconds: 60_000)
        await net.sync("粤0106", with: ["最高法"])
        #expect(try net.hub.node.replica.witnesses(ofMatter: sent.id).filter { $0.kind == .delivered }.count == 1)
        // 京0105 learns of the delivery on its next pull.
        await net.sync("京0105", with: ["最高法"])
        #expect(try bj.replica.witnesses(ofMatter: sent.id).contains { $0.kind == .delivered })
        for node in [bj, gz, net.hub.node] { #expect(try node.auditVerify().ok) }

        // A witness edited by hand no longer verifies: audit names it.
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [
            CourtNode.replicaPath(in: gz.dataDirectory),
            "UPDATE witnesses SET signature = zeroblob(64) WHERE kind = 'delivered'",
        ]
        try sqlite.run()
        sqlite.waitUntilExit()
        let audit = try gz.auditVerify()
        #expect(audit.findings.map(\.matter) == [sent.id.rawValue])
        #expect(audit.findings.first?.problem.contains("witness") == true)
    }

    @Test("an offline court's acts are late reports at the hub: counted as witnessed until hub staff accept them")
    func lateReports() async throws {
        let clock = ManualClock(Fixtures.time("2026-11-02T09:00:00+08:00"))
        let (net, id) = try await Self.signedMatter(clock: clock)
        defer { net.remove() }
        let gz = net.members["粤0106"]!.node
        let hub = net.hub.node
        // 粤0106 completes a day later, offline; it syncs two more days later.
        clock.advance(milliseconds: Self.day)
        _ = try gz.act(on: id.rawValue, .complete(outcome: .full, feedback: "已冻结"))
        let recorded = clock.now()
        clock.advance(milliseconds: 2 * Self.day)
        try await net.settle(["粤0106"], with: "最高法")
        let late = try hub.replica.lateReports()
        #expect(late.map(\.kind) == [.complete] && late.first?.delayMilliseconds == 2 * Self.day)
        #expect(try hub.replica.matterTiming(id)?.completedAt == clock.now())
        // Hub staff accept it: a signed hub event that every replica folds alike.
        clock.advance(milliseconds: Self.hour)
        let accepted = try hub.acceptLate(late[0].event.hex, note: "网络中断两日，已核实")
        #expect(accepted.acceptance?.note == "网络中断两日，已核实")
        #expect(try hub.replica.matterTiming(id)?.completedAt == recorded)
        #expect { try hub.acceptLate(late[0].event.hex, note: "again") } throws: {
            ($0 as? NodeError)?.code == "conflict"
        }
        try await net.settle(["京0105", "粤0106"], with: "最高法")
        for court in ["京0105", "粤0106"] {
            #expect(try net.members[court]!.node.replica.matterTiming(id)?.completedAt == recorded, "\(court)")
            #expect(try net.members[court]!.node.replica.lateReports().first?.acceptance != nil, "\(court)")
        }
        // A court may not accept; an act that is not late cannot be accepted.
        #expect { try gz.acceptLate(late[0].event.hex, note: "") } throws: { ($0 as? NodeError)?.code == "notHub" }
        let sign = try #require(try hub.events(of: id).first { $0.event.kind == .sign })
        #expect { try hub.acceptLate(sign.event.id.hex, note: "") } throws: { ($0 as? NodeError)?.code == "notFound" }
    }

    @Test("time the hub itself was down does not count against a court")
    func hubDowntimeExcused() async throws {
        let clock = ManualClock(Fixtures.time("2026-11-02T09:00:00+08:00"))
        let (net, id) = try await Self.signedMatter(clock: clock)
        defer { net.remove() }
        let gz = net.members["粤0106"]!.node
        let hub = net.hub.node
        hub.replica.markServing()
        // The hub served until an hour after the sign, then was down for two days.
        let start = clock.now().adding(milliseconds: -Self.day)
        try hub.replica.recordHubRun(startedAt: start, aliveAt: clock.now().adding(milliseconds: Self.hour))
        clock.advance(milliseconds: Self.day)
        _ = try gz.act(on: id.rawValue, .complete(outcome: .full, feedback: ""))
        let recorded = clock.now()
        clock.advance(milliseconds: Self.day + 3 * Self.hour)
        try hub.replica.recordHubRun(startedAt: clock.now(), aliveAt: clock.now())
        clock.advance(milliseconds: Self.hour)
        try await net.settle(["粤0106"], with: "最高法")
        // Stored 28 hours after it was recorded, 27 of which the hub was down: an hour late.
        let witness = try #require(try hub.replica.witnesses(ofMatter: id).last)
        #expect(witness.at.milliseconds - recorded.milliseconds == Self.day + 4 * Self.hour)
        #expect(witness.hubDowntimeMilliseconds == Self.day + 3 * Self.hour)
        #expect(try hub.replica.lateReports().isEmpty)
        #expect(try hub.replica.matterTiming(id)?.completedAt == recorded)
    }

    @Test("one node flooding requests exhausts only its own allowance")
    func replayAllowancePerNode() throws {
        var limits = NodeConfig.Limits()
        limits.requestsPerNodePerWindow = 3
        let net = try InProcessNetwork()
        defer { net.remove() }
        try net.add("最高法", limits: limits)
        let bj = try net.add("京0105").node
        let gz = try net.add("粤0106").node
        func request(_ node: CourtNode) -> IncomingRequest {
            IncomingRequest(
                method: "GET", target: "/v1/health",
                headers: RequestSigner(node: node).headers(method: "GET", target: "/v1/health", body: []))
        }
        for _ in 0..<3 { _ = try net.hub.responder.authenticate(request(bj)) }
        #expect { try net.hub.responder.authenticate(request(bj)) } throws: {
            ($0 as? SyncError)?.code == "busy" && ($0 as? SyncError)?.status == 503
        }
        for _ in 0..<3 { _ = try net.hub.responder.authenticate(request(gz)) }
    }

    @Test("a body that does not match its signed digest, or a request without a digest, is refused")
    func signedDigest() throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        let bj = try net.add("京0105").node
        var headers = RequestSigner(node: bj).headers(method: "POST", target: "/v1/changes", body: [1, 2, 3])
        let request = try net.hub.responder.authenticate(
            IncomingRequest(method: "POST", target: "/v1/changes", headers: headers))
        #expect { try request.check(body: [1, 2, 4]) } throws: { ($0 as? SyncError)?.code == "digestMismatch" }
        try request.check(body: [1, 2, 3])
        headers = RequestSigner(node: bj).headers(method: "POST", target: "/v1/changes", body: [1, 2, 3])
        headers[RequestSigning.digestHeader] = RequestSigning.digestHeaderValue(
            RequestSigning.digest(of: [9], suite: .ed25519), suite: .ed25519)
        #expect {
            try net.hub.responder.authenticate(IncomingRequest(method: "POST", target: "/v1/changes", headers: headers))
        } throws: { ($0 as? SyncError)?.code == "badSignature" }
        headers.removeValue(forKey: RequestSigning.digestHeader)
        #expect {
            try net.hub.responder.authenticate(IncomingRequest(method: "POST", target: "/v1/changes", headers: headers))
        } throws: { ($0 as? SyncError)?.code == "unauthenticated" }
    }
}

/// Answers pulls with a fixed change set, as a rogue relay would; everything else goes through.
private struct RoguePulls: SyncTransport {
    let inner: any SyncTransport

    func documentStatus(_ hash: DocumentHash) async throws -> DocumentStatus {
        try await inner.documentStatus(hash)
    }
    func documentChunk(_ hash: DocumentHash, index: Int) async throws -> DocumentChunk {
        try await inner.documentChunk(hash, index: index)
    }
    func putDocumentChunk(_ chunk: DocumentChunk, hash: DocumentHash, index: Int) async throws -> DocumentStatus {
        try await inner.putDocumentChunk(chunk, hash: hash, index: index)
    }
    let answer: ChangeSet

    func hello(_ request: HelloRequest) async throws -> HelloResponse { try await inner.hello(request) }

    func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        let real = try await inner.pull(after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes)
        return PulledChanges(
            body: try ChangeSetCodec.encode(answer), head: Int64(answer.throughSequence),
            directoryVersion: real.directoryVersion)
    }

    func push(_ changeSet: [UInt8], directoryVersion: Int) async throws -> PushReceipt {
        try await inner.push(changeSet, directoryVersion: directoryVersion)
    }

    func directory() async throws -> SignedDirectory { try await inner.directory() }
}
