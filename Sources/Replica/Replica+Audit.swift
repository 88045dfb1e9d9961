import Entrustment
import Foundation
import GRDB

/// An event row as stored, not yet trusted: what `courtsync audit verify` re-checks.
public struct StoredEventRecord: Sendable {
    /// The arrival sequence.
    public var sequence: Int64
    /// The `id` column (the id the row claims).
    public var id: String
    /// The `matter_id` column.
    public var matter: String
    /// The `encoded` and `signature` columns.
    public var encoded: [UInt8]
    public var signature: [UInt8]
}

extension Replica {
    /// The matter ids the event log names, ascending.
    public func loggedMatterIDs() throws(ReplicaError) -> [String] {
        try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT matter_id FROM events ORDER BY matter_id") }
    }

    /// One matter's event rows, in arrival order, exactly as stored.
    public func eventRecords(ofMatter matter: String) throws(ReplicaError) -> [StoredEventRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT arrival_seq, id, matter_id, encoded, signature FROM events
                    WHERE matter_id = ? ORDER BY arrival_seq
                    """, arguments: [matter]
            ).map {
                StoredEventRecord(
                    sequence: $0["arrival_seq"], id: $0["id"], matter: $0["matter_id"],
                    encoded: [UInt8]($0["encoded"] as Data), signature: [UInt8]($0["signature"] as Data))
            }
        }
    }
}
