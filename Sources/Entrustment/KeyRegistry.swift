/// The nodes a replica knows, by node id, from the hub-signed court directory: who may sign
/// events and requests, and for which court.
public struct KeyRegistry: Sendable {
    private struct Entry: Sendable {
        var node: RegisteredNode
        var key: VerifyingKey
        var revokedAt: Timestamp?
    }

    private let entries: [NodeID: Entry]
    /// The network's suite: every key is of it.
    public let suite: SignatureSuite

    /// The registry of `nodes`, whose keys are of `suite`; entries with an unreadable key or date
    /// are refused.
    public init(_ nodes: [RegisteredNode], suite: SignatureSuite) throws(DomainError) {
        var entries: [NodeID: Entry] = [:]
        for node in nodes {
            guard entries[node.node] == nil else {
                throw DomainError(.invalidDirectory, "the directory lists node \(node.node) twice")
            }
            let revokedAt = try node.revokedAt.map { text throws(DomainError) in try Timestamp(rfc3339: text) }
            guard node.status != .revoked || revokedAt != nil else {
                throw DomainError(.invalidDirectory, "node \(node.node) is revoked without a revocation time")
            }
            entries[node.node] = Entry(
                node: node, key: try VerifyingKey(hex: node.publicKey, suite: suite), revokedAt: revokedAt)
        }
        self.entries = entries
        self.suite = suite
    }

    /// The node's entry, if listed.
    public subscript(node: NodeID) -> RegisteredNode? { entries[node]?.node }

    /// Every node, ordered by court then node id.
    public var nodes: [RegisteredNode] {
        entries.values.map(\.node).sorted { ($0.court, $0.node) < ($1.court, $1.node) }
    }

    /// Checks that `event` carries a valid signature of its origin node, that the node serves
    /// the event's author court, and that the node's key was valid when the event was recorded:
    /// approved, or revoked only after the event's clock time (revocation never rewrites history).
    public func verify(_ event: Event) throws(DomainError) {
        let (key, signature) = try authorize(event)
        guard SignaturePurpose.event.isValid(signature, of: event.id.bytes, by: key) else {
            throw DomainError(
                .badSignature, "event \(event.id.hex.prefix(12)): the signature of node \(event.origin) does not verify"
            )
        }
    }

    /// Everything ``verify(_:)`` checks but the signature itself: the event is signed, its node
    /// is listed, serves its author court and held a valid key when the event was recorded.
    /// Returns that key and the signature, for a check now or later (an attested batch,
    /// ``BatchAttestation``).
    @discardableResult
    public func authorize(_ event: Event) throws(DomainError) -> (
        key: VerifyingKey, signature: [UInt8]
    ) {
        let id = event.id.hex.prefix(12)
        guard let signature = event.signature else {
            throw DomainError(.badSignature, "event \(id) is not signed")
        }
        guard let entry = entries[event.origin] else {
            throw DomainError(
                .unknownKey,
                "event \(id) was recorded by node \(event.origin), which the court directory does not list (not registered, or this node's directory is older)"
            )
        }
        guard entry.node.court == event.author else {
            throw DomainError(
                .forbiddenRole,
                "event \(id) claims court \(event.author), but node \(event.origin) serves \(entry.node.court)")
        }
        switch entry.node.status {
        case .approved:
            break
        case .revoked:
            guard let revokedAt = entry.revokedAt, event.recordedAt < revokedAt else {
                throw DomainError(
                    .revokedKey,
                    "event \(id) is dated \(event.recordedAt.rfc3339), after node \(event.origin)'s key was revoked (\(entry.node.revokedAt ?? ""))"
                )
            }
        case .pending, .rejected:
            throw DomainError(
                .unknownKey, "event \(id): node \(event.origin) is \(entry.node.status.chineseName), not approved")
        }
        return (entry.key, signature)
    }

    /// Checks that `node` may make requests now, as a node of `court`; returns its public key.
    public func authenticate(node: NodeID, court: CourtCode) throws(DomainError) -> VerifyingKey {
        guard let entry = entries[node] else {
            throw DomainError(
                .unknownKey,
                "node \(node) is not registered: run `courtsync register` on it and have hub staff approve it")
        }
        guard entry.node.court == court else {
            throw DomainError(.forbiddenRole, "node \(node) serves \(entry.node.court), not \(court)")
        }
        switch entry.node.status {
        case .approved:
            return entry.key
        case .pending:
            throw DomainError(.unknownKey, "node \(node) is waiting for hub staff to approve its registration (待审核)")
        case .rejected:
            throw DomainError(.revokedKey, "node \(node)'s registration was rejected by hub staff (已拒绝)")
        case .revoked:
            throw DomainError(
                .revokedKey, "node \(node)'s key was revoked by hub staff at \(entry.node.revokedAt ?? "") (已吊销)")
        }
    }
}
