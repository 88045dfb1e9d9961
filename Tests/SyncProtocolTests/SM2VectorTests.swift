import Entrustment
import Foundation
import GMCrypto
import Node
import SyncProtocol
import TestSupport
import Testing

/// `Protocol/vectors/sm2/`: each recorded set decodes in the `sm2` suite to what its JSON says,
/// re-encodes byte for byte, holds the deterministic events (SM3 ids of the same canonical bytes),
/// and every SM2 signature in it verifies with the signer's key. Run with
/// `COURTSYNC_RECORD_VECTORS=1` to record them again (new signatures, everything else the same).
@Suite("SM2/SM3 protocol vectors")
struct SM2VectorTests {
    static let record = ProcessInfo.processInfo.environment["COURTSYNC_RECORD_VECTORS"] == "1"

    static func file(_ name: String) -> URL { SM2Vectors.folder.appendingPathComponent(name) }

    @Test("SM3 gives GB/T 32905-2016's digests of \"abc\" and of \"abcd\" × 16")
    func sm3Examples() throws {
        #expect(
            Hex.encode(SM3.hash(Array("abc".utf8)))
                == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        #expect(
            Hex.encode(SM3.hash(Array(String(repeating: "abcd", count: 16).utf8)))
                == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        let hasher = SM3Hasher()
        for piece in ["ab", "c"] { Array(piece.utf8).withUnsafeBytes { hasher.update($0) } }
        #expect(hasher.finalize() == SM3.hash(Array("abc".utf8)))
        if Self.record { try Data(SM2Vectors.sm3.utf8).write(to: Self.file("sm3.json")) }
        #expect(try String(contentsOf: Self.file("sm3.json"), encoding: .utf8) == SM2Vectors.sm3)
    }

    @Test("signatures made by an independent SM2 implementation (gmssl) verify, and fail once altered")
    func independentSignatures() throws {
        struct File: Decodable {
            struct Signature: Decodable {
                var publicKey: String
                var message: String
                var signature: String
            }
            var signatures: [Signature]
        }
        let file = try JSONDecoder().decode(
            File.self, from: try Data(contentsOf: Self.file("gmssl-signatures.json")))
        #expect(file.signatures.count >= 4)
        for entry in file.signatures {
            let key = try VerifyingKey(hex: entry.publicKey, suite: .sm2)
            let message = try #require(Hex.decode(entry.message))
            var signature = try #require(Hex.decode(entry.signature))
            #expect(key.isValidSignature(signature, for: message))
            #expect(!key.isValidSignature(signature, for: message + [0]))
            signature[63] ^= 1
            #expect(!key.isValidSignature(signature, for: message))
        }
    }

    @Test("the test keys are the recorded ones", .serialized, arguments: [0])
    func keys(_: Int) throws {
        if Self.record {
            try FileManager.default.createDirectory(at: SM2Vectors.folder, withIntermediateDirectories: true)
            try Data(SM2Vectors.keys.utf8).write(to: Self.file("keys.json"))
        }
        #expect(try String(contentsOf: Self.file("keys.json"), encoding: .utf8) == SM2Vectors.keys)
    }

