import Crypto

/// The Merkle tree hash of RFC 6962 §2.1 (Certificate Transparency) over SHA-256, as the hub's
/// batch attestations use it (``BatchAttestation``, `Protocol/sync.md` §4.3.1): a leaf is hashed
/// with a `00` prefix and an interior node with `01`, so that no leaf can pass for a node.
public enum MerkleTree {
    /// The tree hash of `leaves` (each leaf's data, not yet hashed), in order: SHA-256 of nothing
    /// for no leaves; `SHA-256(00 ‖ d)` for one; for more, `SHA-256(01 ‖ left ‖ right)`, where the
    /// left subtree holds the largest power of two of leaves smaller than their number.
    public static func root(of leaves: [[UInt8]]) -> [UInt8] {
        guard !leaves.isEmpty else { return Array(SHA256.hash(data: [UInt8]())) }
        return root(leafHashes: leaves.map(leafHash))
    }

    /// The hash of one leaf: `SHA-256(00 ‖ data)`.
    public static func leafHash(_ data: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: data)
        return Array(hasher.finalize())
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
    private static func root(leafHashes hashes: ArraySlice<[UInt8]>) -> [UInt8] {
        guard hashes.count > 1 else { return hashes.first! }
        var split = 1
        while split * 2 < hashes.count { split *= 2 }
        let left = root(leafHashes: hashes.prefix(split))
        let right = root(leafHashes: hashes.dropFirst(split))
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Array(hasher.finalize())
    }

    private static func root(leafHashes hashes: [[UInt8]]) -> [UInt8] { root(leafHashes: hashes[...]) }
}
