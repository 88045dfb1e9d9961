import Crypto
import Entrustment
import Foundation
import GMCrypto
import Synchronization

/// Deterministic keys for test nodes, in either suite, so that every test (and every protocol
/// vector) signs with the same keys. Ed25519: the 32-byte seed is the SHA-256 of the node id.
/// SM2: the private scalar is the SM3 of the node id (below the curve order n for every test
/// node), written as a SEC 1 `EC PRIVATE KEY` on the SM2 curve. Never used outside tests.
public enum TestKeys {
    /// The key of a test node in `suite`.
    public static func key(for node: NodeID, suite: SignatureSuite = .ed25519) -> SigningKey {
        switch suite {
        case .ed25519:
            return try! SigningKey(ed25519Seed: Array(SHA256.hash(data: Array(node.rawValue.utf8))))
        case .sm2:
            if let known = sm2Keys.withLock({ $0[node] }) { return known }
            let key = try! SigningKey(sm2PEM: sm2PEM(scalar: SM3.hash(Array(node.rawValue.utf8))))
            sm2Keys.withLock { $0[node] = key }
            return key
        }
    }

    /// The SM2 keys made so far (deriving one costs a scalar multiplication).
    private static let sm2Keys = Mutex<[NodeID: SigningKey]>([:])

    /// The public key of a test node, hex.
    public static func publicKey(for node: NodeID, suite: SignatureSuite = .ed25519) -> String {
        key(for: node, suite: suite).publicKey.hex
    }

    /// A SEC 1 PEM private key on the SM2 curve (OID 1.2.156.10197.1.301) with this 32-byte
    /// scalar and no public key (OpenSSL derives it).
    public static func sm2PEM(scalar: [UInt8]) -> String {
        let der: [UInt8] =
            [0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20] + scalar
            + [0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D]
        return
            "-----BEGIN EC PRIVATE KEY-----\n\(Data(der).base64EncodedString(options: .lineLength64Characters))\n-----END EC PRIVATE KEY-----\n"
    }

    /// The node ids tests use: `CODE.node`, `CODE.a`, `CODE.b`, `CODE.hub` and `CODE.test` for every court of
    /// ``Fixtures/directory``, and the nodes of the protocol vectors.
    public static var nodes: [NodeID] {
        Fixtures.directory.all.flatMap { court in
            ["node", "a", "b", "hub", "test"].map { try! NodeID("\(court.code).\($0)") }
        } + ["京0105.5a1c9e02", "粤0106.0be47f31", "最高法.7d20aa45"].map { try! NodeID($0) }
    }

    /// A directory of `suite` in which every test node is approved for its court, carrying
    /// ``Fixtures/referenceCalendar``.
    public static func directory(version: Int = 1, suite: SignatureSuite = .ed25519) -> TrustDirectory {
        let hub = try! NodeID("最高法.node")
        return TrustDirectory(
            version: version, issuedAt: "2026-11-01T09:00:00+08:00", hubNode: hub, suite: suite,
            hubKey: publicKey(for: hub, suite: suite), courts: Fixtures.directory.all,
            nodes: nodes.map { node in
                RegisteredNode(
                    court: try! CourtCode(String(node.rawValue.split(separator: ".")[0])), node: node,
                    publicKey: publicKey(for: node, suite: suite), status: .approved,
                    requestedAt: "2026-11-01T09:00:00+08:00", decidedAt: "2026-11-01T09:00:00+08:00")
            }, calendar: Fixtures.referenceCalendar)
    }
}

extension Event {
    /// The event signed with its origin's test key (``TestKeys``) in `suite`.
    public func testSigned(suite: SignatureSuite = .ed25519) -> Event {
        signed(with: TestKeys.key(for: origin, suite: suite))
    }
}
