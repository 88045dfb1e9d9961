import Entrustment
import Foundation
import Logging
import Node
import Replica
import SyncProtocol
import Synchronization

/// One link from this node to a remote node (the hub or a peer court): the handshake, one pull
/// round and one push round, each recorded in the link's row of the `links` table.
///
/// Cursors advance only in the transaction that stores what they cover: a pulled set and the
/// pull cursor commit together; the push cursor moves only after the remote acknowledged storing.
public final class LinkSynchronizer: Sendable {
    /// The remote court (`最高法` for the hub).
    public let court: CourtCode
    /// The remote's URLs (several for a hub running as several processes) and the one in use.
    public let endpoints: FailoverTransport
    private let node: CourtNode
    private let config: NodeConfig
    private let transport: any SyncTransport
    /// The ``FailoverTransport/generation`` the last handshake verified: a round on another URL
    /// handshakes first.
    private let verifiedGeneration = Atomic<Int>(-1)
    private let notifier: ChangeNotifier?
    private let logger: Logger
    /// The link's document transfers, run after its event rounds.
    public let documents: DocumentSynchronizer
    /// Set when an attestation of this link's hub failed its check: the link asks for no more.
    private let attestationRefused = Atomic<Bool>(false)
    /// While catching up: the next pull, sent as soon as an answer said more follows, so that
    /// the remote reads and sends it while this node stores the previous one.
    private let ahead = Mutex<AheadPull?>(nil)
    /// The protocol version the last handshake agreed (0 before the first).
    private let negotiatedVersion = Atomic<Int>(0)

    /// A pull sent ahead: the cursor it asked after, whether it asked for an attestation and for
    /// this node's own events, and its answer to come.
    private struct AheadPull {
        var after: Int64
        var attested: Bool
        var echo: Bool
        var answer: Task<PulledChanges, any Error>
    }

    /// A link over one URL.
    public convenience init(
        court: CourtCode, url: String, node: CourtNode, config: NodeConfig, transport: any SyncTransport,
        notifier: ChangeNotifier?, logger: Logger
    ) {
        self.init(
            court: court, endpoints: [FailoverTransport.Endpoint(url: url, transport: transport)], node: node,
            config: config, notifier: notifier, logger: logger)
    }

    /// A link over several URLs of one remote, in order of preference.
    public init(
        court: CourtCode, endpoints: [FailoverTransport.Endpoint], node: CourtNode, config: NodeConfig,
        notifier: ChangeNotifier?, logger: Logger
    ) {
        self.court = court
        self.endpoints = FailoverTransport(endpoints: endpoints, failbackSeconds: config.sync.failbackSeconds)
        self.node = node
        self.config = config
        self.transport = self.endpoints
        self.notifier = notifier
        var logger = logger
        logger[metadataKey: "link"] = "\(court)"
        self.logger = logger
        documents = DocumentSynchronizer(
            remote: court, node: node, limits: config.limits.documentLimits, transport: transport, logger: logger)
    }

    deinit { ahead.withLock { $0?.answer.cancel() } }

    /// The URL in use.
    public var url: String { endpoints.url }

    /// Whether an operator's `--peer` names this link: its court code or one of its URLs.
    public func isNamed(by peer: String) -> Bool {
        court.rawValue == peer || endpoints.endpoints.contains { $0.url == peer }
    }

    /// After a round begun at `generation` (``FailoverTransport/generation``) failed: moves to
    /// the remote's next URL if that one could not be reached and there is another (the next
    /// round handshakes there). Returns whether the link is on another URL now.
    @discardableResult
    public func failOver(after error: any Error, at generation: Int) -> Bool {
        let from = url
        let before = endpoints.generation
        guard endpoints.failOver(after: error, at: generation) else { return false }
        if endpoints.generation != before {
            logger.warning(
                "cannot reach the remote at this URL: moving to its next",
                metadata: ["from": "\(from)", "to": "\(url)"])
        }
        return true
    }

    /// Moves back to the remote's first URL once the link has been on another long enough
    /// (`sync.failbackSeconds`). Returns whether it moved.
    @discardableResult
    public func failBackIfDue() -> Bool {
        guard endpoints.failBackIfDue() else { return false }
        logger.notice("trying the remote's first URL again", metadata: ["url": "\(url)"])
        return true
    }

