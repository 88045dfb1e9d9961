import Entrustment
import Foundation
import GMCrypto
import Testing
import TestSupport

/// The two suites through the same key types: signatures, key encodings and the hostile inputs a
/// key or signature parser meets (`Protocol/sync.md` §2.6).
@Suite("signature suites")
struct SignatureSuiteTests {
    /// The SM2 curve order n, big-endian.
    static let order = Hex.decode("fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123")!

    @Test(
        "a key signs and verifies in its suite; a changed message, signature or key does not verify",
        arguments: SignatureSuite.allCases)
    func signAndVerify(suite: SignatureSuite) throws {
        let key = SigningKey.generate(suite)
        #expect(key.suite == suite && key.publicKey.bytes.count == suite.publicKeyLength)
        let message = Array("冻结被执行人名下银行存款".utf8)
        let signature = key.signature(for: message)
        #expect(signature.count == SignatureSuite.signatureLength)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: message + [0]))
        for index in [0, 31, 32, 63] {
            var flipped = signature
            flipped[index] ^= 0x01
            #expect(!key.publicKey.isValidSignature(flipped, for: message), "byte \(index) flipped")
        }
        #expect(!SigningKey.generate(suite).publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(Array(signature.dropLast()), for: message))
        // The key round-trips through its file text and its hex.
        let reread = try VerifyingKey(hex: key.publicKey.hex.uppercased(), suite: suite)
        #expect(reread == key.publicKey && reread.isValidSignature(signature, for: message))
        let text = key.fileText
        let again: SigningKey =
            suite == .sm2
            ? try SigningKey(sm2PEM: text)
            : try SigningKey(ed25519Seed: Hex.decode(text.trimmingCharacters(in: .newlines))!)
        #expect(again.publicKey == key.publicKey)
    }

