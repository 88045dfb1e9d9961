import Entrustment
import Foundation
import Logging
import Node
import Replica

/// Keeps every link of a node in sync while the daemon runs: per link, a pull loop (long-poll)
/// and a push loop (woken by new local events or the sync interval), each retrying with
/// exponential backoff and jitter when the remote is unreachable; a watcher for acts the CLI
/// records in the replica; and a timer that retries the quarantine.
public final class SyncScheduler: Sendable {
    /// What one operator-requested round did on one link.
    public struct LinkRound: Sendable, Codable, Equatable {
        public var court: String
        public var url: String
        public var ok: Bool
        public var error: String?
        public var stats: TransferStats
        /// What the document round after the events moved.
        public var documents: DocumentSynchronizer.Round?
        public var seconds: Double
    }

    /// The node's links.
    public let links: [LinkSynchronizer]
    private let node: CourtNode
    private let config: NodeConfig
    private let notifier: ChangeNotifier
    private let logger: Logger

    public init(
        node: CourtNode, config: NodeConfig, links: [LinkSynchronizer], notifier: ChangeNotifier, logger: Logger
    ) {
        self.node = node
        self.config = config
        self.links = links
        self.notifier = notifier
        self.logger = logger
    }

    /// Builds the links `config` names, each over HTTP, or HTTPS verified by `tls`.
    public static func httpLinks(
        node: CourtNode, config: NodeConfig, tls: ClientTLS, notifier: ChangeNotifier?, logger: Logger
    ) throws(NodeError) -> [LinkSynchronizer] {
        try config.links.map { link in
            LinkSynchronizer(
                court: link.court,
                endpoints: link.urls.map { url in
                    FailoverTransport.Endpoint(
                        url: url.absoluteString,
                        transport: HTTPTransport(
                            base: url, signer: RequestSigner(node: node), tls: tls,
                            requestTimeout: config.sync.requestTimeoutSeconds,
                            maxBodyBytes: config.limits.maxBodyBytes))
                },
                node: node, config: config, notifier: notifier, logger: logger)
        }
    }