    /// Handshakes if the link moved to another URL since the last handshake.
    private func handshakeIfMoved() async throws {
        if verifiedGeneration.load(ordering: .relaxed) != endpoints.generation { try await handshake() }
    }

    /// Says hello and checks the answer: the remote is the court this link is for, chose a
    /// version this node offered, and named a valid node id. Stores nothing.
    private func greet() async throws -> (HelloResponse, NodeID) {
        let identity = node.identity
        let spoken = ProtocolVersion.spoken(pinnedTo: config.sync.protocolVersion)
        let response = try await transport.hello(
            HelloRequest(
                versions: spoken, court: identity.court.rawValue, node: identity.node.rawValue,
                role: config.role.rawValue, software: SyncWire.software))
        guard response.court == court.rawValue else {
            throw SyncError(
                code: "wrongPeer", status: 0,
                "\(url) is the node of \(response.court), but this link is configured for \(court)")
        }
        guard spoken.contains(response.version) else {
            throw SyncError(
                code: "badResponse", status: 0,
                "\(url) chose protocol version \(response.version), which this node did not offer (\(spoken))")
        }
        guard SyncWire.isValidSoftware(response.software),
            response.restore.map({ $0.count == 32 && Hex.decode($0) != nil }) ?? true
        else {
            throw SyncError(code: "badResponse", status: 0, "\(url) sent a malformed hello (software or restore)")
        }
        do {
            return (response, try NodeID(response.node))
        } catch {
            throw SyncError(code: "badResponse", status: 0, "\(url) sent an invalid node id")
        }
    }

    /// A hello that stores nothing (`courtsync doctor`): the answer, and when it was sent and
    /// received by this node's clock.
    public func probe() async throws -> (hello: HelloResponse, sent: Timestamp, received: Timestamp) {
        let sent = node.wallClock.now()
        let (hello, _) = try await greet()
        return (hello, sent, node.wallClock.now())
    }

    /// Says hello, checks that the remote is the court this link is for, and restarts both
    /// cursors if the remote is a different node than last time.
    @discardableResult
    public func handshake() async throws -> HelloResponse {
        let generation = endpoints.generation
        let (response, remote) = try await greet()
        // Once per change of version (the pull and push loops both handshake).
        let previous = negotiatedVersion.exchange(response.version, ordering: .relaxed)
        if response.version < ProtocolVersion.spoken(pinnedTo: config.sync.protocolVersion).max()!,
            previous != response.version
        {
            logger.notice(
                "the remote speaks an older protocol version: this link uses it until the remote is upgraded",
                metadata: ["version": "\(response.version)", "software": "\(response.software)"])
        }
        let now = node.time.now()
        if let remoteTime = try? Timestamp(rfc3339: response.time),
            abs(remoteTime.milliseconds - now.milliseconds) > 300_000
        {
            logger.warning(
                "the remote clock differs from this node's by more than 5 minutes",
                metadata: ["remote": "\(response.time)", "local": "\(now.rfc3339)"])
        }
        let court = self.court
        let url = self.url
        let head = response.head
        let logger = self.logger
        try await Blocking.run { [node] in
            try node.replica.updateLink(court, url: url) { state in
                if let restart = Self.adopt(response, from: remote, into: &state) { logger.notice("\(restart)") }
                state.remoteHead = head
            }
        }
        try await refreshDirectory(remoteVersion: response.directoryVersion)
        verifiedGeneration.store(generation, ordering: .relaxed)
        return response
    }

    /// What a hello means for a link's cursors (`Protocol/sync.md` §1), applied to `state`: a
    /// different remote node restarts both at 0; a restore id not seen before (the remote was
    /// restored from a backup since this node last knew it, or before it knew to ask) restarts
    /// the push cursor, since what the remote acknowledged since may be lost — it keeps what it
    /// lacks of what is offered again. Returns why, when a cursor restarted on a known remote.
    public static func adopt(_ hello: HelloResponse, from remote: NodeID, into state: inout LinkState) -> String? {
        var restart: String?
        if state.remoteNode != remote {
            if let was = state.remoteNode {
                restart = "the remote is a new node (was \(was), now \(remote)): both cursors start again from 0"
            }
            state.remoteNode = remote
            state.pulledThrough = 0
            state.pushedThrough = 0
            state.remoteRestore = hello.restore
        } else if let restore = hello.restore, restore != state.remoteRestore {
            restart = "the remote was restored from a backup (restore \(restore)): this node sends it everything again"
            state.pushedThrough = 0
            state.remoteRestore = restore
        }
        return restart
    }

