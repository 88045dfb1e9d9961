import Entrustment
import Testing
import TestSupport

/// Who may sign what: the directory's entries against events, table-driven, in both suites.
@Suite("key registry")
struct KeyRegistryTests {
    static let node = Fixtures.node("粤0106.a")
    static let revokedAt = "2026-11-25T09:00:00+08:00"

    static func entry(_ status: RegistrationStatus, court: String = "粤0106", suite: SignatureSuite) -> RegisteredNode {
        RegisteredNode(
            court: Fixtures.code(court), node: node, publicKey: TestKeys.publicKey(for: node, suite: suite),
            status: status,
            requestedAt: "2026-11-01T09:00:00+08:00", decidedAt: "2026-11-02T09:00:00+08:00",
            revokedAt: status == .revoked ? revokedAt : nil)
    }

    /// A sign by 粤0106.a at `time`, signed with its key.
    static func sign(at time: String, suite: SignatureSuite) -> Event {
        let create = Fixtures.create(suite: suite)
        return try! Event(
            suite: suite, matterID: create.matterID, author: Fixtures.code("粤0106"), origin: node,
            timestamp: HybridTimestamp(wall: Fixtures.time(time).milliseconds, counter: 0), parents: [create.id],
            action: .sign(note: "")
        ).testSigned(suite: suite)
    }

    /// Every row of `rows` in each suite.
    static func inBothSuites<Row>(_ rows: [Row]) -> [(SignatureSuite, Row)] {
        SignatureSuite.allCases.flatMap { suite in rows.map { (suite, $0) } }
    }

    @Test(
        "an event verifies only with an approved key of its author court, or a revoked one before revocation",
        arguments: inBothSuites(
            [
                (RegistrationStatus.approved, "粤0106", "2026-11-26T09:00:00+08:00", nil),
                (.revoked, "粤0106", "2026-11-24T09:00:00+08:00", nil),
                (.revoked, "粤0106", "2026-11-25T09:00:00+08:00", DomainError.Code.revokedKey),
                (.revoked, "粤0106", "2026-11-26T09:00:00+08:00", .revokedKey),
                (.pending, "粤0106", "2026-11-24T09:00:00+08:00", .unknownKey),
                (.rejected, "粤0106", "2026-11-24T09:00:00+08:00", .unknownKey),
                (.approved, "粤0104", "2026-11-24T09:00:00+08:00", .forbiddenRole),
            ] as [(RegistrationStatus, String, String, DomainError.Code?)]))
    func verification(suite: SignatureSuite, row: (RegistrationStatus, String, String, DomainError.Code?)) throws {
        let (status, court, time, expected) = row
        let registry = try KeyRegistry([Self.entry(status, court: court, suite: suite)], suite: suite)
        let event = Self.sign(at: time, suite: suite)
        if let expected {
            #expect { try registry.verify(event) } throws: { ($0 as! DomainError).code == expected }
        } else {
            try registry.verify(event)
        }
    }

    @Test(
        "a forged, missing, foreign or other-suite signature is refused; an unlisted node is unknown",
        arguments: SignatureSuite.allCases)
    func badSignatures(suite: SignatureSuite) throws {
        let registry = try KeyRegistry([Self.entry(.approved, suite: suite)], suite: suite)
        let good = Self.sign(at: "2026-11-24T09:00:00+08:00", suite: suite)
        try registry.verify(good)
        var flipped = good.signature!
        flipped[10] ^= 0x01
        let unsigned = try Event(
            suite: suite, matterID: good.matterID, author: good.author, origin: good.origin,
            timestamp: good.timestamp, parents: good.parents, action: good.action)
        let foreign = good.signed(with: SigningKey.generate(suite))
        let otherSuite = SignatureSuite.allCases.first { $0 != suite }!
        // The same act signed by the node's key of the other suite: the id is the other hash, and
        // the signature is not one this network's key can have made.
        let crossSuite = try Event(
            suite: otherSuite, matterID: good.matterID, author: good.author, origin: good.origin,
            timestamp: good.timestamp, parents: good.parents, action: good.action
        ).testSigned(suite: otherSuite)
        let crossSigned = good.signed(with: TestKeys.key(for: Self.node, suite: otherSuite))
        for event in [try good.withSignature(flipped), unsigned, foreign, crossSuite, crossSigned] {
            #expect { try registry.verify(event) } throws: { ($0 as! DomainError).code == .badSignature }
        }
        let stranger = Fixtures.act(
            .sign(note: ""), by: "粤0106", after: [Fixtures.create(suite: suite)], at: 1, node: "粤0106.zz", suite: suite)
        #expect { try registry.verify(stranger) } throws: { ($0 as! DomainError).code == .unknownKey }
    }

    @Test("a signature made for one purpose never passes for another", arguments: SignatureSuite.allCases)
    func purposesAreSeparate(suite: SignatureSuite) {
        let key = SigningKey.generate(suite)
        let message = Array("the same bytes".utf8)
        let signature = SignaturePurpose.request.sign(message, with: key)
        #expect(SignaturePurpose.request.isValid(signature, of: message, by: key.publicKey))
        for other in SignaturePurpose.allCases where other != .request {
            #expect(!other.isValid(signature, of: message, by: key.publicKey))
        }
    }

    @Test(
        "a directory listing a node twice, an unreadable or other-suite key or a revocation without a time is refused",
        arguments: SignatureSuite.allCases)
    func invalidDirectories(suite: SignatureSuite) {
        let otherSuite = SignatureSuite.allCases.first { $0 != suite }!
        var twice = TestKeys.directory(suite: suite)
        twice.nodes.append(twice.nodes[0])
        var badKey = TestKeys.directory(suite: suite)
        badKey.nodes[0].publicKey = "not a key"
        var foreignKey = TestKeys.directory(suite: suite)
        foreignKey.nodes[0].publicKey = TestKeys.publicKey(for: foreignKey.nodes[0].node, suite: otherSuite)
        var foreignHub = TestKeys.directory(suite: suite)
        foreignHub.hubKey = TestKeys.publicKey(for: foreignHub.hubNode, suite: otherSuite)
        var noTime = TestKeys.directory(suite: suite)
        noTime.nodes[0].status = .revoked
        for directory in [twice, badKey, foreignKey, foreignHub, noTime] {
            #expect(throws: DomainError.self) { try directory.validate() }
        }
        #expect(throws: Never.self) { try TestKeys.directory(suite: suite).validate() }
    }
}

@Suite("identity number masking")
struct IdentityNumberMaskTests {
    @Test(
        "the region and last four stay, the rest is hidden",
        arguments: [
            ("110105199001011234", "110105********1234"), ("11010519900101123X", "110105********123X"),
            ("91440101MA5CXXXX1A", "914401********XX1A"), ("12345", "***45"), ("A1", "A1"), ("", ""),
        ])
    func mask(number: String, masked: String) {
        #expect(IdentityNumberMask.mask(number) == masked)
        #expect(IdentityNumberMask.mask(number).count == number.count)
    }
}
