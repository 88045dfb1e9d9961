import Entrustment
import Foundation
import Node
import Replica
import SyncEngine
import SyncProtocol
import Testing
import TestSupport

/// The sync engine with several real replicas in one process, linked straight to each other's
/// protocol responder (no HTTP).
@Suite("sync engine, in process")
struct EngineTests {
    private func draft(_ sequence: Int, to court: String = "粤0106", from: String = "京0105") -> MatterDraft {
        MatterDraft(caseNumber: "（2026）\(from)执\(sequence)号", entrustedCourt: court, kind: "deposit:freeze")
    }

    @Test("a matter reaches its counterpart through the hub, and the result comes back; bystanders never hold it")
    func convergesThroughHub() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106", "沪0115", "京"] { try net.add(court) }
        let courts = ["京0105", "粤0106", "沪0115", "京"]
        let sent = try net.members["京0105"]!.node.createMatter(draft(100))
        try await net.settle(courts, with: "最高法")
        #expect(try net.members["粤0106"]!.node.matter(sent.id.rawValue).state == .sent)

        let gz = net.members["粤0106"]!.node
        _ = try gz.act(on: sent.id.rawValue, .sign(note: ""))
        _ = try gz.act(on: sent.id.rawValue, .complete(outcome: .full, feedback: "已冻结"))
        try await net.settle(courts, with: "最高法")