    /// What a dry run (``SyncPreview``) takes from the remote: the handshake and every change set
    /// a pull round would receive now, decoded and checked as a pull checks them, with the
    /// cursors the round would start from. Nothing is written here; at the remote, a pull is
    /// what it always is (the hub witnesses a delivery it answers with, as it would for the sync).
    public struct Fetched: Sendable {
        public var hello: HelloResponse
        /// The link's cursors as the round would use them (0 where the remote is a new node; the
        /// push cursor 0 where it was restored from a backup).
        public var pulledThrough: Int64
        public var pushedThrough: Int64
        /// The remote node the cursors belong to.
        public var remoteNode: NodeID
        /// Why the round would restart a cursor, if it would (a new remote node, a restored one).
        public var cursorsRestart: String?
        /// The sets, in order, with their compressed size.
        public var sets: [(set: ChangeSet, bytes: Int)]
        /// Whether more remained than a dry run reads (``previewLimit`` sets).
        public var truncated: Bool
    }

    /// The most change sets a dry run reads from one remote, and the most bytes of records.
    public static let previewLimit = 200
    static let previewBytes = 64 << 20

    /// Says hello and reads what the next pull round would receive, storing nothing.
    public func fetchForPreview() async throws -> Fetched {
        let (hello, remote) = try await greet()
        var state = try await linkState()
        let restart = Self.adopt(hello, from: remote, into: &state)
        let echo = state.recovering && hello.version >= 2
        var sets: [(set: ChangeSet, bytes: Int)] = []
        var cursor = state.pulledThrough
        var truncated = false
        var payload = 0
        while true {
            guard sets.count < Self.previewLimit, payload < Self.previewBytes else {
                truncated = true
                break
            }
            let pulled = try await transport.pull(
                after: cursor, wait: 0, maxEvents: config.limits.maxEventsPerSet,
                maxBytes: config.limits.maxBytesPerSet, attested: false, echo: echo)
            let set = try decode(pulled, from: remote)
            let through = Int64(set.throughSequence)
            if !set.events.isEmpty || !set.witnesses.isEmpty { sets.append((set, pulled.body.count)) }
            payload += set.events.reduce(0) { $0 + $1.encoded.count }
            guard through < pulled.head, through > cursor else { break }
            cursor = through
        }
        return Fetched(
            hello: hello, pulledThrough: state.pulledThrough, pushedThrough: state.pushedThrough, remoteNode: remote,
            cursorsRestart: restart, sets: sets, truncated: truncated)
    }

    /// Fetches and installs the remote's signed court directory if it is newer than the one
    /// installed here. Any node may relay it: it is verified against the pinned hub key.
    public func refreshDirectory(remoteVersion: Int) async throws {
        let local = try await Blocking.run { [node] in try node.directoryVersion() }
        guard remoteVersion > local else { return }
        let document = try await transport.directory()
        let result = try await Blocking.run { [node] in try node.install(document) }
        if result.installed {
            logger.notice("installed the signed court directory", metadata: ["version": "\(result.version)"])
            await notifier?.changed()
        }
    }

