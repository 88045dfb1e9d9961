import Crypto
import Entrustment
import Testing

/// Keys of small order, or with a non-canonical y, are refused wherever a key is read
/// (`Protocol/sync.md` §2): for such a key one signature verifies for every message.
@Suite("weak public keys are refused")
struct WeakKeyTests {
    /// The y coordinates of the points of small order, and two non-canonical encodings (p, p + 1).
    static let weak = [
        "0000000000000000000000000000000000000000000000000000000000000000",
        "0100000000000000000000000000000000000000000000000000000000000000",
        "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
    ]

    @Test("each small-order point, in either sign of x, and each non-canonical y is weak", arguments: weak)
    func refused(hex: String) throws {
        var bytes = try #require(Hex.decode(hex))
        for sign in [false, true] {
            if sign { bytes[31] |= 0x80 }
            #expect(SignaturePurpose.isWeak(bytes), "\(Hex.encode(bytes))")
            #expect(throws: DomainError.self) { try VerifyingKey(hex: Hex.encode(bytes), suite: .ed25519) }
        }
    }

    @Test("the identity key shows why: one signature verifies for any message, were it accepted")
    func identityKeyForgesEverything() throws {
        let identity = try Curve25519.Signing.PublicKey(rawRepresentation: [1] + [UInt8](repeating: 0, count: 31))
        let universal = [1] + [UInt8](repeating: 0, count: 63)
        #expect(identity.isValidSignature(universal, for: Array("冻结".utf8)))
        #expect(identity.isValidSignature(universal, for: Array("撤回".utf8)))
        #expect(throws: DomainError.self) {
            try VerifyingKey(hex: "01" + String(repeating: "00", count: 31), suite: .ed25519)
        }
    }

    @Test("real keys are not weak")
    func realKeys() throws {
        for _ in 0..<100 {
            let key = SigningKey.generate(.ed25519).publicKey
            #expect(!SignaturePurpose.isWeak(key.bytes))
            _ = try VerifyingKey(hex: key.hex, suite: .ed25519)
        }
    }
}
