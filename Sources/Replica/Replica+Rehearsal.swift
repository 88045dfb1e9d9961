import Entrustment
import GRDB

extension Replica {
    /// Runs `body` in a write transaction that is always rolled back: what a change would do,
    /// changing nothing (`courtsync sync --dry-run`). Other writers wait meanwhile, as for any
    /// write; keep `body` free of network waits.
    public func rehearse<T>(_ body: (inout ReplicaTransaction) throws -> T) throws(ReplicaError) -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    var transaction = try ReplicaTransaction(db: db, replica: self)
                    result = try body(&transaction)
                    return .rollback
                }
                return result!
            }
        } catch {
            throw Self.writeFailure(error)
        }
    }
}

extension ReplicaTransaction {
    /// ``Replica/changes(after:for:maxEvents:maxBytes:)`` as this transaction sees the replica.
    public func changes(after: Int64, for selection: ChangeSelection, maxEvents: Int, maxBytes: Int) throws
        -> ChangeBatch
    {
        let query = replica.changesQuery(after: after, for: selection, maxEvents: maxEvents)
        return try Replica.changes(query, after: after, maxBytes: maxBytes, in: db)
    }

    /// ``Replica/documentsWanted(by:from:)`` as this transaction sees the replica.
    public func documentsWanted(by court: CourtCode, from remote: CourtCode) throws -> [DocumentNeed] {
        try Replica.documentsWanted(by: court, from: remote, in: db)
    }

    /// ``Replica/documentsToOffer(to:)`` as this transaction sees the replica.
    public func documentsToOffer(to remote: CourtCode) throws -> [DocumentNeed] {
        try Replica.documentsToOffer(to: remote, in: db)
    }

    /// The conflicts recorded with a sequence (rowid) after `after`: their matter, rule and the
    /// kinds of the winning and the superseded act.
    public func conflicts(after rowid: Int64) throws -> [(
        matter: String, rule: String, winner: String, superseded: String
    )] {
        try Row.fetchAll(
            db,
            sql:
                "SELECT matter_id, rule, winner_kind, superseded_kind FROM conflicts WHERE rowid > ? ORDER BY rowid",
            arguments: [rowid]
        ).map {
            (matter: $0["matter_id"], rule: $0["rule"], winner: $0["winner_kind"], superseded: $0["superseded_kind"])
        }
    }

    /// The highest rowid of the conflicts table (0 when empty).
    public func lastConflictRow() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM conflicts") ?? 0
    }
}