    /// One pull: asks for the changes after the pull cursor (waiting up to `wait` seconds at the
    /// remote), stores them and the new cursor in one transaction. Returns what moved and
    /// whether the remote holds more.
    public func pullRound(wait: Double) async throws -> (stats: TransferStats, hasMore: Bool) {
        try await handshakeIfMoved()
        let state = try await linkState()
        guard let remoteNode = state.remoteNode else {
            throw SyncError(code: "noHandshake", status: 0, "pull before handshake on the link to \(court)")
        }
        let attest = try await wantsAttestation(state)
        // Restored from a backup: ask for this node's own events too, which the backup may lack
        // (a remote of protocol 1 cannot send them: the link then catches up without them).
        let echo = state.recovering && negotiatedVersion.load(ordering: .relaxed) >= 2
        let pulled: PulledChanges
        do {
            if wait == 0, let sent = takeAhead(after: state.pulledThrough, attested: attest, echo: echo) {
                pulled = try await sent.value
            } else {
                pulled = try await transport.pull(
                    after: state.pulledThrough, wait: state.recovering ? 0 : wait,
                    maxEvents: config.limits.maxEventsPerSet, maxBytes: config.limits.maxBytesPerSet, attested: attest,
                    echo: echo)
            }
        } catch let error as SyncError where error.code == "badAttestation" {
            // An unreadable attestation header: ask for none again, or the link would stall on it.
            throw refuseAttestations(error.message)
        }
        try await refreshDirectory(remoteVersion: pulled.directoryVersion)
        let set = try decode(pulled, from: remoteNode)
        let through = Int64(set.throughSequence)
        if through < pulled.head, through > state.pulledThrough {
            // More follows: ask for it now, while this answer is stored.
            sendAhead(
                after: through, attested: attest && pulled.head - through > Int64(config.limits.maxEventsPerSet),
                echo: echo)
        }
        let now = node.time.now()
        let ownCourt = node.identity.court
        let clockAhead = Int64(config.limits.maxClockAheadSeconds) * 1000
        let maxQuarantined = config.limits.maxQuarantinedPerSource
        let source = court.rawValue
        let bytes = pulled.body.count
        let head = pulled.head
        let attested = try attest ? attestedPull(pulled.attestation, after: state.pulledThrough, through: through) : nil
        let report: ReplicaTransaction.AppendReport
        let recovered: Bool
        do {
            // An attested batch is checked by its one signature in the transaction; anything else
            // has its signatures verified first, on every core (CPU work, off the cooperative pool).
            let replica = node.replica
            let prepared =
                attested == nil ? try await Blocking.run { try replica.prepare(set.events, now: now) } : .none
            (report, recovered) = try await replica.write { [court, url] tx in
                let report = try tx.receive(
                    set.events, witnesses: set.witnesses, from: set.senderNode, source: source, now: now,
                    visibleTo: ownCourt, maxClockAhead: clockAhead, maxQuarantinedPerSource: maxQuarantined,
                    prepared: prepared, attested: attested)
                var state = try tx.link(court) ?? LinkState(court: court, url: url)
                if state.remoteNode == set.senderNode { state.pulledThrough = max(state.pulledThrough, through) }
                state.remoteHead = max(head, through)
                let recovered = state.recovering && through >= head
                if recovered { state.recovering = false }
                state.eventsIn += Int64(report.stored)
                state.bytesIn += Int64(bytes)
                state.lastSuccessAt = now
                state.lastAttemptAt = now
                state.failures = 0
                try tx.saveLink(state)
                if !set.events.isEmpty { CrashPoint.pullApplied.reached() }
                return (report, recovered)
            }
        } catch let error as ReplicaError where error.code == .badAttestation {
            throw refuseAttestations(error.message)
        }
        if !set.events.isEmpty { CrashPoint.pullCommitted.reached() }
        if recovered {
            logger.notice(
                echo
                    ? "caught up after the restore: this node's own events since the backup are back"
                    : "caught up after the restore, but the remote speaks protocol 1 and could not send back this node's own events",
                metadata: ["through": "\(through)"])
        }
        SyncMetrics.stored(report, via: "pull", bytes: bytes)
        for refusal in report.refused where set.witnesses.contains(where: { $0.event == refusal.event }) {
            logger.error(
                "refused a witness",
                metadata: ["event": "\(refusal.event.hex.prefix(12))", "reason": "\(refusal.reason)"])
        }
        if report.notVisible > 0 {
            logger.warning(
                "refused events of matters this court may not hold", metadata: ["count": "\(report.notVisible)"])
        }
        if report.stored > 0 || report.witnessesStored > 0 {
            await notifier?.changed(concerning: report.concernedCourts)
            logger.info(
                "pulled",
                metadata: [
                    "stored": "\(report.stored)", "duplicates": "\(report.duplicates)",
                    "quarantined": "\(report.quarantined.count)", "through": "\(through)", "bytes": "\(bytes)",
                ])
        }
        var stats = TransferStats()
        stats.setsReceived = 1
        stats.eventsReceived = set.events.count
        stats.eventsStored = report.stored
        stats.duplicates = report.duplicates
        stats.quarantined = report.quarantined.count
        stats.refused = report.refused.count
        for refusal in report.refused {
            logger.warning(
                "refused a pulled event",
                metadata: [
                    "event": "\(refusal.event.hex.prefix(12))", "code": "\(refusal.code)",
                    "reason": "\(refusal.reason)",
                ])
        }
        stats.bytesReceived = bytes
        stats.payloadBytesReceived = set.events.reduce(0) { $0 + $1.encoded.count }
        return (stats, through < head)
    }

