import Entrustment
import GRDB

/// The digest of the matters a replica holds (``MatterDigest``), to compare replicas in one line.
public struct ReplicaDigest: Sendable {
    /// One matter's digest.
    public struct Entry: Sendable {
        public var matter: MatterID
        public var state: MatterState
        public var eventCount: Int
        public var openConflicts: Int
        public var digest: StateDigest
    }

    /// The digest over every matter counted.
    public var digest: StateDigest
    /// The matters, ascending by id.
    public var matters: [Entry]

    /// The number of events folded into the matters.
    public var eventCount: Int { matters.reduce(0) { $0 + $1.eventCount } }
    /// The number of conflicts not yet acknowledged.
    public var openConflicts: Int { matters.reduce(0) { $0 + $1.openConflicts } }
}

extension Replica {
    /// The digest of the matters held, or of those `court` may see (a party, a superior of a
    /// party, or the hub): the hub's view of one court can be compared with that court's own.
    public func digest(visibleTo court: CourtCode? = nil) throws(ReplicaError) -> ReplicaDigest {
        var sql = "SELECT id, state, event_count, open_conflicts, digest FROM matters"
        var arguments: StatementArguments = []
        if let court, court != .supreme {
            let courts = directory.jurisdiction(of: court).map(\.rawValue)
            let list = courts.map { _ in "?" }.joined(separator: ",")
            sql += " WHERE entrusting_court IN (\(list)) OR entrusted_court IN (\(list))"
            arguments = StatementArguments(courts + courts)
        }
        let entries = try read { db in
            try Row.fetchAll(db, sql: sql + " ORDER BY id", arguments: arguments).map { row in
                guard let state = MatterState(rawValue: row["state"]),
                    let digest = StateDigest(hex: row["digest"])
                else { throw ReplicaError(.corrupt, "matters row \(row["id"] as String? ?? "?") is damaged") }
                return ReplicaDigest.Entry(
                    matter: try MatterID(row["id"]), state: state, eventCount: row["event_count"],
                    openConflicts: row["open_conflicts"], digest: digest)
            }
        }
        return ReplicaDigest(
            digest: MatterDigest.combine(entries.map { ($0.matter, $0.digest) }), matters: entries)
    }
}
