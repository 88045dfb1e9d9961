import Crypto
import Entrustment
import Foundation

/// A node's request to join, sent to the hub by `courtsync register` (`POST /v1/register`, or a
/// file for hub staff): the court, node id and public key, signed with the node's private key so
/// the hub knows the sender holds it.
public struct RegistrationRequest: Codable, Sendable, Equatable {
    public var court: String
    public var node: String
    /// Ed25519 public key, 64 hex digits.
    public var publicKey: String
    /// The node's clock when it asked, RFC 3339.
    public var requestedAt: String
    /// ``SignaturePurpose/registration`` over ``signedMessage``, base64.
    public var signature: String

    /// The bytes signed: court, node, key and time, one per line.
    var signedMessage: [UInt8] { Array("\(court)\n\(node)\n\(publicKey)\n\(requestedAt)".utf8) }

    /// A request for this node, signed with its key.
    public init(identity: (court: CourtCode, node: NodeID), key: Curve25519.Signing.PrivateKey, at time: Timestamp) {
        court = identity.court.rawValue
        node = identity.node.rawValue
        publicKey = NodeKeyFile.publicKeyHex(key)
        requestedAt = time.rfc3339
        signature = ""
        signature = Data(SignaturePurpose.registration.sign(signedMessage, with: key)).base64EncodedString()
    }

    /// Checks the fields and the signature; returns the pending entry for the hub's register.
    public func verified(directory: CourtDirectory) throws(NodeError) -> RegisteredNode {
        do throws(DomainError) {
            let code = try CourtCode(court)
            _ = try directory.court(code)
            let id = try NodeID(node)
            guard node.hasPrefix(code.rawValue + "."), node.count > code.rawValue.count + 1 else {
                throw DomainError(
                    .invalidField, "node id \(node) must begin with its court's code and a dot (\(code.rawValue).…)")
            }
            let key = try SignaturePurpose.publicKey(hex: publicKey)
            _ = try Timestamp(rfc3339: requestedAt)
            guard let signatureBytes = Data(base64Encoded: signature),
                SignaturePurpose.registration.isValid(Array(signatureBytes), of: signedMessage, by: key)
            else {
                throw DomainError(.badSignature, "the registration of \(node) is not signed by the key it presents")
            }
            // Kept in lowercase, so that a key is one string however the caller spelled its hex.
            return RegisteredNode(
                court: code, node: id, publicKey: Hex.encode(Array(key.rawRepresentation)), status: .pending,
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

    public init(status: String, hubNode: String, hubKey: String, directoryVersion: Int) {
        self.status = status
        self.hubNode = hubNode
        self.hubKey = hubKey
        self.directoryVersion = directoryVersion
    }
}
