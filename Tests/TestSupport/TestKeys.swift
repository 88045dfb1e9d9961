import Crypto
import Entrustment

/// Deterministic Ed25519 keys for test nodes: the seed is the SHA-256 of the node id, so every
/// test (and every protocol vector) signs the same way. Never used outside tests.
public enum TestKeys {
    /// The key of a test node.
    public static func key(for node: NodeID) -> Curve25519.Signing.PrivateKey {
        try! Curve25519.Signing.PrivateKey(rawRepresentation: Array(SHA256.hash(data: Array(node.rawValue.utf8))))
    }

    /// The public key of a test node, hex.
    public static func publicKey(for node: NodeID) -> String {
        Hex.encode(Array(key(for: node).publicKey.rawRepresentation))
    }

    /// The node ids tests use: `CODE.node`, `CODE.a`, `CODE.b`, `CODE.hub` and `CODE.test` for every court of
    /// ``Fixtures/directory``, and the nodes of the protocol vectors.
    public static var nodes: [NodeID] {
        Fixtures.directory.all.flatMap { court in
            ["node", "a", "b", "hub", "test"].map { try! NodeID("\(court.code).\($0)") }
        } + ["京0105.5a1c9e02", "粤0106.0be47f31", "最高法.7d20aa45"].map { try! NodeID($0) }
    }

    /// A directory in which every test node is approved for its court, carrying
    /// ``Fixtures/referenceCalendar``.
    public static func directory(version: Int = 1) -> TrustDirectory {
        let hub = try! NodeID("最高法.node")
        return TrustDirectory(
            version: version, issuedAt: "2026-11-01T09:00:00+08:00", hubNode: hub, hubKey: publicKey(for: hub),
            courts: Fixtures.directory.all,
            nodes: nodes.map { node in
                RegisteredNode(
                    court: try! CourtCode(String(node.rawValue.split(separator: ".")[0])), node: node,
                    publicKey: publicKey(for: node), status: .approved, requestedAt: "2026-11-01T09:00:00+08:00",
                    decidedAt: "2026-11-01T09:00:00+08:00")
            }, calendar: Fixtures.referenceCalendar)
    }
}

extension Event {
    /// The event signed with its origin's test key (``TestKeys``).
    public func testSigned() -> Event { signed(with: TestKeys.key(for: origin)) }
}
