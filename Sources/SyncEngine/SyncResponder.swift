import Entrustment
import Foundation
import Logging
import Node
import PostgresStore
import Replica
import SyncProtocol

/// The server side of the sync protocol (`Protocol/sync.md`), independent of any HTTP framework:
/// the daemon's routes call it, and in-process tests call it directly.
public final class SyncResponder: Sendable {
    /// A pull's answer: the encoded change set and this node's head.
    public struct PullAnswer: Sendable {
        public var body: [UInt8]
        public var head: Int64
        public var events: Int
        /// The version of this node's signed court directory.
        public var directoryVersion: Int
        /// On the hub, when asked: its signed attestation of the answer (`Protocol/sync.md` §4.3.1).
        public var attestation: [UInt8]?
    }

    private let node: CourtNode
    private let config: NodeConfig
    private let notifier: ChangeNotifier
    private let logger: Logger
    private let authenticator: RequestAuthenticator
    private let registrations: RegistrationThrottle
    private let writer: GroupCommit
    /// Document transfer (`GET`/`PUT /v1/documents/…`).
    public let documents: DocumentResponder
    /// The network's signature suite.
    public var suite: SignatureSuite { node.suite }

    /// A responder for `node`; on a hub running as several processes, `sharedNonces` is the
    /// store every process spends request nonces in.
    public init(
        node: CourtNode, config: NodeConfig, notifier: ChangeNotifier, logger: Logger,
        sharedNonces: PostgresNonces? = nil
    ) {
        self.node = node
        self.config = config
        self.notifier = notifier
        self.logger = logger
        authenticator = RequestAuthenticator(
            node: node, windowSeconds: config.limits.requestWindowSeconds,
            requestsPerNode: config.limits.requestsPerNodePerWindow, sharedNonces: sharedNonces)
        registrations = RegistrationThrottle(perMinute: config.limits.registrationsPerMinutePerAddress)
        writer = GroupCommit(
            node: node, maxClockAhead: Int64(config.limits.maxClockAheadSeconds) * 1000,
            maxQuarantined: config.limits.maxQuarantinedPerSource)
        documents = DocumentResponder(node: node, limits: config.limits.documentLimits, logger: logger)
    }

    /// Spends an authenticated request's nonce at every process of the hub (nothing to do unless
    /// the hub runs as several); a refusal is logged like ``authenticate(_:)``'s.
    public func spendShared(_ request: AuthenticatedRequest) async throws(SyncError) {
        do {
            try await authenticator.spendShared(request)
        } catch {
            SyncMetrics.refused(code: error.code)
            logger.warning(
                "refused a request",
                metadata: ["code": "\(error.code)", "node": "\(request.requester.node)", "reason": "\(error.message)"])
            throw error
        }
    }

    /// Authenticates a request from its headers alone (`Protocol/sync.md` §2); every endpoint but
    /// `POST /v1/register` calls this first, before reading any body. Refusals are logged with
    /// the caller's claimed identity.
    public func authenticate(_ request: IncomingRequest) throws(SyncError) -> AuthenticatedRequest {
        try logRefusal(of: request) { () throws(SyncError) in try authenticator.authenticate(request) }
    }

    private func logRefusal<T>(of request: IncomingRequest, _ check: () throws(SyncError) -> T) throws(SyncError) -> T {
        do {
            return try check()
        } catch {
            SyncMetrics.refused(code: error.code)
            logger.warning(
                "refused a request",
                metadata: [
                    "code": "\(error.code)", "path": "\(request.target.prefix(80))",
                    "node": "\(request.header(SyncWire.nodeHeader).flatMap(SyncWire.decodeHeader) ?? "-")",
                    "reason": "\(error.message)",
                ])
            throw error
        }
    }

    /// `GET /v1/directory`: the signed court directory this node holds.
    public func directory() async throws(SyncError) -> SignedDirectory {
        let node = self.node
        let document: SignedDirectory?
        do {
            document = try await Blocking.run { try node.signedDirectory() }
        } catch {
            throw SyncError.storage("cannot read the directory: \(error)")
        }
        guard let document else {
            throw SyncError(code: "notFound", status: 404, "this node holds no signed directory yet")
        }
        return document
    }

