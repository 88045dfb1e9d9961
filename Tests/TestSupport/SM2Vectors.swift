import Entrustment
import Foundation
import Node
import SyncProtocol

/// `Protocol/vectors/sm2/`: vectors of the `sm2` suite (`Protocol/sync.md` §2.6) for an
/// independent SM2/SM3 implementation: three change sets of format 4, the hub's attestation of
/// one, a signed directory, the test keys, and SM3 of GB/T 32905's examples. SM2 signatures are
/// randomised, so a new recording has new signatures; everything else is deterministic, and a
/// recording is checked by verifying it, not by comparing bytes.
public enum SM2Vectors {
    /// The vectors re-made in the `sm2` suite (the names of `Protocol/vectors/`).
    public static let names = ["03-two-matters", "05-witnesses", "07-documents"]

    /// The folder.
    public static var folder: URL { Fixtures.vectorsFolder.appendingPathComponent("sm2") }

    /// The change sets, deterministic but for their signatures.
    public static var changeSets: [ProtocolVectors.Vector] {
        ProtocolVectors.valid(suite: .sm2).filter { names.contains($0.name) }
    }

    /// The nodes whose keys sign the vectors.
    public static let signers = ["京0105.5a1c9e02", "粤0106.0be47f31", "最高法.node", "最高法.7d20aa45"].map {
        try! NodeID($0)
    }

    /// The directory the vectors' hub (`最高法.node`) signs: every court, the vectors' signers approved.
    public static var directory: TrustDirectory {
        var directory = TestKeys.directory(suite: .sm2)
        directory.nodes = directory.nodes.filter { signers.contains($0.node) }
        return directory
    }

    /// `keys.json`: each signer's public key, fingerprint and (test only) private key.
    public static var keys: String {
        struct Key: Encodable {
            var node: String
            var publicKey: String
            var fingerprint: String
            var privateKeyPEM: String
        }
        let keys = signers.map { node in
            Key(
                node: node.rawValue, publicKey: TestKeys.publicKey(for: node, suite: .sm2),
                fingerprint: KeyFingerprint.of(publicKeyHex: TestKeys.publicKey(for: node, suite: .sm2), suite: .sm2),
                privateKeyPEM: TestKeys.key(for: node, suite: .sm2).fileText)
        }
        return json(keys)
    }

    /// `sm3.json`: SM3 of GB/T 32905-2016's two examples and of the empty string.
    public static var sm3: String {
        struct Example: Encodable {
            var input: String
            var sm3: String
        }
        let inputs: [[UInt8]] = [[], Array("abc".utf8), Array(String(repeating: "abcd", count: 16).utf8)]
        return json(inputs.map { Example(input: Hex.encode($0), sm3: Hex.encode(SignatureSuite.sm2.hash($0))) })
    }

    /// JSON as the vectors write it: sorted keys, pretty, unescaped slashes, a final newline.
    public static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try! encoder.encode(value), as: UTF8.self) + "\n"
    }
}
