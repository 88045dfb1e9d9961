import Entrustment
import SyncProtocol

// The fixtures and most unit tests are of an `ed25519` network. These overloads name that suite
// for them, so that only tests about suites spell one out; the product's own code always passes
// its replica's suite.

extension Event {
    /// ``init(suite:matterID:author:origin:timestamp:parents:action:)`` in an `ed25519` network.
    public init(
        matterID: MatterID, author: CourtCode, origin: NodeID, timestamp: HybridTimestamp,
        parents: some Sequence<EventID>, action: EventAction
    ) throws(DomainError) {
        try self.init(
            suite: .ed25519, matterID: matterID, author: author, origin: origin, timestamp: timestamp,
            parents: parents, action: action)
    }

    /// ``init(decoding:suite:)`` in an `ed25519` network.
    public init(decoding bytes: [UInt8]) throws(DomainError) {
        try self.init(decoding: bytes, suite: .ed25519)
    }
}

extension ChangeSet {
    /// A change set of an `ed25519` network.
    public init(
        senderCourt: CourtCode, senderNode: NodeID, createdAt: Timestamp, throughSequence: UInt64, events: [Event],
        witnesses: [Witness] = []
    ) {
        self.init(
            suite: .ed25519, senderCourt: senderCourt, senderNode: senderNode, createdAt: createdAt,
            throughSequence: throughSequence, events: events, witnesses: witnesses)
    }
}

extension ChangeSetCodec {
    /// ``decode(_:suite:limits:)`` in an `ed25519` network.
    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = .standard) throws(ChangeSetError) -> ChangeSet
    {
        try decode(bytes, suite: .ed25519, limits: limits)
    }
}

extension KeyRegistry {
    /// The registry of `nodes` in an `ed25519` network.
    public init(_ nodes: [RegisteredNode]) throws(DomainError) {
        try self.init(nodes, suite: .ed25519)
    }
}
