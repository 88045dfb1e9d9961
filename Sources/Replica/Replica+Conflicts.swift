import Entrustment
import GRDB

extension Replica {
    /// The conflicts this replica holds, oldest first: only the open ones unless `includeAcknowledged`.
    public func conflicts(includeAcknowledged: Bool = false) throws(ReplicaError) -> [Conflict] {
        let filter = includeAcknowledged ? "" : "WHERE status = 'open'"
        return try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM conflicts \(filter) ORDER BY superseded_at, id").map(
                ConflictRow.load)
        }
    }

    /// The conflicts whose id starts with `prefix` (hex digits, any case).
    public func conflicts(idPrefix prefix: String) throws(ReplicaError) -> [Conflict] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM conflicts WHERE substr(id, 1, ?) = ? ORDER BY id LIMIT 10",
                arguments: [prefix.count, prefix.lowercased()]
            ).map(ConflictRow.load)
        }
    }

    /// The number of conflicts not yet acknowledged.
    public func openConflictCount() throws(ReplicaError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM conflicts WHERE status = 'open'") ?? 0 }
    }
}