    @Test("SM2 signatures are randomised, and each verifies")
    func sm2Randomised() {
        let key = SigningKey.generate(.sm2)
        let message = Array("the same bytes".utf8)
        let first = key.signature(for: message)
        let second = key.signature(for: message)
        #expect(first != second)
        #expect(
            key.publicKey.isValidSignature(first, for: message) && key.publicKey.isValidSignature(second, for: message))
    }

    @Test("an SM2 signature with r or s of 0 or ≥ n never verifies")
    func sm2ScalarsOutOfRange() {
        let key = SigningKey.generate(.sm2)
        let message = Array("x".utf8)
        let good = key.signature(for: message)
        let zero = [UInt8](repeating: 0, count: 32)
        let ones = [UInt8](repeating: 0xFF, count: 32)
        let r = Array(good.prefix(32))
        let s = Array(good.suffix(32))
        for bad in [zero + s, r + zero, Self.order + s, r + Self.order, ones + s, r + ones, zero + zero] {
            #expect(!key.publicKey.isValidSignature(bad, for: message))
        }
    }

    @Test(
        "SM2 public keys off the curve, at infinity, compressed or of the wrong length are refused",
        arguments: [
            ("not on the curve", "04" + String(repeating: "11", count: 64)),
            ("the point at infinity", "00" + String(repeating: "00", count: 64)),
            ("all zero after 04", "04" + String(repeating: "00", count: 64)),
            ("an Ed25519 key's length", String(repeating: "ab", count: 32)),
            ("compressed form", "02" + String(repeating: "32", count: 32)),
            ("one byte short", "04" + String(repeating: "11", count: 63)),
            ("not hex", "04" + String(repeating: "zz", count: 64)),
        ])
    func sm2BadKeys(why: String, hex: String) {
        #expect(throws: DomainError.self, "\(why)") { try VerifyingKey(hex: hex, suite: .sm2) }
    }

    @Test("a key of one suite is not a key of the other")
    func keysDoNotCross() throws {
        let ed = SigningKey.generate(.ed25519).publicKey.hex
        let sm = SigningKey.generate(.sm2).publicKey.hex
        #expect(throws: DomainError.self) { try VerifyingKey(hex: ed, suite: .sm2) }
        #expect(throws: DomainError.self) { try VerifyingKey(hex: sm, suite: .ed25519) }
        // The same bytes signed in both suites, each verified by the other's key type: never.
        let message = Array("m".utf8)
        let edKey = SigningKey.generate(.ed25519)
        let smKey = SigningKey.generate(.sm2)
        #expect(!smKey.publicKey.isValidSignature(edKey.signature(for: message), for: message))
        #expect(!edKey.publicKey.isValidSignature(smKey.signature(for: message), for: message))
    }

    @Test(
        "PEM private keys that are not unencrypted SM2 keys are refused with a reason",
        arguments: [
            ("empty", ""),
            ("garbage", "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n"),
            ("a certificate, not a key", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
            ("a huge file", String(repeating: "A", count: 70_000)),
        ])
    func badPEM(why: String, pem: String) {
        #expect(throws: DomainError.self, "\(why)") { try SigningKey(sm2PEM: pem) }
    }

    @Test(
        "an SM2 private key whose scalar is out of range, or whose public point is not its own, is refused at once",
        arguments: [
            ("d = 0", String(repeating: "00", count: 32)),
            ("d = n − 1 (signing would never end)", "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54122"),
            ("d = n", "fffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123"),
            ("d = 2²⁵⁶ − 1", String(repeating: "ff", count: 32)),
        ])
    func sm2BadScalars(why: String, scalar: String) {
        #expect(throws: DomainError.self, "\(why)") {
            try SigningKey(sm2PEM: TestKeys.sm2PEM(scalar: Hex.decode(scalar)!))
        }
    }

    @Test("an SM2 private key carrying another key's public point is refused")
    func sm2MismatchedPoint() throws {
        let scalar = SM3.hash(Array("京0105.node".utf8))
        let other = SigningKey.generate(.sm2).publicKey.bytes
        let der: [UInt8] =
            [0x30, 0x77, 0x02, 0x01, 0x01, 0x04, 0x20] + scalar
            + [0xA0, 0x0A, 0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D]
            + [0xA1, 0x44, 0x03, 0x42, 0x00] + other
        let pem =
            "-----BEGIN EC PRIVATE KEY-----\n\(Data(der).base64EncodedString(options: .lineLength64Characters))\n-----END EC PRIVATE KEY-----\n"
        #expect(throws: DomainError.self) { try SigningKey(sm2PEM: pem) }
        // The same file with its own point is fine.
        let own = try SigningKey(sm2PEM: TestKeys.sm2PEM(scalar: scalar)).publicKey.bytes
        let ownDER = Array(der.prefix(der.count - 65)) + own
        let ownPEM =
            "-----BEGIN EC PRIVATE KEY-----\n\(Data(ownDER).base64EncodedString(options: .lineLength64Characters))\n-----END EC PRIVATE KEY-----\n"
        #expect(try SigningKey(sm2PEM: ownPEM).publicKey.bytes == own)
    }

    @Test("an encrypted SM2 key is refused, with the command that decrypts it")
    func sm2EncryptedKey() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("encrypted.pem").path
        let made = try CommandRunner.shell(
            "openssl genpkey -algorithm SM2 -aes-128-cbc -pass pass:secret -out '\(path)'")
        #expect(made.status == 0, "\(made.stderr)")
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        #expect(pem.contains("ENCRYPTED"))
        #expect { try SigningKey(sm2PEM: pem) } throws: {
            ($0 as? DomainError)?.message.contains("openssl pkey") == true
        }
    }

    @Test(
        "a hasher is a value: a copy goes on alone, and finishing does not end it", arguments: SignatureSuite.allCases)
    func hasherIsAValue(suite: SignatureSuite) {
        var first = suite.hasher()
        first.update(Array("ab".utf8))
        var second = first
        second.update(Array("c".utf8))
        #expect(first.finalize() == suite.hash(Array("ab".utf8)))
        #expect(first.finalize() == suite.hash(Array("ab".utf8)))
        #expect(second.finalize() == suite.hash(Array("abc".utf8)))
        first.update(Array("x".utf8))
        #expect(first.finalize() == suite.hash(Array("abx".utf8)))
        #expect(second.finalize() == suite.hash(Array("abc".utf8)))
    }

    @Test(
        "real keys on other curves, made by the OpenSSL command line, are refused as not SM2",
        arguments: ["genpkey -algorithm ED25519", "ecparam -name prime256v1 -genkey -noout"])
    func otherCurves(command: String) throws {
        let made = try CommandRunner.shell("openssl \(command)")
        #expect(made.status == 0 && made.stdout.contains("PRIVATE KEY"), "\(made.stderr)")
        #expect { try SigningKey(sm2PEM: made.stdout) } throws: {
            ($0 as? DomainError)?.message.contains("not an SM2 key") == true
        }
    }

    @Test("an SM2 key given as SEC 1 or PKCS#8 PEM is the same key")
    func pemForms() throws {
        let scalar = SM3.hash(Array("京0105.node".utf8))
        let sec1 = try SigningKey(sm2PEM: TestKeys.sm2PEM(scalar: scalar))
        let pkcs8 = try SigningKey(sm2PEM: sec1.fileText)
        #expect(sec1.fileText.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(pkcs8.publicKey == sec1.publicKey)
        let message = Array("same".utf8)
        #expect(sec1.publicKey.isValidSignature(pkcs8.signature(for: message), for: message))
    }

    @Test("the suite byte and the hash", arguments: SignatureSuite.allCases)
    func suiteBasics(suite: SignatureSuite) {
        #expect(SignatureSuite(byte: suite.byte) == suite)
        #expect(suite.hash([]).count == SignatureSuite.hashLength)
        var hasher = suite.hasher()
        hasher.update(Array("ab".utf8))
        hasher.update(Array("c".utf8)[...])
        #expect(hasher.finalize() == suite.hash(Array("abc".utf8)))
        #expect(SignatureSuite(byte: 0) == nil && SignatureSuite(byte: 3) == nil)
        #expect(SignatureSuite.ed25519.hash(Array("abc".utf8)) != SignatureSuite.sm2.hash(Array("abc".utf8)))
    }
}