    /// `POST /v1/register` (the hub only, unauthenticated: the request is signed by the key it
    /// presents): records a node's registration as pending for hub staff. At most
    /// `limits.registrationsPerMinutePerAddress` a minute from one `address` (`429 tooManyRequests`).
    public func register(body: [UInt8], from address: String) async throws(SyncError) -> RegistrationReceipt {
        guard node.isHub else {
            throw SyncError(code: "notHub", status: 404, "registration is with the hub (最高法), not this node")
        }
        guard registrations.admit(address, now: node.wallClock.now().milliseconds) else {
            throw SyncError(
                code: "tooManyRequests", status: 429,
                "too many registrations from \(address) within a minute; try again later")
        }
        let request: RegistrationRequest
        do {
            request = try JSONDecoder().decode(RegistrationRequest.self, from: Data(body))
        } catch {
            throw SyncError.badRequest("the body is not a registration request")
        }
        let node = self.node
        do {
            let receipt = try await Blocking.run { try node.receiveRegistration(request) }
            logger.notice(
                "registration",
                metadata: ["court": "\(request.court)", "node": "\(request.node)", "status": "\(receipt.status)"])
            return receipt
        } catch let error as NodeError {
            let status =
                switch error.code {
                case "badSignature": 401
                case "forbiddenRole": 403
                case "storage": 500
                case "registrationConflict": 409
                case "tooManyRegistrations": 429
                default: 400
                }
            throw SyncError(code: error.code, status: status, error.message)
        } catch {
            throw SyncError.storage("\(error)")
        }
    }

    /// What this node tells callers about its limits.
    public var limits: WireLimits {
        WireLimits(
            maxEventsPerSet: config.limits.maxEventsPerSet, maxBytesPerSet: config.limits.maxBytesPerSet,
            maxBodyBytes: config.limits.maxBodyBytes, maxWaitSeconds: config.limits.maxLongPollSeconds)
    }

    /// `GET /v1/health`.
    public func health() async throws(SyncError) -> HealthReport {
        let head = headSequence()
        return HealthReport(
            status: "ok", court: node.identity.court.rawValue, node: node.identity.node.rawValue,
            role: config.role.rawValue, versions: ProtocolVersion.spoken(pinnedTo: config.sync.protocolVersion),
            head: head, time: node.time.now().rfc3339)
    }

    /// `POST /v1/hello`: picks the newest version both sides speak.
    public func hello(_ request: HelloRequest, from requester: Requester) async throws(SyncError) -> HelloResponse {
        guard request.court == requester.court.rawValue, request.node == requester.node.rawValue else {
            throw SyncError(
                code: "senderMismatch", status: 400,
                "the hello names \(request.node), but the request is signed by \(requester.node)")
        }
        guard request.versions.count <= 16 else { throw SyncError.badRequest("the hello lists more than 16 versions") }
        let version = try ProtocolVersion.negotiate(
            offered: request.versions, spoken: ProtocolVersion.spoken(pinnedTo: config.sync.protocolVersion))
        _ = try Requester.identify(court: request.court, node: request.node, directory: node.replica.directory)
        let role = requester.court == .supreme ? NodeConfig.NodeRole.hub : .court
        guard request.role == role.rawValue else {
            throw SyncError.badRequest(
                "the hello says role \(request.role), but a node of \(requester.court) is a \(role.rawValue)")
        }
        guard SyncWire.isValidSoftware(request.software) else {
            throw SyncError.badRequest(
                "the hello's software must be 1 to 64 of A-Z a-z 0-9 . _ / + - (e.g. courtsync/0.4)")
        }
        recordContact(
            requester, .hello, greeting: NodeContact.Greeting(protocolVersion: version, software: request.software))
        logger.debug(
            "hello",
            metadata: ["peer": "\(request.node)", "court": "\(request.court)", "software": "\(request.software)"])
        return HelloResponse(
            version: version, court: node.identity.court.rawValue, node: node.identity.node.rawValue,
            role: config.role.rawValue, software: SyncWire.software, time: node.time.now().rfc3339,
            head: headSequence(), limits: limits, directoryVersion: directoryVersion(),
            restore: node.replica.restoreID)
    }

