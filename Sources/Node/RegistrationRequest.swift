import Entrustment
import Foundation

/// A node's request to join, sent to the hub by `courtsync register` (`POST /v1/register`, or a
/// file for hub staff): the court, node id and public key, signed with the node's private key so
/// the hub knows the sender holds it.
public struct RegistrationRequest: Codable, Sendable, Equatable {
    public var court: String
    public var node: String
    /// The node's public key in the network's suite, hex (64 digits Ed25519, 130 SM2).
    public var publicKey: String
    /// The node's clock when it asked, RFC 3339.
    public var requestedAt: String
    /// ``SignaturePurpose/registration`` over ``signedMessage``, base64.
    public var signature: String

    /// The bytes signed: court, node, key and time, one per line.
    var signedMessage: [UInt8] { Array("\(court)\n\(node)\n\(publicKey)\n\(requestedAt)".utf8) }

    /// A request for this node, signed with its key.
    public init(identity: (court: CourtCode, node: NodeID), key: SigningKey, at time: Timestamp) {
        court = identity.court.rawValue
        node = identity.node.rawValue
        publicKey = key.publicKey.hex
        requestedAt = time.rfc3339
        signature = ""
        signature = Data(SignaturePurpose.registration.sign(signedMessage, with: key)).base64EncodedString()
    }

    /// Checks the fields and the signature (the key must be of the network's `suite`); returns
    /// the pending entry for the hub's register.
    public func verified(directory: CourtDirectory, suite: SignatureSuite) throws(NodeError) -> RegisteredNode {
        do throws(DomainError) {
            let code = try CourtCode(court)
            _ = try directory.court(code)
            let id = try NodeID(node)
            guard node.hasPrefix(code.rawValue + "."), node.count > code.rawValue.count + 1 else {
                throw DomainError(
                    .invalidField, "node id \(node) must begin with its court's code and a dot (\(code.rawValue).…)")
            }
            let key: VerifyingKey
            do { key = try VerifyingKey(hex: publicKey, suite: suite) } catch {
                if let other = VerifyingKey.suite(ofHex: publicKey) {
                    throw DomainError(
                        .invalidField,
                        "node \(node) was made for the \(other) suite, but this network uses \(suite) (\(suite.signatureName)/\(suite.hashName)): initialise it again with --suite \(suite)"
                    )
                }
                throw error
            }
            _ = try Timestamp(rfc3339: requestedAt)
            guard let signatureBytes = Data(base64Encoded: signature),
                SignaturePurpose.registration.isValid(Array(signatureBytes), of: signedMessage, by: key)
            else {
                throw DomainError(.badSignature, "the registration of \(node) is not signed by the key it presents")
            }
            // Kept in lowercase, so that a key is one string however the caller spelled its hex.
            return RegisteredNode(
                court: code, node: id, publicKey: key.hex, status: .pending,
                requestedAt: requestedAt)
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }
}

/// The hub's answer to a registration.
public struct RegistrationReceipt: Codable, Sendable, Equatable {
    /// `pending`, `approved`, `rejected` or `revoked`.
    public var status: String
    /// The hub's node id and public key (pinned by a node that trusts on first use).
    public var hubNode: String
    public var hubKey: String
    /// The version of the hub's current signed directory.
    public var directoryVersion: Int
    /// The network's suite (absent from hubs made before suites existed: `ed25519`).
    public var suite: SignatureSuite?

    public init(status: String, hubNode: String, hubKey: String, directoryVersion: Int, suite: SignatureSuite) {
        self.suite = suite
        self.status = status
        self.hubNode = hubNode
        self.hubKey = hubKey
        self.directoryVersion = directoryVersion
    }
}
