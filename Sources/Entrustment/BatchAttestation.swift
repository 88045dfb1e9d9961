/// The hub's signed statement that it verified a batch of events before handing it to a node
/// catching up (`Protocol/sync.md` §4.3.1): "the records of my pull answer to `requester` after
/// `after` through `through` are the `leafCount` leaves under `root`, and I checked every
/// origin signature among them". A node that checks this one signature and recomputes the ids
/// and the Merkle root stores the batch without verifying each origin signature, keeps those
/// signatures, and re-checks them later (``SignaturePurpose/batch``).
public struct BatchAttestation: Hashable, Sendable {
    /// The format version of the canonical encoding.
    public static let encodingVersion: UInt8 = 1
    /// The most records a batch may hold (the change-set limit).
    public static let maxLeaves = 100_000

    /// The hub's node id (the change set's sender).
    public let hub: NodeID
    /// The node the answer is for.
    public let requester: NodeID
    /// The pull cursor the answer follows.
    public let after: Int64
    /// The change set's `throughSequence`.
    public let through: Int64
    /// The records of the change set: its events, then its witnesses.
    public let leafCount: Int
    /// The Merkle tree hash (``MerkleTree``) of the records' leaves, in payload order.
    public let root: [UInt8]
    /// The canonical encoding, which the signature covers.
    public let encoded: [UInt8]
    /// The hub's signature, `nil` until signed.
    public private(set) var signature: [UInt8]?

    /// An attestation of `events` then `witnesses`, as a change set carries them.
    public init(
        hub: NodeID, requester: NodeID, after: Int64, through: Int64, events: [Event], witnesses: [Witness],
        suite: SignatureSuite
    ) throws(DomainError) {
        try self.init(
            hub: hub, requester: requester, after: after, through: through, leafCount: events.count + witnesses.count,
            root: Self.root(events: events, witnesses: witnesses, suite: suite))
    }

    /// An attestation; checks the fields and computes the encoding.
    public init(
        hub: NodeID, requester: NodeID, after: Int64, through: Int64, leafCount: Int, root: [UInt8]
    ) throws(DomainError) {
        guard after >= 0, through >= after, (0...Self.maxLeaves).contains(leafCount), root.count == 32 else {
            throw DomainError(
                .malformedAttestation,
                "malformed attestation: after \(after), through \(through), \(leafCount) records, a \(root.count)-byte root"
            )
        }
        self.hub = hub
        self.requester = requester
        self.after = after
        self.through = through
        self.leafCount = leafCount
        self.root = root
        var w = ByteWriter()
        w.write(byte: Self.encodingVersion)
        w.write(string: hub.rawValue)
        w.write(string: requester.rawValue)
        w.write(varint: UInt64(after))
        w.write(varint: UInt64(through))
        w.write(varint: UInt64(leafCount))
        w.write(raw: root)
        encoded = w.bytes
    }

    /// Decodes the canonical encoding followed by the 64-byte signature, as the
    /// `CourtSync-Attestation` header carries it (base64); anything else is `malformedAttestation`.
    public init(decodingSigned bytes: [UInt8]) throws(DomainError) {
        let fail = { (reason: String) in DomainError(.malformedAttestation, "malformed attestation: \(reason)") }
        guard bytes.count > SignaturePurpose.signatureLength, bytes.count <= 512 else {
            throw fail("\(bytes.count) bytes")
        }
        let body = Array(bytes.dropLast(SignaturePurpose.signatureLength))
        var r = ByteReader(body)
        do {
            let version = try r.readByte("version")
            guard version == Self.encodingVersion else { throw fail("version \(version) is not supported") }
            let hub = try NodeID(r.readString("hub", maxBytes: NodeID.maxBytes))
            let requester = try NodeID(r.readString("requester", maxBytes: NodeID.maxBytes))
            let after = try r.readVarint("after", max: UInt64(Int64.max))
            let through = try r.readVarint("through", max: UInt64(Int64.max))
            let leaves = try r.readVarint("leaves", max: UInt64(Self.maxLeaves))
            let root = Array(try r.readRaw(count: 32, "root"))
            guard r.isAtEnd else { throw fail("\(r.remaining) unexpected bytes before the signature") }
            try self.init(
                hub: hub, requester: requester, after: Int64(after), through: Int64(through), leafCount: Int(leaves),
                root: root)
        } catch let failure as ByteReader.Failure {
            throw fail(failure.description)
        } catch let error as DomainError {
            throw error.code == .malformedAttestation ? error : fail(error.message)
        } catch {
            throw fail("\(error)")
        }
        guard encoded == body else { throw fail("not canonical") }
        signature = Array(bytes.suffix(SignaturePurpose.signatureLength))
    }

    /// The canonical encoding followed by the signature (what the header carries, in base64).
    public var signedBytes: [UInt8] { encoded + (signature ?? []) }

    /// The attestation signed with the hub's key.
    public func signed(with key: SigningKey) -> BatchAttestation {
        var copy = self
        copy.signature = SignaturePurpose.batch.sign(encoded, with: key)
        return copy
    }

    /// The attestation carrying `signature` (made by the hub's node, which holds the key).
    public func withSignature(_ signature: [UInt8]) -> BatchAttestation {
        var copy = self
        copy.signature = signature
        return copy
    }

    /// Checks that the hub's key signed this attestation and that it covers exactly this answer:
    /// the hub that sent it, the node that asked, the cursor asked after, the set's
    /// `throughSequence`, and its events and witnesses (their ids recomputed from their bytes
    /// when they were decoded). Throws `badAttestation` naming the first difference.
    public func check(
        hubKey: VerifyingKey, hub: NodeID, requester: NodeID, after: Int64, through: Int64,
        events: [Event], witnesses: [Witness]
    ) throws(DomainError) {
        guard let signature, SignaturePurpose.batch.isValid(signature, of: encoded, by: hubKey) else {
            throw DomainError(.badAttestation, "the batch attestation is not signed by the hub's key")
        }
        let differences = [
            (self.hub == hub, "it names hub \(self.hub), but the set comes from \(hub)"),
            (self.requester == requester, "it was made for \(self.requester), not \(requester)"),
            (self.after == after, "it covers the records after \(self.after), but this node asked after \(after)"),
            (self.through == through, "it covers through \(self.through), but the set through \(through)"),
            (
                leafCount == events.count + witnesses.count,
                "it covers \(leafCount) records, but the set holds \(events.count + witnesses.count)"
            ),
        ]
        if let (_, reason) = differences.first(where: { !$0.0 }) {
            throw DomainError(.badAttestation, "the batch attestation does not match the answer: \(reason)")
        }
        guard Self.root(events: events, witnesses: witnesses, suite: hubKey.suite) == root else {
            throw DomainError(
                .badAttestation,
                "the batch attestation's Merkle root does not match the set's records: altered in transit, or a lying hub"
            )
        }
    }

    /// The Merkle root over the leaves of `events` then `witnesses`, with the suite's hash.
    public static func root(events: [Event], witnesses: [Witness], suite: SignatureSuite) -> [UInt8] {
        MerkleTree.root(of: events.map(MerkleTree.leaf(of:)) + witnesses.map(MerkleTree.leaf(of:)), suite: suite)
    }
}