    /// `GET /v1/changes`: the events after `after` that the requester may see, as a change set,
    /// waiting up to `wait` seconds (capped by the node's limit) for some to arrive. With
    /// `attested`, the hub signs an attestation of a non-empty answer (§4.3.1); other nodes ignore it.
    /// With `echo` (protocol 2), the answer also holds the requester's own events and those that
    /// arrived from it, which a pull otherwise leaves out: a node restored from a backup gets back
    /// what it had sent since.
    public func pull(
        from requester: Requester, after: Int64, wait: Double, maxEvents: Int?, maxBytes: Int?,
        attested: Bool = false, echo: Bool = false
    ) async throws(SyncError) -> PullAnswer {
        let attest = attested && node.isHub ? (requester: requester.node, after: after) : nil
        guard after >= 0 else { throw SyncError.badRequest("after must be 0 or more") }
        guard wait >= 0, wait.isFinite else { throw SyncError.badRequest("wait must be 0 or more seconds") }
        let events = min(max(1, maxEvents ?? config.limits.maxEventsPerSet), config.limits.maxEventsPerSet)
        let bytes = min(max(1, maxBytes ?? config.limits.maxBytesPerSet), config.limits.maxBytesPerSet)
        let selection = ChangeSelection(court: requester.court, excludingNode: echo ? nil : requester.node)
        recordContact(requester, .pull, pulledAfter: after)
        let deadline = Date().addingTimeInterval(min(wait, config.limits.maxLongPollSeconds))
        var cursor = after
        let replica = node.replica
        let directoryVersion = directoryVersion()
        while true {
            let seen = await notifier.version(for: requester.court)
            let from = cursor
            let batch: ChangeBatch
            let head = replica.knownHead
            if from >= head {
                // Nothing committed after the cursor: nothing to read.
                batch = .empty(after: from, head: head)
            } else {
                do {
                    batch = try await replica.changes(after: from, for: selection, maxEvents: events, maxBytes: bytes)
                } catch {
                    throw SyncError.storage("cannot read changes: \(error)")
                }
            }
            cursor = batch.through
            let remaining = deadline.timeIntervalSinceNow
            let stopping = await notifier.isShuttingDown
            if !batch.isEmpty || remaining <= 0 || stopping {
                guard try await witnessDeliveries(in: batch, to: requester) else {
                    return try encode(batch, directoryVersion: directoryVersion, attest: attest)
                }
                // The delivery witnesses just made follow in the same answer.
                let again: ChangeBatch
                do {
                    again = try await replica.changes(after: from, for: selection, maxEvents: events, maxBytes: bytes)
                } catch {
                    throw SyncError.storage("cannot read changes: \(error)")
                }
                return try encode(again, directoryVersion: directoryVersion, attest: attest)
            }
            _ = await notifier.wait(beyond: seen, seconds: remaining, court: requester.court)
            if Task.isCancelled { return try encode(batch, directoryVersion: directoryVersion, attest: attest) }
        }
    }

    /// `POST /v1/changes`: applies a pushed change set. Events this node refuses go to its
    /// quarantine or are refused; events of matters it may not hold are refused and counted.
    /// Answers only after the set is durably stored, with the hub's witnesses of its events.
    /// `senderDirectoryVersion`: the signed directory the pusher holds (its
    /// `CourtSync-Directory` header), which says whether an unknown key may yet be approved.
    public func push(
        from requester: Requester, body: [UInt8], senderDirectoryVersion: Int? = nil
    ) async throws(SyncError) -> PushReceipt {
        let set: ChangeSet
        do {
            set = try ChangeSetCodec.decode(
                body, suite: node.suite, limits: .network(maxBodyBytes: config.limits.maxBodyBytes))
        } catch {
            throw SyncError(code: error.code.rawValue, status: error.code == .tooLarge ? 413 : 400, error.message)
        }
        guard set.senderCourt == requester.court, set.senderNode == requester.node else {
            throw SyncError(
                code: "senderMismatch", status: 400,
                "the change set was made by \(set.senderNode) (\(set.senderCourt)), but the request comes from \(requester.node) (\(requester.court))"
            )
        }
        let newerDirectory = (senderDirectoryVersion ?? 0) > (directoryVersion())
        let applied = try await apply(set, source: requester.court.rawValue, newerDirectory: newerDirectory)
        SyncMetrics.stored(applied, via: "push", bytes: body.count)
        recordContact(requester, .push, pushedThrough: Int64(set.throughSequence))
        if applied.notVisible > 0 {
            logger.warning(
                "refused events of matters this court may not hold",
                metadata: ["peer": "\(requester.node)", "count": "\(applied.notVisible)"])
        }
        for refusal in applied.refused {
            logger.warning(
                "refused an event",
                metadata: [
                    "peer": "\(requester.node)", "event": "\(refusal.event.hex.prefix(12))", "code": "\(refusal.code)",
                    "reason": "\(refusal.reason)",
                ])
        }
        return PushReceipt(
            acknowledged: Int64(set.throughSequence), stored: applied.stored, duplicates: applied.duplicates,
            notVisible: applied.notVisible,
            quarantined: applied.quarantined.map {
                QuarantineNotice(event: $0.event.hex, code: $0.code, reason: $0.reason)
            },
            refused: applied.refused.map {
                QuarantineNotice(event: $0.event.hex, code: $0.code, reason: $0.reason, witness: $0.witness?.name)
            },
            witnesses: try await witnesses(of: set.events))
    }

    /// The hub's witnesses of `events` this node holds, as a push receipt carries them.
    private func witnesses(of events: [Event]) async throws(SyncError) -> [String] {
        let replica = node.replica
        let ids = events.map(\.id)
        do {
            return try await replica.witnesses(ofEvents: ids).map {
                Data($0.encoded + ($0.signature ?? [])).base64EncodedString()
            }
        } catch {
            throw SyncError.storage("cannot read witnesses: \(error)")
        }
    }