        #expect(try net.members["京0105"]!.node.matter(sent.id.rawValue).state == .completed)
        #expect(try net.members["最高法"]!.node.matter(sent.id.rawValue).state == .completed)
        #expect(try net.digest("京0105") == net.digest("粤0106"))
        #expect(try net.digest("京0105") == net.digest("最高法"))
        // 京 (the high court above 京0105) sees its subordinate's matter; 沪0115 sees nothing.
        #expect(try net.digest("京") == net.digest("京0105"))
        #expect(try net.members["沪0115"]!.node.replica.eventCount() == 0)
    }

    @Test("two courts exchange directly without the hub, and events deduplicate when the hub relays them too")
    func directPeersAndDeduplication() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106"] { try net.add(court) }
        let sent = try net.members["京0105"]!.node.createMatter(draft(7))
        await net.sync("京0105", with: ["粤0106"])
        #expect(try net.members["粤0106"]!.node.matter(sent.id.rawValue).state == .sent)
        #expect(try net.members["最高法"]!.node.replica.eventCount() == 0)

        let rounds = await net.sync("粤0106", with: ["最高法"])
        #expect(rounds.allSatisfy { $0.ok })
        let relayed = await net.sync("京0105", with: ["最高法"])
        // The hub already holds the event (from 粤0106): 京0105's push is acknowledged as a duplicate.
        #expect(relayed[0].stats.duplicates == 1)
        #expect(try net.members["最高法"]!.node.replica.eventCount() == 1)
        #expect(try net.digest("最高法") == net.digest("京0105"))
    }

    @Test("a court far behind catches up on the hub's attested batches; the re-check then passes every signature")
    func attestedCatchUp() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        var small = NodeConfig.Limits()
        small.maxEventsPerSet = 4
        for court in ["最高法", "京0105"] { try net.add(court) }
        try net.add("粤0106", limits: small)
        let bj = net.members["京0105"]!.node
        for sequence in 1...9 { _ = try bj.createMatter(draft(sequence)) }
        try await net.settle(["京0105"], with: "最高法")
        try await net.settle(["粤0106"], with: "最高法")
        let gz = net.members["粤0106"]!.node
        #expect(try net.digest("粤0106") == net.digest("京0105"))
        let status = try gz.replica.originCheckStatus()
        // Far behind (more than a set of 4 behind the hub's head) the court asked for
        // attestations; the last sets, within reach of the head, were verified one by one.
        #expect(status.attestations >= 1 && status.pending >= 4 && status.failed == 0)
        let (passed, failed) = try gz.replica.recheckOrigins(limit: 100, now: gz.time.now())
        #expect(passed == status.pending && failed.isEmpty)
        // Only the hub attests: a court's responder ignores the wish.
        let answer = try await net.members["京0105"]!.responder.pull(
            from: Requester(court: gz.identity.court, node: gz.identity.node), after: 0, wait: 0, maxEvents: 4,
            maxBytes: nil, attested: true)
        #expect(answer.events > 0 && answer.attestation == nil)
    }

    @Test("a receiver refuses events of matters its court may not hold")
    func receiverRefusesInvisibleMatters() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["京0105", "沪0115"] { try net.add(court) }
        let bj = net.members["京0105"]!.node
        _ = try bj.createMatter(draft(1))
        let batch = try await bj.replica.changes(
            after: 0, for: ChangeSelection(court: nil, excludingNode: nil), maxEvents: 100, maxBytes: 1 << 20)
        let body = try ChangeSetCodec.encode(
            ChangeSet(
                senderCourt: bj.identity.court, senderNode: bj.identity.node, createdAt: bj.time.now(),
                throughSequence: UInt64(batch.through), events: batch.events))
        let receipt = try await net.members["沪0115"]!.responder.push(
            from: Requester(court: bj.identity.court, node: bj.identity.node), body: body)
        #expect(receipt.notVisible == 1)
        #expect(receipt.stored == 0)
        #expect(try net.members["沪0115"]!.node.replica.eventCount() == 0)
    }

    @Test(
        "an event that cannot be applied is quarantined, the link moves on, and it is applied once its parent arrives")
    func quarantineDoesNotBlock() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105", "粤0106"] { try net.add(court) }
        let bj = net.members["京0105"]!.node
        let gz = net.members["粤0106"]!.node
        let sent = try bj.createMatter(draft(1))
        let other = try bj.createMatter(draft(2))
        await net.sync("粤0106", with: ["京0105"])
        _ = try gz.act(on: sent.id.rawValue, .sign(note: ""))
        let signEvent = try gz.events(of: sent.id).last!.event
        let createOther = try gz.events(of: other.id).first!.event
        let hub = net.members["最高法"]!
        let requester = Requester(court: gz.identity.court, node: gz.identity.node)

        // The sign arrives at the hub before its matter's create: quarantined, the other event stored.
        let first = try ChangeSetCodec.encode(
            ChangeSet(
                senderCourt: gz.identity.court, senderNode: gz.identity.node, createdAt: gz.time.now(),
                throughSequence: 9, events: [signEvent, createOther]))
        let receipt = try await hub.responder.push(from: requester, body: first)
        #expect(receipt.acknowledged == 9)
        #expect(receipt.stored == 1)
        #expect(receipt.quarantined.map(\.event) == [signEvent.id.hex])
        #expect(try hub.node.replica.quarantined().map(\.code) == ["missingParent"])

        // The create arrives by another path; the quarantined sign follows it in the same transaction.
        await net.sync("京0105", with: ["最高法"])
        #expect(try hub.node.replica.quarantined().isEmpty)
        #expect(try hub.node.matter(sent.id.rawValue).state == .signed)
    }

    @Test("a lost acknowledgement leaves the push cursor where it was; the resend is stored once")
    func cursorAdvancesOnlyOnAcknowledgement() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in ["最高法", "京0105"] { try net.add(court) }
        let bj = net.members["京0105"]!
        for sequence in 1...5 { _ = try bj.node.createMatter(draft(sequence)) }
        let lastOwn = try bj.node.replica.headSequence()
        let hub = net.members["最高法"]!
        let lossy = net.link(
            "京0105", to: "最高法",
            transport: LosingAcknowledgements(
                inner: LocalTransport(to: hub.responder, signer: RequestSigner(node: bj.node))))
        try await lossy.handshake()
        await #expect(throws: SyncError.self) { try await lossy.pushRound() }
        #expect(try hub.node.replica.eventCount() == 5)
        #expect(try bj.node.replica.links().first!.pushedThrough == 0)

        let rounds = await net.sync("京0105", with: ["最高法"])
        #expect(rounds[0].stats.duplicates == 5)
        // The cursor covers every event of its own; what follows are the hub's witnesses of them.
        #expect(try bj.node.replica.links().first!.pushedThrough >= lastOwn)
        #expect(try bj.node.replica.witnessCount() == 5)
        #expect(try hub.node.replica.eventCount() == 5)
    }

    @Test("a large backlog streams in change sets no larger than the limit")
    func boundedBatches() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        var limits = NodeConfig.Limits()
        limits.maxEventsPerSet = 40
        try net.add("最高法", limits: limits)
        let bj = try net.add("京0105", limits: limits)
        try net.add("粤0106", limits: limits)
        let matters = 230
        try await bj.node.replica.write { tx in
            let calendars = try #require(tx.calendars)
            for sequence in 1...matters {
                let now = bj.node.time.now()
                let id = MatterID(court: bj.node.identity.court, year: 2026, sequence: sequence)
                let deadlines = try calendars.deadlines(
                    for: .depositFreeze, urgent: false, sentOn: now.chinaDate, version: calendars.version)
                let request = MatterRequest(
                    caseNumber: try CaseNumber(parsing: "（2026）京0105执\(sequence)号"),
                    entrustedCourt: try CourtCode("粤0106"), kind: .depositFreeze, signDue: deadlines.signDue,
                    due: deadlines.due, calendarVersion: calendars.version)
                let event = try Event(
                    matterID: id, author: bj.node.identity.court, origin: bj.node.identity.node,
                    timestamp: tx.tick(now: now), parents: [], action: .create(request))
                try tx.append([bj.node.signed(event)], origin: .local, now: now)
            }
        }
        let pushed = await net.sync("京0105", with: ["最高法"])
        #expect(pushed[0].stats.setsSent == (matters + 39) / 40)
        #expect(pushed[0].stats.eventsSent == matters)
        let pulled = await net.sync("粤0106", with: ["最高法"])
        #expect(pulled[0].stats.eventsStored == matters)
        #expect(pulled[0].stats.setsReceived >= (matters + 39) / 40)
        #expect(try net.digest("粤0106") == net.digest("京0105"))
    }

    @Test("a waiting pull returns as soon as an event arrives")
    func longPollWakes() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        // The hub grants the whole 300 s asked for (30 s by default), so that a slow machine
        // cannot end the wait before the event arrives.
        var limits = NodeConfig.Limits()
        limits.maxLongPollSeconds = 300
        limits.idleTimeoutSeconds = 310
        try net.add("最高法", limits: limits)
        for court in ["京0105", "粤0106"] { try net.add(court) }
        let hub = net.members["最高法"]!
        let gz = net.members["粤0106"]!.node
        let parked = await hub.notifier.waiting
        let waiting = Task {
            try await hub.responder.pull(
                from: Requester(court: gz.identity.court, node: gz.identity.node), after: 0, wait: 300,
                maxEvents: nil, maxBytes: nil)
        }
        // The event comes only once the pull has found nothing and waits for it: had it come
        // first, the pull would return at once and prove nothing.
        try #require(try await eventually { await hub.notifier.waiting > parked }, "the pull never waited")
        _ = try net.members["京0105"]!.node.createMatter(draft(1))
        await net.sync("京0105", with: ["最高法"])
        // The pull waits up to 300 s; it must come back well before this test's own 60 s limit.
        let answer = try await withThrowingTaskGroup(of: SyncResponder.PullAnswer?.self) { group in
            group.addTask { try await waiting.value }
            group.addTask {
                try await Task.sleep(for: .seconds(60))
                return nil
            }
            let first = try await group.next()!
            group.cancelAll()
            return first
        }
        #expect(answer?.events == 1)
    }

    @Test("a hello with no common protocol version is refused with the versions spoken")
    func versionNegotiation() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        try net.add("最高法")
        let bj = try net.add("京0105")
        let caller = Requester(court: bj.node.identity.court, node: bj.node.identity.node)
        let hub = net.hub
        func hello(_ versions: [Int]) async throws -> HelloResponse {
            try await hub.responder.hello(
                HelloRequest(
                    versions: versions, court: "京0105", node: caller.node.rawValue, role: "court", software: "x"),
                from: caller)
        }
        // The newest both speak; a court one version behind is served in its version.
        #expect(try await hello([1, 2, 7]).version == ProtocolVersion.current)
        #expect(try await hello([ProtocolVersion.current - 1]).version == ProtocolVersion.current - 1)
        // Older than that: refused, naming the release to install.
        await #expect {
            try await hello([ProtocolVersion.oldestSpoken - 1])
        } throws: { error in
            let error = error as? SyncError
            return error?.code == "unsupportedVersion"
                && error?.message.contains("install courtsync \(ProtocolVersion.releases[ProtocolVersion.current]!)")
                    == true
        }
        // Only newer versions: this node is the one to upgrade.
        await #expect {
            try await hello([ProtocolVersion.current + 1])
        } throws: { error in
            (error as? SyncError)?.code == "unsupportedVersion"
                && (error as? SyncError)?.message.contains("upgrade this node") == true
        }
        await #expect { try await hello(Array(1...17)) } throws: { ($0 as? SyncError)?.code == "badRequest" }
        // A court's node that says it is a hub is refused.
        await #expect {
            try await hub.responder.hello(
                HelloRequest(versions: [1], court: "京0105", node: caller.node.rawValue, role: "hub", software: "x"),
                from: caller)
        } throws: { ($0 as? SyncError)?.code == "badRequest" && ($0 as? SyncError)?.message.contains("role") == true }
    }

    @Test("malformed pushes are refused with a specific code and change nothing")
    func malformedPushes() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        let hub = try net.add("最高法")
        let bj = try net.add("京0105")
        _ = try bj.node.createMatter(draft(1))
        let requester = Requester(court: bj.node.identity.court, node: bj.node.identity.node)
        let batch = try await bj.node.replica.changes(
            after: 0, for: ChangeSelection(court: nil, excludingNode: nil), maxEvents: 10, maxBytes: 1 << 20)
        let valid = try ChangeSetCodec.encode(
            ChangeSet(
                senderCourt: bj.node.identity.court, senderNode: bj.node.identity.node, createdAt: bj.node.time.now(),
                throughSequence: 1, events: batch.events))
        var flipped = valid
        flipped[flipped.count - 3] ^= 0x40
        let impostor = Requester(court: try CourtCode("粤0106"), node: try NodeID("粤0106.x"))
        let cases: [([UInt8], Requester, String)] = [
            (Array("hello".utf8), requester, "badMagic"),
            (Array(valid.prefix(valid.count - 5)), requester, "truncated"),
            (flipped, requester, "checksumMismatch"),
            (valid + [0], requester, "trailingBytes"),
            (valid, impostor, "senderMismatch"),
        ]
        for (body, from, code) in cases {
            await #expect {
                try await hub.responder.push(from: from, body: body)
            } throws: { ($0 as? SyncError)?.code == code }
        }
        #expect(try hub.node.replica.eventCount() == 0)
        #expect(try hub.node.replica.quarantineCount() == 0)
    }
}

/// Delivers pushes but loses the acknowledgement, as a connection cut after the receiver stored.
private struct LosingAcknowledgements: SyncTransport {
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

    func hello(_ request: HelloRequest) async throws -> HelloResponse { try await inner.hello(request) }

    func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        try await inner.pull(after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes)
    }

    func push(_ changeSet: [UInt8], directoryVersion: Int) async throws -> PushReceipt {
        _ = try await inner.push(changeSet, directoryVersion: directoryVersion)
        throw SyncError(code: "unreachable", status: 0, "connection reset after the body was sent")
    }

    func directory() async throws -> SignedDirectory { try await inner.directory() }
}
