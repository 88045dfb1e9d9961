import Entrustment
import Foundation
import Logging
import Node
import SyncEngine
import Testing
import TestSupport

@Suite("a link over several hub URLs")
struct FailoverTransportTests {
    @Test(
        "only a remote that cannot be reached (not one that refuses) moves the link",
        arguments: [
            (SyncError(code: "unreachable", status: 0, "connection refused"), true),
            (SyncError(code: "badResponse", status: 0, "connection closed mid-answer"), true),
            (SyncError(code: "httpError", status: 502, "bad gateway"), true),
            (SyncError(code: "httpError", status: 503, "unavailable"), true),
            (SyncError(code: "httpError", status: 504, "gateway timeout"), true),
            (SyncError(code: "badResponse", status: 200, "not a change set"), false),
            (SyncError(code: "httpError", status: 500, "storage"), false),
            (SyncError(code: "unauthorized", status: 401, "bad signature"), false),
            (SyncError(code: "wrongCourt", status: 0, "another court answers"), false),
        ])
    func unreachable(error: SyncError, moves: Bool) throws {
        #expect(FailoverTransport.isUnreachable(error) == moves)
        let link = try Self.transport(urls: 2)
        #expect(link.failOver(after: error, at: link.generation) == moves)
        #expect(link.url == (moves ? "http://127.0.0.1:2" : "http://127.0.0.1:1"))
    }

    @Test("requests failing together move the link once, and it wraps round to the first URL")
    func generationGuard() throws {
        let link = try Self.transport(urls: 3)
        let down = SyncError(code: "unreachable", status: 0, "refused")
        let before = link.generation
        // Two loops whose requests both failed on the first URL.
        #expect(link.failOver(after: down, at: before))
        #expect(link.failOver(after: down, at: before))
        #expect(link.url == "http://127.0.0.1:2")
        #expect(link.generation == before + 1)
        #expect(link.failOver(after: down, at: link.generation))
        #expect(link.url == "http://127.0.0.1:3")
        #expect(link.failOver(after: down, at: link.generation))
        #expect(link.url == "http://127.0.0.1:1")
        #expect(!link.failBackIfDue(now: Date().addingTimeInterval(3_600)), "already on the first URL")
    }

    @Test("a link with one URL never moves")
    func single() throws {
        let link = try Self.transport(urls: 1)
        #expect(!link.failOver(after: SyncError(code: "unreachable", status: 0, "refused"), at: link.generation))
        #expect(link.url == "http://127.0.0.1:1")
    }

    @Test("after failbackSeconds away from the first URL, the link tries it again")
    func failBack() throws {
        let link = try Self.transport(urls: 2, failbackSeconds: 120)
        let left = Date()
        link.failOver(after: SyncError(code: "unreachable", status: 0, "refused"), at: link.generation)
        #expect(!link.failBackIfDue(now: left.addingTimeInterval(60)))
        #expect(link.url == "http://127.0.0.1:2")
        let generation = link.generation
        #expect(link.failBackIfDue(now: left.addingTimeInterval(121)))
        #expect(link.url == "http://127.0.0.1:1")
        #expect(link.generation == generation + 1, "a move makes the link handshake again")
    }

    @Test("an operator's sync reaches the hub through its second URL when the first is down, and stays there")
    func syncNowMoves() async throws {
        let net = try InProcessNetwork()
        defer { net.remove() }
        try net.add("京0105")
        let court = net.members["京0105"]!
        _ = try court.node.createMatter(
            MatterDraft(caseNumber: "（2026）京0105执1号", entrustedCourt: "粤0106", kind: "deposit:freeze"))
        let dead = "http://127.0.0.1:\(FreePort.next())"
        let tls = try ClientTLS(settings: nil, dataDirectory: net.folder.url)
        let link = LinkSynchronizer(
            court: .supreme,
            endpoints: [
                .init(
                    url: dead,
                    transport: HTTPTransport(
                        base: URL(string: dead)!, signer: RequestSigner(node: court.node), tls: tls,
                        requestTimeout: 5, maxBodyBytes: 1 << 20)),
                .init(
                    url: "local://hub",
                    transport: LocalTransport(to: net.hub.responder, signer: RequestSigner(node: court.node))),
            ],
            node: court.node, config: court.config, notifier: court.notifier, logger: Self.quiet)
        let scheduler = SyncScheduler(
            node: court.node, config: court.config, links: [link], notifier: court.notifier,
            logger: Self.quiet)
        let rounds = await scheduler.syncNow()
        #expect(rounds.count == 1)
        #expect(rounds.first?.ok == true, "\(rounds.first?.error ?? "")")
        #expect(rounds.first?.url == "local://hub")
        #expect(try net.digest("京0105") == net.digest("最高法"))
        #expect(link.url == "local://hub", "the link stays on the URL that answered")
    }

    private static let quiet: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }()

    private static func transport(urls: Int, failbackSeconds: Double = 120) throws -> FailoverTransport {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let tls = try ClientTLS(settings: nil, dataDirectory: folder.url)
        return FailoverTransport(
            endpoints: (1...urls).map { port in
                let url = "http://127.0.0.1:\(port)"
                return .init(
                    url: url,
                    transport: HTTPTransport(
                        base: URL(string: url)!, signer: nil, tls: tls, requestTimeout: 1, maxBodyBytes: 1 << 20))
            },
            failbackSeconds: failbackSeconds)
    }
}
