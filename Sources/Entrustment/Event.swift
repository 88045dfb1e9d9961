/// One act on a matter, as recorded by the court that did it. Events are the source of truth:
/// a matter is the deterministic fold of its events (``MatterFold``).
///
/// The id is the network suite's hash (SHA-256 or SM3, ``SignatureSuite``) of the canonical encoding (``encoded``), which covers the parents' ids,
/// so a matter's events form a Merkle DAG: the audit trail (全程留痕) shows any later tampering.
public struct Event: Hashable, Sendable, CustomStringConvertible {
    /// The format version of the canonical encoding written by this build.
    public static let encodingVersion: UInt8 = 1

    /// The suite's hash of ``encoded``.
    public let id: EventID
    /// The matter the event belongs to.
    public let matterID: MatterID
    /// The court that performed the act.
    public let author: CourtCode
    /// The node that recorded it.
    public let origin: NodeID
    /// The origin node's hybrid logical clock when it recorded the act.
    public let timestamp: HybridTimestamp
    /// The matter's head events the author had seen, ascending by id, no duplicates.
    public let parents: [EventID]
    /// What was done.
    public let action: EventAction
    /// The canonical encoding (`Protocol/changeset.md` §3).
    public let encoded: [UInt8]
    /// The origin node's signature of the id (``SignaturePurpose/event``), `nil` until
    /// signed. It is not part of the encoding or the id: the id names the act, the signature
    /// says which key vouched for it (``KeyRegistry/verify(_:)``).
    public private(set) var signature: [UInt8]? = nil

    /// Records an act in a network of `suite`; checks field limits and computes the encoding and id.
    public init(
        suite: SignatureSuite, matterID: MatterID, author: CourtCode, origin: NodeID, timestamp: HybridTimestamp,
        parents: some Sequence<EventID>, action: EventAction
    ) throws(DomainError) {
        let sortedParents = Array(Set(parents)).sorted()
        try EventCoding.checkLimits(timestamp: timestamp, parents: sortedParents, action: action)
        self.matterID = matterID
        self.author = author
        self.origin = origin
        self.timestamp = timestamp
        self.parents = sortedParents
        self.action = action
        encoded = EventCoding.encode(
            matterID: matterID, author: author, origin: origin, timestamp: timestamp, parents: sortedParents,
            action: action)
        id = try EventID(bytes: suite.hash(encoded))
    }

    /// Decodes a canonical encoding. Anything that is not exactly the canonical encoding of a
    /// valid event is rejected, so equal events always have equal bytes and ids. The id is
    /// `suite`'s hash.
    public init(decoding bytes: [UInt8], suite: SignatureSuite) throws(DomainError) {
        guard bytes.count <= FieldLimits.eventBytes else {
            throw DomainError(
                .malformedEvent, "event is \(bytes.count) bytes, over the limit of \(FieldLimits.eventBytes)")
        }
        let fields = try EventCoding.decode(bytes)
        try self.init(
            suite: suite, matterID: fields.matterID, author: fields.author, origin: fields.origin,
            timestamp: fields.timestamp,
            parents: fields.parents, action: fields.action)
        guard encoded == bytes else {
            throw DomainError(.malformedEvent, "event encoding is not canonical (parents unsorted or duplicated?)")
        }
    }

    /// Decodes an event as a replica stored it, under the id it was stored with: the fields are
    /// parsed, but the encoding is not rebuilt nor hashed again (the replica admitted it under
    /// that id; `audit verify` re-hashes every stored event with ``init(decoding:)``).
    public init(stored bytes: [UInt8], id: EventID) throws(DomainError) {
        let fields = try EventCoding.decode(bytes)
        matterID = fields.matterID
        author = fields.author
        origin = fields.origin
        timestamp = fields.timestamp
        parents = fields.parents
        action = fields.action
        encoded = bytes
        self.id = id
    }

    /// The event signed with its origin node's private key.
    public func signed(with key: SigningKey) -> Event {
        var copy = self
        copy.signature = SignaturePurpose.event.sign(id.bytes, with: key)
        return copy
    }

    /// The event carrying a signature received with it (checked later, against the directory).
    public func withSignature(_ signature: [UInt8]) throws(DomainError) -> Event {
        guard signature.count == SignaturePurpose.signatureLength else {
            throw DomainError(
                .malformedEvent,
                "a signature has \(SignaturePurpose.signatureLength) bytes, not \(signature.count)")
        }
        var copy = self
        copy.signature = signature
        return copy
    }

    /// The physical time at which the act was recorded.
    public var recordedAt: Timestamp { timestamp.timestamp }

    /// The event kind.
    public var kind: EventKind { action.kind }

    public var description: String {
        "\(kind.rawValue) \(matterID) by \(author) @\(timestamp) [\(id.hex.prefix(12))]"
    }

    public static func == (lhs: Event, rhs: Event) -> Bool { lhs.id == rhs.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }
}
