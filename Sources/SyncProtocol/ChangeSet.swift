import Entrustment

/// A batch of events from one node, the unit of exchange between nodes: written to a change
/// file for offline transfer (离线介质) and, later, sent over the network.
///
/// The format is specified in `Protocol/changeset.md`; ``ChangeSetCodec`` reads and writes it.
public struct ChangeSet: Hashable, Sendable {
    /// The signature suite of the network it was made in: its checksum, event ids and signatures
    /// are of this suite (format 4 states it; formats 2 and 3 are `ed25519`).
    public var suite: SignatureSuite
    /// The court of the node that made the set.
    public var senderCourt: CourtCode
    /// The node that made the set.
    public var senderNode: NodeID
    /// When the set was made (the sender's clock).
    public var createdAt: Timestamp
    /// The sender's highest arrival sequence the set covers (0 when it covers none): the
    /// receiver's cursor for that sender after applying the set.
    public var throughSequence: UInt64
    /// The events, in the sender's arrival order (parents before children).
    public var events: [Event]
    /// The hub's witnesses the set carries (format version 3), in the sender's arrival order.
    public var witnesses: [Witness]

    public init(
        suite: SignatureSuite, senderCourt: CourtCode, senderNode: NodeID, createdAt: Timestamp,
        throughSequence: UInt64, events: [Event],
        witnesses: [Witness] = []
    ) {
        self.suite = suite
        self.senderCourt = senderCourt
        self.senderNode = senderNode
        self.createdAt = createdAt
        self.throughSequence = throughSequence
        self.events = events
        self.witnesses = witnesses
    }
}
