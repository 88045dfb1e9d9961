/// Where a node's registration with the hub stands.
public enum RegistrationStatus: String, Codable, Sendable, CaseIterable {
    /// Asked for, not yet decided by hub staff.
    case pending
    /// Approved: the node may sync, and its signatures count.
    case approved
    /// Refused by hub staff: the node is refused everywhere.
    case rejected
    /// Withdrawn after approval: refused from then on; what it signed before stays valid.
    case revoked

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .pending: "待审核"
        case .approved: "已批准"
        case .rejected: "已拒绝"
        case .revoked: "已吊销"
        }
    }
}

/// One node in the court directory: the court it serves, its Ed25519 public key, and where its
/// registration stands. The hub decides; the signed directory carries the decision to every node.
public struct RegisteredNode: Codable, Hashable, Sendable {
    /// The court the node serves.
    public var court: CourtCode
    /// The node's id.
    public var node: NodeID
    /// The node's Ed25519 public key, 64 hex digits.
    public var publicKey: String
    /// Where the registration stands.
    public var status: RegistrationStatus
    /// When the node asked to be registered (its own clock), RFC 3339.
    public var requestedAt: String
    /// When hub staff approved or rejected it, RFC 3339.
    public var decidedAt: String?
    /// When hub staff revoked it, RFC 3339: events the node recorded before this instant stay valid.
    public var revokedAt: String?

    public init(
        court: CourtCode, node: NodeID, publicKey: String, status: RegistrationStatus, requestedAt: String,
        decidedAt: String? = nil, revokedAt: String? = nil
    ) {
        self.court = court
        self.node = node
        self.publicKey = publicKey
        self.status = status
        self.requestedAt = requestedAt
        self.decidedAt = decidedAt
        self.revokedAt = revokedAt
    }

    /// The key's fingerprint (``KeyFingerprint``), for people comparing keys by eye or by telephone.
    public func fingerprint(suite: SignatureSuite) -> String {
        KeyFingerprint.of(publicKeyHex: publicKey, suite: suite)
    }
}
