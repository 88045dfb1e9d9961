import Entrustment
import Foundation
import GRDB

/// What this node knows of one sync link (to the hub or a peer court), kept in the `links` table
/// so that operators' commands can read it while the daemon runs.
public struct LinkState: Sendable, Hashable {
    /// The remote court (`最高法` for the hub).
    public var court: CourtCode
    /// Its base URL.
    public var url: String
    /// The remote node's id, as its handshake last said. When it changes (the remote node was
    /// re-initialised), both cursors start again from 0; events deduplicate by id.
    public var remoteNode: NodeID?
    /// The remote's arrival sequence this node has durably applied through (pull cursor).
    public var pulledThrough: Int64 = 0
    /// This node's arrival sequence the remote has acknowledged storing (push cursor).
    public var pushedThrough: Int64 = 0
    /// The remote's highest arrival sequence, as last reported.
    public var remoteHead: Int64 = 0
    /// The id of the remote's latest restore from a backup, as its last handshake said (`nil`:
    /// never restored as far as this node knows, or a remote of protocol version 1). When it
    /// changes, the push cursor starts again from 0: the restore may have lost what the remote
    /// acknowledged.
    public var remoteRestore: String?
    /// Set when this node's replica was restored from a backup: until it has caught up with the
    /// remote, its pulls ask for this node's own events too (`echo`), which the backup may lack.
    public var recovering = false
    /// The last attempt, success and failure, and the failure's message.
    public var lastAttemptAt: Timestamp?
    public var lastSuccessAt: Timestamp?
    public var lastErrorAt: Timestamp?
    public var lastError: String?
    /// Failures since the last success.
    public var failures: Int = 0
    /// Events received and sent over the link, and the compressed bytes.
    public var eventsIn: Int64 = 0
    public var eventsOut: Int64 = 0
    public var bytesIn: Int64 = 0
    public var bytesOut: Int64 = 0

    public init(court: CourtCode, url: String) {
        self.court = court
        self.url = url
    }

    static func load(_ row: Row) throws -> LinkState {
        var state = LinkState(court: try CourtCode(row["court"]), url: row["url"])
        state.remoteNode = try (row["remote_node"] as String?).map { try NodeID($0) }
        state.pulledThrough = row["pulled_through"]
        state.pushedThrough = row["pushed_through"]
        state.remoteHead = row["remote_head"]
        state.remoteRestore = row["remote_restore"]
        state.recovering = row["recovering"]
        state.lastAttemptAt = try (row["last_attempt_at"] as String?).map { try Timestamp(rfc3339: $0) }
        state.lastSuccessAt = try (row["last_success_at"] as String?).map { try Timestamp(rfc3339: $0) }
        state.lastErrorAt = try (row["last_error_at"] as String?).map { try Timestamp(rfc3339: $0) }
        state.lastError = row["last_error"]
        state.failures = row["failures"]
        state.eventsIn = row["events_in"]
        state.eventsOut = row["events_out"]
        state.bytesIn = row["bytes_in"]
        state.bytesOut = row["bytes_out"]
        return state
    }
}

extension ReplicaTransaction {
    /// The stored state of the link to `court`, if any.
    public func link(_ court: CourtCode) throws -> LinkState? {
        try Row.fetchOne(db, sql: "SELECT * FROM links WHERE court = ?", arguments: [court.rawValue]).map(
            LinkState.load)
    }

    /// Stores a link's state (insert or replace).
    public func saveLink(_ state: LinkState) throws {
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO links (court, url, remote_node, pulled_through, pushed_through, remote_head,
                    last_attempt_at, last_success_at, last_error_at, last_error, failures, events_in, events_out,
                    bytes_in, bytes_out, remote_restore, recovering)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                state.court.rawValue, state.url, state.remoteNode?.rawValue, state.pulledThrough, state.pushedThrough,
                state.remoteHead, state.lastAttemptAt?.rfc3339, state.lastSuccessAt?.rfc3339,
                state.lastErrorAt?.rfc3339, state.lastError, state.failures, state.eventsIn, state.eventsOut,
                state.bytesIn, state.bytesOut, state.remoteRestore, state.recovering,
            ])
    }
}

extension Replica {
    /// Every link's stored state, by court.
    public func links() throws(ReplicaError) -> [LinkState] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM links ORDER BY court").map(LinkState.load) }
    }

    /// Reads, changes and stores one link's state in one transaction (a new link starts empty).
    /// With `witnesses` (from a push receipt, sent by `remote`), stores those of matters
    /// `visibleTo` may see in the same transaction.
    @discardableResult
    public func updateLink(
        _ court: CourtCode, url: String, witnesses: [Witness] = [], from remote: NodeID? = nil,
        now: Timestamp = Timestamp(milliseconds: 0), visibleTo: CourtCode? = nil, _ change: (inout LinkState) -> Void
    ) throws(ReplicaError) -> LinkState {
        try write { tx in
            if !witnesses.isEmpty { _ = try tx.store(witnesses, receivedFrom: remote, now: now, visibleTo: visibleTo) }
            var state = try tx.link(court) ?? LinkState(court: court, url: url)
            state.url = url
            change(&state)
            try tx.saveLink(state)
            return state
        }
    }
}
