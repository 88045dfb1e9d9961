import Entrustment
import Foundation
import Replica

/// What hub staff decide about a registration.
public enum RegistrationDecision: String, Sendable, CaseIterable {
    /// 批准: pending → approved.
    case approve
    /// 拒绝: pending → rejected.
    case reject
    /// 吊销: approved → revoked (events signed before stay valid).
    case revoke
}

/// The hub's side of trust: the register of nodes, the decisions of hub staff, and the signed
/// court directory issued after each decision.
extension CourtNode {
    /// Whether this is the supreme-level hub's node.
    public var isHub: Bool { identity.court == .supreme }

    /// Records a node's registration request as pending (`POST /v1/register`, or a request file).
    public func receiveRegistration(_ request: RegistrationRequest) throws(NodeError) -> RegistrationReceipt {
        try requireHub()
        let entry = try request.verified(directory: replica.directory)
        guard entry.court != .supreme else {
            throw NodeError(code: "forbiddenRole", "no node may register for 最高法: the hub is the only one")
        }
        let recorded = try read { () throws(ReplicaError) in
            try replica.recordRegistration(entry, receivedAt: time.now())
        }
        guard recorded.publicKey == entry.publicKey else {
            throw NodeError(
                code: "conflict",
                "node \(entry.node) is already \(recorded.status.chineseName) with another key; a new key needs a new node (courtsync init)"
            )
        }
        return RegistrationReceipt(
            status: recorded.status.rawValue, hubNode: identity.node.rawValue, hubKey: publicKey,
            directoryVersion: try directoryVersion())
    }

    /// Every registration the hub holds, by court then node.
    public func registrations() throws(NodeError) -> [RegisteredNode] {
        try requireHub()
        return try read { () throws(ReplicaError) in try replica.registrations() }
    }

    /// Applies hub staff's decision to the registration of `court` (or of one of its nodes, if
    /// it has several), then issues and installs a new signed directory. Returns the entry.
    public func decide(_ decision: RegistrationDecision, court: String, node: String? = nil) throws(NodeError)
        -> RegisteredNode
    {
        try requireHub()
        let needed: RegistrationStatus = decision == .revoke ? .approved : .pending
        var candidates = try registrations().filter {
            $0.court.rawValue == court && (node == nil || $0.node.rawValue == node) && $0.node != identity.node
        }
        let matching = candidates.filter { $0.status == needed }
        guard matching.count == 1 else {
            if matching.isEmpty {
                let known = candidates.map { "\($0.node) \($0.status.chineseName)" }.joined(separator: ", ")
                throw NodeError(
                    code: "notFound",
                    "no \(needed.chineseName) registration of \(court)\(node.map { " node \($0)" } ?? "")"
                        + (known.isEmpty ? "" : " (registered: \(known))"))
            }
            throw NodeError(
                code: "ambiguous",
                "\(court) has \(matching.count) \(needed.chineseName) nodes: name one with --node (\(matching.map(\.node.rawValue).joined(separator: ", ")))"
            )
        }
        candidates = matching
        var entry = candidates[0]
        let now = time.now().rfc3339
        switch decision {
        case .approve:
            entry.status = .approved
            entry.decidedAt = now
        case .reject:
            entry.status = .rejected
            entry.decidedAt = now
        case .revoke:
            entry.status = .revoked
            entry.revokedAt = now
        }
        try read { () throws(ReplicaError) in try replica.saveRegistration(entry) }
        try issueDirectory()
        return entry
    }

    /// Registers the hub's own node as approved and issues the first directory (hub init).
    func approveSelf() throws(NodeError) {
        let now = time.now().rfc3339
        try read { () throws(ReplicaError) in
            try replica.saveRegistration(
                RegisteredNode(
                    court: identity.court, node: identity.node, publicKey: publicKey, status: .approved,
                    requestedAt: now, decidedAt: now))
        }
        try issueDirectory()
    }

    /// Signs the next version of the directory (courts, and every decided registration) and
    /// installs it in the hub's own replica.
    private func issueDirectory() throws(NodeError) {
        let nodes = try registrations().filter { $0.status != .pending }
        let content = TrustDirectory(
            version: try directoryVersion() + 1, issuedAt: time.now().rfc3339, hubNode: identity.node,
            hubKey: publicKey, courts: replica.directory.all, nodes: nodes)
        try install(try SignedDirectory.issue(content, with: signingKey))
    }

    private func requireHub() throws(NodeError) {
        guard isHub else {
            throw NodeError(
                code: "notHub",
                "this is the node of \(identity.court), not the hub: run this on the hub's data directory")
        }
    }
}
