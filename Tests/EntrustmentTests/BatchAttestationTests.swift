import Crypto
import Entrustment
import TestSupport
import Testing

/// The Merkle tree of RFC 6962 and the attestation's canonical encoding (`Protocol/sync.md` §4.3.1).
@Suite("Batch attestations: Merkle root and encoding")
struct BatchAttestationTests {
    static func sha256(_ parts: [UInt8]...) -> [UInt8] { Array(SHA256.hash(data: parts.flatMap { $0 })) }
    static func leaf(_ data: [UInt8]) -> [UInt8] { sha256([0x00], data) }
    static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { sha256([0x01], left, right) }

    @Test("the tree hash of 0, 1, 2, 3, 5 and 7 leaves, written out by hand from RFC 6962 §2.1")
    func merkleRoots() {
        let d = (0..<7).map { [UInt8]([UInt8($0), 0xAB]) }
        let h = d.map(Self.leaf)
        let cases: [(Int, [UInt8])] = [
            (0, Self.sha256([])),
            (1, h[0]),
            (2, Self.node(h[0], h[1])),
            (3, Self.node(Self.node(h[0], h[1]), h[2])),
            (5, Self.node(Self.node(Self.node(h[0], h[1]), Self.node(h[2], h[3])), h[4])),
            (
                7,
                Self.node(
                    Self.node(Self.node(h[0], h[1]), Self.node(h[2], h[3])), Self.node(Self.node(h[4], h[5]), h[6]))
            ),
        ]
        for (count, expected) in cases {
            #expect(MerkleTree.root(of: Array(d.prefix(count)), suite: .ed25519) == expected, "\(count) leaves")
        }
    }

    @Test("a leaf cannot pass for an interior node, nor an event for a witness")
    func domainSeparation() {
        let a: [UInt8] = [1, 2, 3]
        let b: [UInt8] = [4, 5, 6]
        let two = MerkleTree.root(of: [a, b], suite: .ed25519)
        // One leaf whose bytes are the two leaf hashes cannot give the two-leaf root.
        #expect(MerkleTree.root(of: [Self.leaf(a) + Self.leaf(b)], suite: .ed25519) != two)
        #expect(
            MerkleTree.root(of: [[0x01] + a], suite: .ed25519) != MerkleTree.root(of: [[0x02] + a], suite: .ed25519))
    }

    static let hub = Fixtures.node("最高法.node")
    static let requester = Fixtures.node("粤0106.test")

    static func sample() throws -> BatchAttestation {
        try BatchAttestation(
            hub: hub, requester: requester, after: 12, through: 3_456, leafCount: 5,
            root: Array(repeating: 0x5A, count: 32)
        ).signed(with: TestKeys.key(for: hub))
    }

    @Test("the signed encoding reads back the same and verifies with the hub's key only")
    func roundTrip() throws {
        let attestation = try Self.sample()
        let read = try BatchAttestation(decodingSigned: attestation.signedBytes)
        #expect(read == attestation && read.encoded == attestation.encoded)
        let hubKey = TestKeys.key(for: Self.hub).publicKey
        let error = #expect(throws: DomainError.self) {
            try read.check(
                hubKey: TestKeys.key(for: Self.requester).publicKey, hub: Self.hub, requester: Self.requester,
                after: 12, through: 3_456, events: [], witnesses: [])
        }
        #expect(error?.code == .badAttestation)
        // Signed by the hub, but of five records, not the empty answer given.
        let count = #expect(throws: DomainError.self) {
            try read.check(
                hubKey: hubKey, hub: Self.hub, requester: Self.requester, after: 12, through: 3_456, events: [],
                witnesses: [])
        }
        #expect(count?.message.contains("5 records") == true)
    }

    @Test("malformed attestations are refused with malformedAttestation", arguments: 0..<8)
    func malformed(_ variant: Int) throws {
        var bytes = try Self.sample().signedBytes
        switch variant {
        case 0: bytes = Array(bytes.prefix(64))  // no room for anything but a signature
        case 1: bytes.removeLast(65)  // the root cut short
        case 2: bytes.insert(0, at: bytes.count - 64)  // a byte after the root
        case 3: bytes[0] = 2  // unknown version
        case 4: bytes = [UInt8](repeating: 0, count: 600)  // too long
        case 5: bytes[1] = 0xFF  // a string length past the end
        case 6:
            // A non-shortest varint for `after` (12 written as 0x8C 0x00).
            let at = 1 + 1 + Self.hub.rawValue.utf8.count + 1 + Self.requester.rawValue.utf8.count
            bytes.replaceSubrange(at..<at + 1, with: [0x8C, 0x00])
        default:
            // `through` (3,456, two varint bytes) made 0: before `after`.
            let at = 1 + 1 + Self.hub.rawValue.utf8.count + 1 + Self.requester.rawValue.utf8.count + 1
            bytes.replaceSubrange(at..<at + 2, with: [0x00])
        }
        let error = #expect(throws: DomainError.self) { try BatchAttestation(decodingSigned: bytes) }
        #expect(error?.code == .malformedAttestation)
    }
}
