import Entrustment
import Foundation

/// The court directory as it travels: the JSON payload the hub signed, exactly as signed, and
/// the hub's signature (``SignaturePurpose/directory``). Served at `GET /v1/directory`, written
/// by `courtsync hub directory --out`, read by `courtsync directory --import`.
public struct SignedDirectory: Codable, Sendable, Equatable {
    /// The largest payload accepted (a directory of every court in China is about 1 MiB).
    public static let maxPayloadBytes = 8 << 20

    /// The signed JSON of a ``TrustDirectory``.
    public var payload: Data
    /// The hub's signature of the payload, in the network's suite.
    public var signature: Data

    public init(payload: Data, signature: Data) {
        self.payload = payload
        self.signature = signature
    }

    /// Signs a directory with the hub's key.
    public static func issue(_ directory: TrustDirectory, with key: SigningKey) throws(NodeError)
        -> SignedDirectory
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let payload: Data
        do { payload = try encoder.encode(directory) } catch {
            throw NodeError(code: "internal", "cannot encode the directory: \(error)")
        }
        return SignedDirectory(
            payload: payload, signature: Data(SignaturePurpose.directory.sign(Array(payload), with: key)))
    }

    /// Verifies the signature with the pinned hub key (of `suite`, this node's) and decodes and
    /// checks the directory, which must state that suite.
    public func open(hubKey: String, suite: SignatureSuite) throws(NodeError) -> TrustDirectory {
        guard payload.count <= Self.maxPayloadBytes else {
            throw NodeError(code: "tooLarge", "the directory is over the limit of \(Self.maxPayloadBytes) bytes")
        }
        let key: VerifyingKey
        do { key = try VerifyingKey(hex: hubKey, suite: suite) } catch {
            throw NodeError(code: "badSignature", "the pinned hub key is unreadable: \(error.message)")
        }
        guard SignaturePurpose.directory.isValid(Array(signature), of: Array(payload), by: key) else {
            // A hint only (the payload is not trusted): a directory of another network's suite.
            struct Stated: Decodable { var suite: SignatureSuite? }
            if let stated = try? JSONDecoder().decode(Stated.self, from: payload), let other = stated.suite,
                other != suite
            {
                throw NodeError(
                    code: "wrongSuite",
                    "the court directory is not signed by the pinned hub key; it says it is of the \(other) suite, and this node was made for \(suite): it cannot join that network"
                )
            }
            throw NodeError(
                code: "badSignature",
                "the court directory is not signed by the pinned hub key \(hubKey.prefix(16))…: refused")
        }
        let directory: TrustDirectory
        do {
            directory = try JSONDecoder().decode(TrustDirectory.self, from: payload)
            try directory.validate()
        } catch let error as DomainError {
            throw NodeError(code: "invalidDirectory", "the signed directory is invalid: \(error.message)")
        } catch {
            throw NodeError(code: "invalidDirectory", "the signed directory is not readable JSON")
        }
        guard directory.signatureSuite == suite else {
            throw NodeError(
                code: "wrongSuite",
                "the court directory is of the \(directory.signatureSuite) suite, but this node was made for \(suite): it cannot join that network"
            )
        }
        guard directory.hubKey == hubKey else {
            throw NodeError(code: "badSignature", "the signed directory names another hub key")
        }
        return directory
    }

    /// Reads a signed directory document (JSON), refusing anything that is not one.
    public static func decode(_ data: Data) throws(NodeError) -> SignedDirectory {
        guard data.count <= maxPayloadBytes * 2 else {
            throw NodeError(code: "tooLarge", "the directory document is over \(maxPayloadBytes * 2) bytes")
        }
        do {
            return try JSONDecoder().decode(SignedDirectory.self, from: data)
        } catch {
            throw NodeError(
                code: "invalidDirectory", "not a signed court directory (expected {\"payload\", \"signature\"})")
        }
    }

    /// The document as JSON.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try! encoder.encode(self)
    }
}