    /// A pull answer's change set, decoded within this node's limits and checked to come from the
    /// remote node the handshake named.
    private func decode(_ pulled: PulledChanges, from remote: NodeID) throws -> ChangeSet {
        let set = try ChangeSetCodec.decode(
            pulled.body, suite: node.suite, limits: .network(maxBodyBytes: config.limits.maxBodyBytes))
        guard set.senderCourt == court, set.senderNode == remote else {
            throw SyncError(
                code: "wrongPeer", status: 0,
                "the change set from \(url) was made by \(set.senderNode), not \(remote): handshake again")
        }
        return set
    }

    /// Sends the pull after `after` ahead of its round (replacing any other sent ahead).
    private func sendAhead(after: Int64, attested: Bool, echo: Bool) {
        let transport = self.transport
        let limits = config.limits
        let answer = Task {
            try await transport.pull(
                after: after, wait: 0, maxEvents: limits.maxEventsPerSet, maxBytes: limits.maxBytesPerSet,
                attested: attested, echo: echo)
        }
        ahead.withLock { pending in
            pending?.answer.cancel()
            pending = AheadPull(after: after, attested: attested, echo: echo, answer: answer)
        }
    }

    /// The pull sent ahead for this cursor and attestation wish, if any; any other is dropped (the
    /// cursor did not move as expected: a failed store, a new remote node).
    private func takeAhead(after: Int64, attested: Bool, echo: Bool) -> Task<PulledChanges, any Error>? {
        ahead.withLock { pending in
            defer { pending = nil }
            guard let sent = pending, sent.after == after, sent.attested == attested, sent.echo == echo else {
                pending?.answer.cancel()
                return nil
            }
            return sent.answer
        }
    }

    /// Whether to ask the hub to attest the next pull (`Protocol/sync.md` §4.3.1): only on the
    /// link to the hub, only far behind (more than a set's worth of the hub's head), and never
    /// again once an attestation failed its check or an attested event its re-check.
    private func wantsAttestation(_ state: LinkState) async throws -> Bool {
        guard court == .supreme, !attestationRefused.load(ordering: .relaxed),
            state.remoteHead - state.pulledThrough > Int64(config.limits.maxEventsPerSet)
        else { return false }
        return try await !Blocking.run { [node] in try node.replica.attestationsDistrusted() }
    }

    /// The pull answer's attestation, decoded, with what it must cover; `nil` when the hub gave
    /// none (it may be of an earlier version, or the answer empty).
    private func attestedPull(_ bytes: [UInt8]?, after: Int64, through: Int64) throws -> AttestedPull? {
        guard let bytes else { return nil }
        do {
            return AttestedPull(
                attestation: try BatchAttestation(decodingSigned: bytes), requester: node.identity.node, after: after,
                through: through)
        } catch {
            throw refuseAttestations(error.message)
        }
    }

    /// Stops asking for attestations on this link and says why: a hub's attestation that does not
    /// hold is a lie or an alteration in transit; from now on every signature is checked here.
    private func refuseAttestations(_ reason: String) -> SyncError {
        attestationRefused.store(true, ordering: .relaxed)
        logger.error(
            "refused the hub's batch attestation: nothing of the answer was stored; this link now verifies every event itself",
            metadata: ["reason": "\(reason)"])
        return SyncError(code: "badAttestation", status: 0, reason)
    }

