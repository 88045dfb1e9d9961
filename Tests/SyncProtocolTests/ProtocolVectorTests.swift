import Entrustment
import Foundation
import SyncProtocol
import TestSupport
import Testing

/// `Protocol/vectors/`: each file decodes to what its JSON says and re-encodes byte for byte.
/// Run with `COURTSYNC_RECORD_VECTORS=1` to rewrite the files after a deliberate format change.
@Suite("Protocol test vectors")
struct ProtocolVectorTests {
    static let record = ProcessInfo.processInfo.environment["COURTSYNC_RECORD_VECTORS"] == "1"

    @Test(
        "valid vectors decode to their description and re-encode byte for byte",
        arguments: ProtocolVectors.valid.map(\.name))
    func valid(name: String) throws {
        let vector = ProtocolVectors.valid.first { $0.name == name }!
        let file = Fixtures.vectorsFolder.appendingPathComponent("\(name).csync")
        let description = Fixtures.vectorsFolder.appendingPathComponent("\(name).json")
        if Self.record {
            try Data(try ChangeSetCodec.encode(vector.changeSet)).write(to: file)
            try Data(ProtocolVectors.describe(vector.changeSet, summary: vector.summary).utf8).write(to: description)
        }
        let bytes = [UInt8](try Data(contentsOf: file))
        let decoded = try ChangeSetCodec.decode(bytes)
        #expect(
            ProtocolVectors.describe(decoded, summary: vector.summary)
                == (try String(contentsOf: description, encoding: .utf8)))
        #expect(try ChangeSetCodec.encode(decoded) == bytes)
        #expect(decoded == vector.changeSet)
    }

    @Test(
        "refused vectors decode (a receiver refuses their content, ReplicaTests)",
        arguments: ProtocolVectors.refused.map(\.name))
    func refused(name: String) throws {
        let vector = ProtocolVectors.refused.first { $0.name == name }!
        let file = Fixtures.vectorsFolder.appendingPathComponent("refused/\(name).csync")
        if Self.record {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(try ChangeSetCodec.encode(vector.changeSet)).write(to: file)
        }
        let bytes = [UInt8](try Data(contentsOf: file))
        #expect(try ChangeSetCodec.decode(bytes) == vector.changeSet)
    }

    @Test("the legacy vector: format 2 is still read")
    func legacy() throws {
        let file = Fixtures.vectorsFolder.appendingPathComponent("legacy/02-one-create-v2.csync")
        if Self.record {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(ProtocolVectors.legacy.bytes).write(to: file)
        }
        let bytes = [UInt8](try Data(contentsOf: file))
        #expect(bytes == ProtocolVectors.legacy.bytes)
        let decoded = try ChangeSetCodec.decode(bytes)
        #expect(decoded == ProtocolVectors.legacy.set && decoded.witnesses.isEmpty)
        guard case .create(let request) = decoded.events[0].action else { throw VectorFailure() }
        #expect(request.calendarVersion == nil)
    }

    struct VectorFailure: Error {}

    @Test("the attestation vector: vector 05's leaves, Merkle root, encoding and hub signature")
    func attestation() throws {
        let file = Fixtures.vectorsFolder.appendingPathComponent("attestation/05-witnesses.json")
        if Self.record {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(AttestationVector.description.utf8).write(to: file)
        }
        #expect(try String(contentsOf: file, encoding: .utf8) == AttestationVector.description)
        // The set as stored in the vectors folder, decoded by the codec, is what the root covers.
        let bytes = [UInt8](try Data(contentsOf: Fixtures.vectorsFolder.appendingPathComponent("05-witnesses.csync")))
        let set = try ChangeSetCodec.decode(bytes)
        let attestation = AttestationVector.attestation
        let read = try BatchAttestation(decodingSigned: attestation.signedBytes)
        try read.check(
            hubKey: TestKeys.key(for: set.senderNode).publicKey, hub: set.senderNode,
            requester: AttestationVector.requester, after: AttestationVector.after,
            through: Int64(set.throughSequence), events: set.events, witnesses: set.witnesses)
    }

    @Test("invalid vectors are refused with the stated error code", arguments: ProtocolVectors.invalid.map(\.name))
    func invalid(name: String) throws {
        let vector = ProtocolVectors.invalid.first { $0.name == name }!
        let file = Fixtures.vectorsFolder.appendingPathComponent("invalid/\(name).csync")
        if Self.record {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(vector.bytes).write(to: file)
        }
        let bytes = [UInt8](try Data(contentsOf: file))
        #expect(bytes == vector.bytes)
        #expect { try ChangeSetCodec.decode(bytes) } throws: { ($0 as! ChangeSetError).code == vector.code }
    }

    @Test("the change-file vector: change set 07, then a documents section a stranger can read")
    func documentsFile() throws {
        let file = Fixtures.vectorsFolder.appendingPathComponent("files/07-documents.csync")
        if Self.record {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(ProtocolVectors.documentsFile).write(to: file)
        }
        let bytes = [UInt8](try Data(contentsOf: file))
        #expect(bytes == ProtocolVectors.documentsFile)
        let length = try ChangeSetCodec.encodedLength(startingWith: Array(bytes.prefix(4096)))
        let set = try ChangeSetCodec.decode(Array(bytes.prefix(length)))
        #expect(set == ProtocolVectors.valid.first { $0.name == "07-documents" }!.changeSet)
        // The section, read by hand as changeset.md §9 describes it.
        var rest = Array(bytes[length...])
        #expect(Array(rest.prefix(6)) == Array("CSDOC".utf8) + [1])
        rest.removeFirst(6)
        let count = Int(rest.removeFirst())
        var attached: [String: Int] = [:]
        for event in set.events {
            if case .attach(let document, _) = event.action { attached[document.hash.hex] = document.size }
        }
        #expect(count == attached.count)
        for _ in 0..<count {
            let hash = Hex.encode(Array(rest.prefix(32)))
            rest.removeFirst(32)
            let size = Int(rest.removeFirst())
            let document = Array(rest.prefix(size))
            rest.removeFirst(size)
            #expect(attached[hash] == size)
            #expect(DocumentHash(of: document, suite: .ed25519).hex == hash)
            #expect(document.starts(with: Array("%PDF-".utf8)))
        }
        #expect(rest.isEmpty)
    }
}