    /// On the hub: witnesses the first delivery of each `create` in `batch` to a node of its
    /// entrusted court (DESIGN §3a), before the answer goes out. Returns whether it witnessed any.
    private func witnessDeliveries(in batch: ChangeBatch, to requester: Requester) async throws(SyncError) -> Bool {
        guard node.isHub else { return false }
        let court = requester.court
        let creates = batch.events.filter {
            if case .create(let request) = $0.action { request.entrustedCourt == court } else { false }
        }
        guard !creates.isEmpty else { return false }
        let replica = node.replica
        let now = node.time.now()
        do {
            let undelivered = try await replica.undelivered(creates.map(\.id))
            let matters = creates.filter { undelivered.contains($0.id) }.map(\.matterID)
            guard !matters.isEmpty else { return false }
            let delivered = try await replica.write { tx in
                var witnessed: Set<MatterID> = []
                for matter in matters where try tx.witnessDelivery(of: matter, to: court, now: now) {
                    witnessed.insert(matter)
                }
                return try tx.concernedCourts(of: witnessed)
            }
            if !delivered.isEmpty { await notifier.changed(concerning: delivered) }
            return !delivered.isEmpty
        } catch {
            throw SyncError.storage("cannot witness the delivery: \(error)")
        }
    }

    private func apply(
        _ set: ChangeSet, source: String, newerDirectory: Bool
    ) async throws(SyncError) -> ReplicaTransaction.AppendReport {
        let replica = node.replica
        let now = node.time.now()
        let report: ReplicaTransaction.AppendReport
        do {
            // Signatures verified and witnesses signed on every core, outside the write lock;
            // then stored by the one writer, with whatever other pushes are queued.
            let prepared = try await Blocking.run { try replica.prepare(set.events, now: now) }
            report = try await writer.store(
                GroupCommit.Push(
                    set: set, source: source, newerDirectory: newerDirectory, prepared: prepared, now: now))
        } catch {
            throw SyncError.storage("cannot store the change set: \(error)")
        }
        if report.stored > 0 || report.witnessesStored > 0 {
            await notifier.changed(concerning: report.concernedCourts)
            logger.info(
                "stored pushed events",
                metadata: [
                    "from": "\(set.senderNode)", "stored": "\(report.stored)", "duplicates": "\(report.duplicates)",
                    "quarantined": "\(report.quarantined.count)",
                ])
        }
        return report
    }

    /// Notes a caller's authenticated request (``Replica/recordContact(node:court:request:at:pulledAfter:pushedThrough:)``)
    /// for the sync-latency figures: in memory, written to the file about once a second by the
    /// daemon (``Replica/flushContacts()``).
    private func recordContact(
        _ requester: Requester, _ request: NodeContact.Request, pulledAfter: Int64? = nil, pushedThrough: Int64? = nil,
        greeting: NodeContact.Greeting? = nil
    ) {
        SyncMetrics.served(request.rawValue)
        node.replica.recordContact(
            node: requester.node, court: requester.court, request: request, at: node.time.now(),
            pulledAfter: pulledAfter, pushedThrough: pushedThrough, greeting: greeting)
    }

    /// Encodes a pull answer; with `attest` (the hub, asked by `requester` after `after`) and a
    /// non-empty batch, signs its attestation: every event in it was verified when stored.
    private func encode(
        _ batch: ChangeBatch, directoryVersion: Int, attest: (requester: NodeID, after: Int64)? = nil
    ) throws(SyncError) -> PullAnswer {
        let set = ChangeSet(
            suite: node.suite, senderCourt: node.identity.court, senderNode: node.identity.node,
            createdAt: node.time.now(),
            throughSequence: UInt64(batch.through), events: batch.events, witnesses: batch.witnesses)
        var attestation: [UInt8]?
        if let attest, !batch.isEmpty {
            do {
                let unsigned = try BatchAttestation(
                    hub: node.identity.node, requester: attest.requester, after: attest.after,
                    through: batch.through, events: batch.events, witnesses: batch.witnesses, suite: node.suite)
                attestation = unsigned.withSignature(node.sign(unsigned.encoded, for: .batch)).signedBytes
            } catch {
                throw SyncError(code: "internal", status: 500, "cannot attest the change set: \(error.message)")
            }
        }
        do {
            let body = try ChangeSetCodec.encode(set)
            SyncMetrics.sent(bytes: body.count)
            return PullAnswer(
                body: body, head: batch.head, events: batch.events.count,
                directoryVersion: directoryVersion, attestation: attestation)
        } catch {
            throw SyncError(code: "internal", status: 500, "cannot encode the change set: \(error.message)")
        }
    }

    /// The signed directory's version as loaded in memory (the change watch reloads it when
    /// another process installs one).
    private func directoryVersion() -> Int { node.replica.loadedDirectoryVersion }

    /// The head as this process knows it, without reading the file.
    private func headSequence() -> Int64 { node.replica.knownHead }
}