    @Test(
        "each sm2 set decodes to its description, re-encodes byte for byte, and its signatures verify",
        arguments: SM2Vectors.names)
    func changeSet(name: String) throws {
        let vector = SM2Vectors.changeSets.first { $0.name == name }!
        let file = Self.file("\(name).csync")
        let description = Self.file("\(name).json")
        if Self.record {
            try FileManager.default.createDirectory(at: SM2Vectors.folder, withIntermediateDirectories: true)
            try Data(try ChangeSetCodec.encode(vector.changeSet)).write(to: file)
            let recorded = try ChangeSetCodec.decode([UInt8](try Data(contentsOf: file)), suite: .sm2)
            try Data(ProtocolVectors.describe(recorded, summary: vector.summary).utf8).write(to: description)
        }
        let bytes = [UInt8](try Data(contentsOf: file))
        #expect(bytes[4] == ChangeSetCodec.suiteFormatVersion && bytes[6] == SignatureSuite.sm2.byte)
        let decoded = try ChangeSetCodec.decode(bytes, suite: .sm2)
        #expect(
            ProtocolVectors.describe(decoded, summary: vector.summary)
                == (try String(contentsOf: description, encoding: .utf8)))
        #expect(try ChangeSetCodec.encode(decoded) == bytes)
        #expect(decoded == vector.changeSet, "the same events: SM3 ids of the same canonical bytes")
        #expect(decoded.events.map(\.encoded) == vector.changeSet.events.map(\.encoded))
        let registry = try SM2Vectors.directory.registry()
        for event in decoded.events {
            #expect(event.id.bytes == SM3.hash(event.encoded))
            try registry.verify(event)
        }
        let hubKey = TestKeys.key(for: Fixtures.node("最高法.node"), suite: .sm2).publicKey
        for witness in decoded.witnesses { try witness.verify(hubKey: hubKey) }
        // An ed25519 reader refuses the set by its suite byte, before the checksum.
        #expect { try ChangeSetCodec.decode(bytes, suite: .ed25519) } throws: {
            ($0 as? ChangeSetError)?.code == .wrongSuite
        }
    }

    @Test("the attestation of sm2 vector 05: leaves and root in SM3, the hub's SM2 signature", .serialized)
    func attestation() throws {
        let set = try ChangeSetCodec.decode(
            [UInt8](try Data(contentsOf: Self.file("05-witnesses.csync"))), suite: .sm2)
        let file = Self.file("attestation-05-witnesses.json")
        if Self.record {
            let attestation = AttestationVector.attestation(of: set)
            try Data(AttestationVector.describe(set, attestation: attestation).utf8).write(to: file)
        }
        let recorded = try JSONSerialization.jsonObject(with: try Data(contentsOf: file)) as! [String: Any]
        let header = try #require(Data(base64Encoded: recorded["header"] as! String))
        let attestation = try BatchAttestation(decodingSigned: [UInt8](header))
        try attestation.check(
            hubKey: TestKeys.key(for: set.senderNode, suite: .sm2).publicKey, hub: set.senderNode,
            requester: AttestationVector.requester, after: AttestationVector.after,
            through: Int64(set.throughSequence), events: set.events, witnesses: set.witnesses)
        #expect(
            try String(contentsOf: file, encoding: .utf8) == AttestationVector.describe(set, attestation: attestation))
        // The same leaves under SHA-256 give another root: the suite is part of what is attested.
        #expect(
            BatchAttestation.root(events: set.events, witnesses: set.witnesses, suite: .ed25519) != attestation.root)
    }

    @Test("the signed directory: an SM2 signature by the hub over the payload, which states the suite", .serialized)
    func directory() throws {
        let file = Self.file("directory.json")
        let hub = Fixtures.node("最高法.node")
        if Self.record {
            let signed = try SignedDirectory.issue(SM2Vectors.directory, with: TestKeys.key(for: hub, suite: .sm2))
            try signed.encoded().write(to: file)
        }
        let signed = try SignedDirectory.decode(try Data(contentsOf: file))
        let hubKey = TestKeys.publicKey(for: hub, suite: .sm2)
        let opened = try signed.open(hubKey: hubKey, suite: .sm2)
        #expect(opened == SM2Vectors.directory && opened.suite == .sm2)
        // A node of the other suite (its own hub key pinned) is told why, not only that the
        // signature does not verify.
        #expect { try signed.open(hubKey: TestKeys.publicKey(for: hub), suite: .ed25519) } throws: {
            ($0 as? NodeError)?.code == "wrongSuite"
        }
        var tampered = signed
        tampered.payload[tampered.payload.count / 2] ^= 1
        #expect(throws: NodeError.self) { try tampered.open(hubKey: hubKey, suite: .sm2) }
    }
}
