import Crypto
import Entrustment
import Foundation
import Replica

/// The tokens with which staff read a node's monitoring endpoints (`courtsync token …`, on the
/// hub also `courtsync hub token …`): made here, shown once, stored only as their SHA-256,
/// revocable (`docs/security.md`).
extension CourtNode {
    /// Makes a token named `name` with `scope`; returns its text (shown once) and its record.
    public func createStaffToken(name: String, scope: StaffToken.Scope) throws(NodeError) -> (
        token: String, record: StaffToken
    ) {
        guard !name.isEmpty, name.utf8.count <= 64, name.unicodeScalars.allSatisfy(FreeText.allows),
            !name.contains("\n"), !name.contains("\t")
        else {
            throw NodeError(code: "invalidField", "a token's name is 1-64 bytes of text on one line")
        }
        let token = "cst_" + Hex.encode((0..<32).map { _ in UInt8.random(in: 0...255) })
        let record = try read { () throws(ReplicaError) in
            try replica.createStaffToken(name: name, scope: scope, hash: Self.tokenHash(token), now: time.now())
        }
        return (token, record)
    }

    /// Every token, revoked ones too.
    public func staffTokens() throws(NodeError) -> [StaffToken] {
        try read { () throws(ReplicaError) in try replica.staffTokens() }
    }

    /// Revokes the token named `name`.
    public func revokeStaffToken(name: String) throws(NodeError) -> StaffToken {
        try read { () throws(ReplicaError) in try replica.revokeStaffToken(name: name, now: time.now()) }
    }

    /// The unrevoked token `token` is, if any.
    public func staffToken(_ token: String) throws(NodeError) -> StaffToken? {
        guard token.utf8.count <= 128 else { return nil }
        return try read { () throws(ReplicaError) in try replica.staffToken(hash: Self.tokenHash(token)) }
    }

    private static func tokenHash(_ token: String) -> String {
        Hex.encode(Array(SHA256.hash(data: Array(token.utf8))))
    }
}
