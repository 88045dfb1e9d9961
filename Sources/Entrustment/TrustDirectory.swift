/// The court directory as the hub signs it (`Protocol/sync.md` §2.2): every court, every node
/// registered for one with its public key and status, the hub's own key, and the reference
/// calendar (holidays and deadline rules, §2.3). A node installs a directory only if the hub key
/// it pinned at init verifies it and its version is newer.
public struct TrustDirectory: Codable, Sendable, Equatable {
    /// Raised by one for every directory the hub issues.
    public var version: Int
    /// When the hub issued it, RFC 3339.
    public var issuedAt: String
    /// The hub's node id.
    public var hubNode: NodeID
    /// The network's signature suite (`"ed25519"` or `"sm2"`); absent in directories issued
    /// before suites existed, which are `ed25519`. Writers always state it.
    public var suite: SignatureSuite?
    /// The hub's public key in hex, in the network's suite (the key every node pins).
    public var hubKey: String
    /// Every court.
    public var courts: [Court]
    /// Every node the hub has decided on (approved, rejected or revoked).
    public var nodes: [RegisteredNode]
    /// The holiday calendar and deadline rules every node computes with; absent in directories
    /// issued before the calendar was published this way.
    public var calendar: ReferenceCalendar?

    public init(
        version: Int, issuedAt: String, hubNode: NodeID, suite: SignatureSuite, hubKey: String, courts: [Court],
        nodes: [RegisteredNode], calendar: ReferenceCalendar? = nil
    ) {
        self.version = version
        self.suite = suite
        self.issuedAt = issuedAt
        self.hubNode = hubNode
        self.hubKey = hubKey
        self.courts = courts
        self.nodes = nodes
        self.calendar = calendar
    }

    /// The network's suite (`ed25519` when the directory does not state one).
    public var signatureSuite: SignatureSuite { suite ?? .ed25519 }

    /// The courts, checked as a whole.
    public func courtDirectory() throws(DomainError) -> CourtDirectory { try CourtDirectory(courts) }

    /// The nodes, checked (each node once, keys readable, every court listed).
    public func registry() throws(DomainError) -> KeyRegistry {
        let codes = Set(courts.map(\.code))
        for node in nodes where !codes.contains(node.court) {
            throw DomainError(
                .invalidDirectory, "node \(node.node) serves \(node.court), which the directory does not list")
        }
        return try KeyRegistry(nodes, suite: signatureSuite)
    }

    /// Checks the whole document before it is installed.
    public func validate() throws(DomainError) {
        guard version >= 1 else { throw DomainError(.invalidDirectory, "directory version \(version) is not positive") }
        _ = try Timestamp(rfc3339: issuedAt)
        _ = try VerifyingKey(hex: hubKey, suite: signatureSuite)
        _ = try courtDirectory()
        _ = try registry()
        try calendar?.validate()
    }
}
