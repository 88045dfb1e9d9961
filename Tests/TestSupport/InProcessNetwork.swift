import Entrustment
import Foundation
import Logging
import Node
import PostgresStore
import Replica
import SyncEngine

/// Several real nodes (real SQLite replicas in temporary folders, the shipped court directory)
/// in one process, linked by ``LocalTransport`` to each other's real ``SyncResponder``.
public final class InProcessNetwork: @unchecked Sendable {
    /// One node of the network.
    public struct Member: Sendable {
        public let node: CourtNode
        public let config: NodeConfig
        public let notifier: ChangeNotifier
        public let responder: SyncResponder
    }

    public let folder: TemporaryDirectory
    public private(set) var members: [String: Member] = [:]
    private let logger: Logger
    /// The hub's PostgreSQL database, when the suites run with the hub there
    /// (``TestDatabase/hubOnPostgres``).
    private var hubStore: PostgresLocation?

    /// The network's signature suite.
    public let suite: SignatureSuite

    /// An empty network of `suite`.
    public init(suite: SignatureSuite = .ed25519) throws {
        self.suite = suite
        folder = try TemporaryDirectory()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        self.logger = logger
    }

    /// Adds a node for `court` (`最高法` makes the hub) with the given limits. A court's node
    /// pins the hub's key (the hub is added first if it is not there yet), registers, and (with
    /// `approve`) is approved by the hub, whose new signed directory every member then installs.
    /// Nodes read the time from `time` (the hub, added first, from the same source).
    @discardableResult
    public func add(
        _ court: String, limits: NodeConfig.Limits = NodeConfig.Limits(), approve: Bool = true,
        time: any TimeSource = SystemTimeSource()
    ) throws -> Member {
        let reference = try ReferenceData(folder: Fixtures.nodesFolder)
        let isHub = court == CourtCode.supreme.rawValue
        if isHub, let existing = members[court] { return existing }
        if !isHub, members[CourtCode.supreme.rawValue] == nil { try add(CourtCode.supreme.rawValue, time: time) }
        let node = try CourtNode.initialise(
            dataDirectory: folder.path(court), court: court, reference: reference,
            hubTrust: isHub ? nil : .pinned(hub.node.publicKey), suite: suite, time: time)
        if isHub, TestDatabase.hubOnPostgres {
            let location = try TestDatabase.create()
            hubStore = location
            let moved = try node.moveToStore(SharedStoreBinding(location: location.description, passwordFile: nil))
            guard moved.verified else { throw DaemonError(message: "the hub's move to \(location) did not verify") }
        }
        let config = NodeConfig(
            role: court == CourtCode.supreme.rawValue ? .hub : .court, court: court, limits: limits)
        let notifier = ChangeNotifier()
        let member = Member(
            node: node, config: config, notifier: notifier,
            responder: SyncResponder(node: node, config: config, notifier: notifier, logger: logger))
        members[court] = member
        if !isHub {
            _ = try hub.node.receiveRegistration(node.registrationRequest())
            if approve { try decide(.approve, court) }
        }
        return member
    }

    /// Another process of the hub, on the node already initialised in `dataDirectory` (a copy
    /// of the hub's, bound to the same shared store), with a responder of its own; named `name`
    /// for ``link(_:to:)`` and ``sync(_:with:)``.
    @discardableResult
    public func addHubProcess(_ name: String, dataDirectory: URL) throws -> Member {
        let node = try CourtNode(dataDirectory: dataDirectory, time: hub.node.time)
        let notifier = ChangeNotifier()
        let member = Member(
            node: node, config: hub.config, notifier: notifier,
            responder: SyncResponder(node: node, config: hub.config, notifier: notifier, logger: logger))
        members[name] = member
        return member
    }

    /// The hub's member.
    public var hub: Member { members[CourtCode.supreme.rawValue]! }

    /// Hub staff's decision on `court`'s node, then the new signed directory installed everywhere.
    public func decide(_ decision: RegistrationDecision, _ court: String) throws {
        _ = try hub.node.decide(decision, court: court)
        let document = try hub.node.signedDirectory()!
        for member in members.values { try member.node.install(document) }
    }

    /// The link from `from` to `to`, over the given transport (default: straight to `to`'s responder).
    public func link(_ from: String, to: String, transport: (any SyncTransport)? = nil) -> LinkSynchronizer {
        let source = members[from]!
        let target = members[to]!
        return LinkSynchronizer(
            court: target.node.identity.court, url: "local://\(to)", node: source.node, config: source.config,
            transport: transport ?? LocalTransport(to: target.responder, signer: RequestSigner(node: source.node)),
            notifier: source.notifier,
            logger: logger)
    }

    /// One operator round from `from` on its links to `to` (push until done, then pull until done).
    @discardableResult
    public func sync(_ from: String, with targets: [String]) async -> [SyncScheduler.LinkRound] {
        let source = members[from]!
        let scheduler = SyncScheduler(
            node: source.node, config: source.config, links: targets.map { link(from, to: $0) },
            notifier: source.notifier, logger: logger)
        return await scheduler.syncNow()
    }

    /// Rounds of every court with `hub` until a whole round moves nothing anywhere (no event
    /// stored or sent).
    public func settle(_ courts: [String], with hub: String) async throws {
        for _ in 0..<10 {
            var stored = 0
            for court in courts {
                for round in await sync(court, with: [hub]) {
                    guard round.ok else { throw DaemonError(message: "sync \(court): \(round.error ?? "")") }
                    stored += round.stats.eventsStored + round.stats.eventsSent
                }
            }
            if stored == 0 { return }
        }
        throw DaemonError(message: "the network did not settle in 10 rounds")
    }

    /// The (id, state, heads) of every matter a node holds, sorted: equal lists mean equal replicas.
    public func digest(_ court: String) throws -> [String] {
        try members[court]!.node.matters(MatterFilter()).map {
            "\($0.id) \($0.state.rawValue) \($0.heads.map(\.hex).sorted().joined(separator: ","))"
        }.sorted()
    }

    public func remove() {
        for member in members.values { try? member.node.close() }
        if let hubStore { TestDatabase.drop(hubStore) }
        folder.remove()
    }
}
