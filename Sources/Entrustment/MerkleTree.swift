/// The Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency) over the suite's hash (SHA-256
/// or SM3), as the hub's
/// batch attestations use it (``BatchAttestation``, `Protocol/sync.md` §4.3.1): a leaf is hashed
/// with a `00` prefix and an interior node with `01`, so that no leaf can pass for a node.
public enum MerkleTree {
    /// The tree hash of `leaves` (each leaf's data, not yet hashed), in order: SHA-256 of nothing
    /// for no leaves; `H(00 ‖ d)` for one; for more, `H(01 ‖ left ‖ right)`, where the
    /// left subtree holds the largest power of two of leaves smaller than their number.
    public static func root(of leaves: [[UInt8]], suite: SignatureSuite) -> [UInt8] {
        guard !leaves.isEmpty else { return suite.hash([]) }
        return root(leafHashes: leaves.map { leafHash($0, suite: suite) }[...], suite: suite)
    }

    /// The hash of one leaf: `H(00 ‖ data)`.
    public static func leafHash(_ data: [UInt8], suite: SignatureSuite) -> [UInt8] {
        suite.hash([0x00] + data)
    }

    /// The leaf of an event in an attested batch: `01`, its 32-byte id, its 64-byte signature.
    public static func leaf(of event: Event) -> [UInt8] {
        [0x01] + event.id.bytes + (event.signature ?? [])
    }

    /// The leaf of a witness in an attested batch: `02`, its canonical bytes, its 64-byte signature.
    public static func leaf(of witness: Witness) -> [UInt8] {
        [0x02] + witness.encoded + (witness.signature ?? [])
    }

    /// The tree hash over leaves already hashed (at least one), splitting as RFC 6962 does.
    private static func root(leafHashes hashes: ArraySlice<[UInt8]>, suite: SignatureSuite) -> [UInt8] {
        guard hashes.count > 1 else { return hashes.first! }
        var split = 1
        while split * 2 < hashes.count { split *= 2 }
        let left = root(leafHashes: hashes.prefix(split), suite: suite)
        let right = root(leafHashes: hashes.dropFirst(split), suite: suite)
        return suite.hash([0x01] + left + right)
    }
}