    /// One push: sends the next batch of this node's events the remote has not acknowledged and
    /// may see, and moves the push cursor to what the remote acknowledged. Returns what moved and
    /// whether more remain.
    public func pushRound() async throws -> (stats: TransferStats, hasMore: Bool) {
        try await handshakeIfMoved()
        let state = try await linkState()
        guard let remoteNode = state.remoteNode else {
            throw SyncError(code: "noHandshake", status: 0, "push before handshake on the link to \(court)")
        }
        let selection = ChangeSelection(court: court, excludingNode: remoteNode)
        let after = state.pushedThrough
        let limits = config.limits
        let batch = try await Blocking.run { [node] in
            try node.replica.changes(
                after: after, for: selection, maxEvents: limits.maxEventsPerSet, maxBytes: limits.maxBytesPerSet)
        }
        var stats = TransferStats()
        let now = node.time.now()
        guard !batch.isEmpty else {
            if batch.through > after {
                try await recordPush(through: batch.through, stored: 0, bytes: 0, witnesses: [], now: now)
            }
            return (stats, false)
        }
        let identity = node.identity
        let body = try ChangeSetCodec.encode(
            ChangeSet(
                suite: node.suite, senderCourt: identity.court, senderNode: identity.node, createdAt: now,
                throughSequence: UInt64(batch.through), events: batch.events, witnesses: batch.witnesses))
        CrashPoint.pushEncoded.reached()
        let directoryVersion = try await Blocking.run { [node] in try node.directoryVersion() }
        let receipt = try await transport.push(body, directoryVersion: directoryVersion)
        guard receipt.acknowledged == batch.through else {
            throw SyncError(
                code: "badResponse", status: 200,
                "\(url) acknowledged sequence \(receipt.acknowledged), not the \(batch.through) it was sent")
        }
        CrashPoint.pushAcknowledged.reached()
        SyncMetrics.sent(bytes: body.count)
        try await recordPush(
            through: receipt.acknowledged, stored: receipt.stored, bytes: body.count,
            witnesses: receipt.decodedWitnesses,
            from: remoteNode, now: now)
        if !receipt.refused.isEmpty {
            logger.error(
                "the remote refused events",
                metadata: [
                    "count": "\(receipt.refused.count)",
                    "first": "\(receipt.refused[0].event.prefix(12)): \(receipt.refused[0].reason)",
                ])
        }
        if !receipt.quarantined.isEmpty {
            logger.warning(
                "the remote quarantined events",
                metadata: [
                    "count": "\(receipt.quarantined.count)",
                    "first": "\(receipt.quarantined[0].event.prefix(12)): \(receipt.quarantined[0].reason)",
                ])
        }
        logger.debug(
            "pushed",
            metadata: ["events": "\(batch.events.count)", "stored": "\(receipt.stored)", "bytes": "\(body.count)"])
        stats.setsSent = 1
        stats.eventsSent = batch.events.count
        stats.duplicates = receipt.duplicates
        stats.quarantined = receipt.quarantined.count
        stats.refused = receipt.refused.count
        stats.bytesSent = body.count
        stats.payloadBytesSent = batch.payloadBytes
        return (stats, batch.hasMore)
    }

    /// Records a failed attempt on the link (message and time; the failure count goes up).
    public func recordFailure(_ error: any Error) async {
        let now = node.time.now()
        let message = (error as? SyncError)?.message ?? "\(error)"
        _ = try? await Blocking.run { [node, court, url] in
            try node.replica.updateLink(court, url: url) { state in
                state.lastAttemptAt = now
                state.lastErrorAt = now
                state.lastError = message
                state.failures += 1
            }
        }
    }

    /// Moves the push cursor to what the remote acknowledged and stores the witnesses its receipt
    /// carried, in one transaction.
    private func recordPush(
        through: Int64, stored: Int, bytes: Int, witnesses: [Witness], from remote: NodeID? = nil, now: Timestamp
    ) async throws {
        let ownCourt = node.identity.court
        try await Blocking.run { [node, court, url] in
            try node.replica.updateLink(
                court, url: url, witnesses: witnesses, from: remote, now: now, visibleTo: ownCourt
            ) {
                state in
                state.pushedThrough = max(state.pushedThrough, through)
                state.eventsOut += Int64(stored)
                state.bytesOut += Int64(bytes)
                state.lastAttemptAt = now
                if bytes > 0 {
                    state.lastSuccessAt = now
                    state.failures = 0
                }
            }
        }
    }

    private func linkState() async throws -> LinkState {
        try await Blocking.run { [node, court, url] in
            try node.replica.links().first { $0.court == court } ?? LinkState(court: court, url: url)
        }
    }
}