    /// Runs until the task is cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.watchLocalChanges() }
            group.addTask { await self.retryQuarantinePeriodically() }
            group.addTask { await self.maintainPeriodically() }
            for link in links {
                group.addTask { await self.pullLoop(link) }
                group.addTask { await self.pushLoop(link) }
                group.addTask { await self.documentLoop(link) }
            }
        }
    }

    /// One round on each link (or those `matching`): handshake, push until nothing is left, pull
    /// until the remote has nothing more, then the documents. `progress` is called after every
    /// change set.
    public func syncNow(
        matching filter: ((LinkSynchronizer) -> Bool)? = nil,
        progress: @escaping @Sendable (String, TransferStats) -> Void = { _, _ in },
        documentProgress: @escaping @Sendable (String, DocumentHash, Int, Int) -> Void = { _, _, _, _ in }
    ) async -> [LinkRound] {
        var rounds: [LinkRound] = []
        for link in links where filter?(link) ?? true {
            let started = Date()
            var stats = TransferStats()
            link.failBackIfDue()
            // A remote with several URLs (the hub's processes): a round that cannot reach one
            // is run again on the next, each at most once.
            var attemptsLeft = link.endpoints.endpoints.count
            while true {
                attemptsLeft -= 1
                let generation = link.endpoints.generation
                do {
                    try await link.handshake()
                    while true {
                        let round = try await link.pushRound()
                        stats = stats + round.stats
                        if round.stats.setsSent > 0 { progress(link.court.rawValue, stats) }
                        if !round.hasMore { break }
                    }
                    while true {
                        let round = try await link.pullRound(wait: 0)
                        stats = stats + round.stats
                        if round.stats.eventsReceived > 0 { progress(link.court.rawValue, stats) }
                        if !round.hasMore { break }
                    }
                    let court = link.court.rawValue
                    let documents = try await link.documents.round { documentProgress(court, $0, $1, $2) }
                    rounds.append(
                        LinkRound(
                            court: link.court.rawValue, url: link.url, ok: true, error: nil, stats: stats,
                            documents: documents, seconds: Date().timeIntervalSince(started)))
                    break
                } catch {
                    await link.recordFailure(error)
                    if attemptsLeft > 0, link.failOver(after: error, at: generation) { continue }
                    rounds.append(
                        LinkRound(
                            court: link.court.rawValue, url: link.url, ok: false,
                            error: (error as? SyncError)?.message ?? "\(error)", stats: stats,
                            seconds: Date().timeIntervalSince(started)))
                    break
                }
            }
        }
        return rounds
    }

    private func pullLoop(_ link: LinkSynchronizer) async {
        var failures = 0
        var connected = false
        var hasMore = false
        while !Task.isCancelled {
            let generation = link.endpoints.generation
            do {
                if !connected {
                    try await link.handshake()
                    connected = true
                    if failures > 0 { logger.notice("link is back", metadata: ["link": "\(link.court)"]) }
                }
                hasMore = try await link.pullRound(wait: hasMore ? 0 : config.sync.longPollSeconds).hasMore
                failures = 0
                link.failBackIfDue()  // the next round handshakes if it moved
            } catch {
                if Task.isCancelled { return }
                failures += 1
                connected = false
                hasMore = false
                await backOff(link, after: error, at: generation, failures: failures, in: "pull")
            }
        }
    }

    private func pushLoop(_ link: LinkSynchronizer) async {
        var failures = 0
        var connected = false
        while !Task.isCancelled {
            let seen = await notifier.version
            let generation = link.endpoints.generation
            do {
                if !connected {
                    try await link.handshake()
                    connected = true
                }
                while try await link.pushRound().hasMore, !Task.isCancelled {}
                failures = 0
                _ = await notifier.wait(beyond: seen, seconds: config.sync.intervalSeconds)
            } catch {
                if Task.isCancelled { return }
                failures += 1
                connected = false
                await backOff(link, after: error, at: generation, failures: failures, in: "push")
            }
        }
    }

    /// Moves documents over the link after its events: woken by any change here (an arrival may
    /// name a new document) and on the sync interval, with its own backoff, so that a large
    /// transfer never delays the event loops.
    private func documentLoop(_ link: LinkSynchronizer) async {
        var failures = 0
        while !Task.isCancelled {
            let seen = await notifier.version
            let generation = link.endpoints.generation
            do {
                let round = try await link.documents.round()
                if round.downloaded > 0 { await notifier.changed() }
                failures = 0
                // A document the remote is still receiving is asked for again in a quarter of a
                // second, not only on the next change or interval.
                let wait = round.arriving > 0 ? min(config.sync.intervalSeconds, 0.25) : config.sync.intervalSeconds
                _ = await notifier.wait(beyond: seen, seconds: wait)
            } catch {
                if Task.isCancelled { return }
                failures += 1
                await backOff(link, after: error, at: generation, failures: failures, in: "documents")
            }
        }
    }

    /// Matters whose request for supplement lapsed become withdrawn (视为撤回) at the moment it
    /// lapsed, whatever this node was doing then: checked every few seconds. Once an hour,
    /// partial documents untouched for a week are removed.
    private func maintainPeriodically() async {
        let node = self.node
        let store = node.documentStore(limits: config.limits.documentLimits)
        var lastSweep = Date.distantPast
        while !Task.isCancelled {
            if Date().timeIntervalSince(lastSweep) > 3_600 {
                lastSweep = Date()
                let removed =
                    (try? await Blocking.run { store.removeStalePartials(olderThan: Self.stalePartialSeconds) }) ?? 0
                if removed > 0 {
                    logger.notice("abandoned partial documents removed", metadata: ["count": "\(removed)"])
                }
            }
            if let settled = try? await Blocking.run({ try node.settleLapsedSupplements() }), !settled.isEmpty {
                logger.info(
                    "requests for supplement lapsed: matters treated as withdrawn (视为撤回)",
                    metadata: ["matters": "\(settled.map(\.rawValue).joined(separator: ", "))"])
                await notifier.changed()
            }
            try? await Task.sleep(for: .milliseconds(min(5_000, Int64(config.sync.intervalSeconds * 1000))))
        }
    }

    /// How long a partial document may go untouched before it is removed: 7 days (its sender
    /// starts again from zero after that).
    static let stalePartialSeconds: Double = 7 * 86_400

    /// Records a failed round, logs it and sleeps for the backoff delay, unless the link moved
    /// to a URL of the remote not yet tried since the failures began (then it retries at once).
    private func backOff(
        _ link: LinkSynchronizer, after error: any Error, at generation: Int, failures: Int, in loop: String
    ) async {
        await link.recordFailure(error)
        if link.failOver(after: error, at: generation), failures < link.endpoints.endpoints.count { return }
        let delay = Backoff(config.sync).delay(afterFailures: failures)
        logger.warning(
            "\(loop) failed; retrying",
            metadata: [
                "link": "\(link.court)", "failures": "\(failures)", "retryIn": "\(String(format: "%.1f", delay))s",
                "error": "\(error)",
            ])
        try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
    }

    /// Acts recorded by `courtsync matter …` in another process reach the replica file, not this
    /// process: notice them by the growing arrival sequence (which also keeps the replica's
    /// ``Replica/knownHead`` current for the long-polls), and a directory installed by
    /// `courtsync hub approve` by its version (reloading the keys requests are checked with).
    /// Requests themselves never read either from the file.
    private func watchLocalChanges() async {
        let replica = node.replica
        var lastDirectory = replica.loadedDirectoryVersion
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(config.sync.localCheckMilliseconds))
            // Only a head beyond what this process committed is another process's doing; this
            // process's own commits have woken their waiters already.
            let known = replica.knownHead
            let fileHead = try? await Blocking.run { try replica.refreshKnownHead() }
            _ = try? await Blocking.run { try replica.refreshTrust() }
            let directory = replica.loadedDirectoryVersion
            if (fileHead ?? 0) > known || directory != lastDirectory {
                lastDirectory = directory
                await notifier.changed()
            }
        }
    }

    /// Events quarantined for their clock are retried on the sync interval (the others are
    /// retried when what they wait for arrives).
    private func retryQuarantinePeriodically() async {
        let replica = node.replica
        let court = node.identity.court
        let time = node.time
        let clockAhead = Int64(config.limits.maxClockAheadSeconds) * 1000
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(Int64(config.sync.intervalSeconds * 1000)))
            let stored = try? await Blocking.run {
                guard try replica.quarantineCount() > 0 else { return 0 }
                return try replica.write { tx in
                    try tx.retryQuarantinedByTime(now: time.now(), visibleTo: court, maxClockAhead: clockAhead).stored
                }
            }
            if let stored, stored > 0 {
                logger.info("quarantined events applied", metadata: ["count": "\(stored)"])
                await notifier.changed()
            }
        }
    }
}
