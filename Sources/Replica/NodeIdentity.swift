import Entrustment

/// Who this node is: its court and its node id.
public struct NodeIdentity: Hashable, Sendable {
    /// The court the node serves.
    public let court: CourtCode
    /// The node's id.
    public let node: NodeID

    public init(court: CourtCode, node: NodeID) {
        self.court = court
        self.node = node
    }
}
