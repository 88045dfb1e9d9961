import Entrustment
import Replica

/// Conflicts between concurrent acts, as this node holds them, and their acknowledgement.
extension CourtNode {
    /// The conflicts held, oldest first: the open ones, or all of them.
    public func conflicts(includeAcknowledged: Bool) throws(NodeError) -> [Conflict] {
        try read { () throws(ReplicaError) in try replica.conflicts(includeAcknowledged: includeAcknowledged) }
    }

    /// 确认冲突: acknowledges the conflict whose id starts with `idPrefix` (at least 6 hex digits)
    /// with a note. The acknowledgement is an event on the matter, so it syncs like any act; only
    /// the courts party to the matter and the hub may make it.
    public func acknowledge(conflict idPrefix: String, note: String) throws(NodeError) -> Conflict {
        let prefix = idPrefix.lowercased()
        guard prefix.count >= 6, prefix.count <= 64, prefix.allSatisfy(\.isHexDigit) else {
            throw NodeError(
                code: "invalidConflictID", "\"\(idPrefix)\" is not a conflict id: give at least 6 of its hex digits")
        }
        guard !note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw NodeError(code: "invalidField", "an acknowledgement needs a note (--note) saying what was done")
        }
        let found = try read { () throws(ReplicaError) in try replica.conflicts(idPrefix: prefix) }
        guard let conflict = found.first else {
            throw NodeError(
                code: "unknownConflict", "no conflict \(idPrefix) on this node: see `courtsync conflicts --all`")
        }
        guard found.count == 1 else {
            throw NodeError(
                code: "ambiguousConflictID",
                "\(idPrefix) matches \(found.count) conflicts (\(found.map { String($0.id.hex.prefix(12)) }.joined(separator: ", "))): give more digits"
            )
        }
        let matter = try act(on: conflict.matterID.rawValue, .acknowledge(conflict: conflict.id, note: note))
        return matter.conflicts.first { $0.id == conflict.id }!
    }

    /// The digest of the matters held, or of those `court` may see.
    public func digest(visibleTo court: String?) throws(NodeError) -> ReplicaDigest {
        var code: CourtCode?
        if let court {
            do {
                code = try CourtCode(court)
            } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
        }
        if let code, !replica.directory.contains(code) {
            throw NodeError(code: "unknownCourt", "court \(code) is not in the court directory")
        }
        return try read { () throws(ReplicaError) in try replica.digest(visibleTo: code) }
    }
}
