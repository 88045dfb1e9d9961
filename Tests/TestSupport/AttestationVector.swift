import Crypto
import Entrustment
import Foundation
import SyncProtocol

/// `Protocol/vectors/attestation/`: the hub's batch attestation (`Protocol/sync.md` §4.3.1) of
/// vector 05, its pull answer to 粤0106, as a stranger's implementation must compute it.
public enum AttestationVector {
    /// The requester of the vector: 粤0106's node of the change-set vectors.
    public static let requester = try! NodeID("粤0106.0be47f31")
    /// The cursor the vector's pull asked after.
    public static let after: Int64 = 0

    /// The change set attested (vector 05).
    public static var changeSet: ChangeSet {
        ProtocolVectors.valid.first { $0.name == "05-witnesses" }!.changeSet
    }

    /// The attestation, signed with the hub's test key.
    public static var attestation: BatchAttestation { attestation(of: changeSet) }

    /// The hub's attestation of `set` (in the set's suite), signed with the hub's test key.
    public static func attestation(of set: ChangeSet) -> BatchAttestation {
        try! BatchAttestation(
            hub: set.senderNode, requester: requester, after: after, through: Int64(set.throughSequence),
            events: set.events, witnesses: set.witnesses, suite: set.suite
        ).signed(with: TestKeys.key(for: set.senderNode, suite: set.suite))
    }

    /// What `Protocol/vectors/attestation/05-witnesses.json` holds.
    public static var description: String { describe(changeSet, attestation: attestation) }

    /// The description of `attestation` of `set` (vector 05 in its suite).
    public static func describe(_ set: ChangeSet, attestation: BatchAttestation) -> String {
        let suite = set.suite
        let leaves =
            set.events.map { ("event", MerkleTree.leaf(of: $0)) }
            + set.witnesses.map { ("witness", MerkleTree.leaf(of: $0)) }
        let description = Description(
            summary:
                "The hub's attestation of vector 05 (05-witnesses.csync), its pull answer to 粤0106.0be47f31 after cursor 0: two events, then three witnesses, in payload order."
                + (suite == .ed25519
                    ? ""
                    : " Suite \(suite): leaves and root hashed with \(suite.hashName), signed with \(suite.signatureName)."),
            changeSet: "05-witnesses.csync", hub: attestation.hub.rawValue, requester: requester.rawValue,
            after: after, through: attestation.through,
            leaves: leaves.map {
                Leaf(record: $0.0, data: Hex.encode($0.1), hash: Hex.encode(MerkleTree.leafHash($0.1, suite: suite)))
            },
            root: Hex.encode(attestation.root), encoded: Hex.encode(attestation.encoded),
            signedMessage: Hex.encode(SignaturePurpose.batch.signedBytes(attestation.encoded)),
            signature: Hex.encode(attestation.signature!),
            publicKey: TestKeys.publicKey(for: attestation.hub, suite: suite),
            header: Data(attestation.signedBytes).base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(description), as: UTF8.self) + "\n"
    }

    struct Leaf: Encodable {
        var record: String
        var data: String
        var hash: String
    }

    struct Description: Encodable {
        var summary: String
        var changeSet: String
        var hub: String
        var requester: String
        var after: Int64
        var through: Int64
        var leaves: [Leaf]
        var root: String
        var encoded: String
        var signedMessage: String
        var signature: String
        var publicKey: String
        var header: String
    }
}
