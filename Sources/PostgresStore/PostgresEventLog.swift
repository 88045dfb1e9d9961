import Logging
import NIOCore
import PostgresNIO

/// The hub's event log in PostgreSQL, which several hub processes append to at once.
///
/// **Arrival sequence.** A pull cursor is an arrival sequence: a court that has stored
/// everything through `n` asks for what came after `n`. With several writers, numbers from a
/// PostgreSQL sequence would commit out of order (a transaction takes 7, another takes 8 and
/// commits first; a reader stores 8 and moves its cursor past 7, which then commits and is never
/// pulled). So numbers come from one counter row, `courtsync_arrival.head`, which an append
/// locks (`SELECT … FOR UPDATE`) before it numbers its events and holds until its transaction
/// ends: the next append waits for that commit (or rollback) before it reads the head. Numbers
/// are therefore given in commit order, and every snapshot a reader takes holds a prefix
/// `1…h` of the log with no gap: **a cursor never skips an event committed later with a lower
/// number.** The cost is that appends commit one at a time; the hub's group commit makes one
/// append of many pushes.
///
/// Every append sends `NOTIFY courtsync_changes` with the new head; PostgreSQL delivers it to
/// every listening process when (and only if) the transaction commits.
public struct PostgresEventLog: Sendable {
    /// One stored event, as the SQLite replica's `events` table holds it.
    public struct Row: Sendable, Equatable {
        public var id: String
        public var matterID: String
        public var kind: String
        public var author: String
        public var origin: String
        public var hlcWall: Int64
        public var hlcCounter: Int32
        public var recordedAt: String
        public var parents: String
        public var storedAt: String
        /// The signed event's bytes as they travel.
        public var encoded: [UInt8]

        public init(
            id: String, matterID: String, kind: String, author: String, origin: String, hlcWall: Int64,
            hlcCounter: Int32, recordedAt: String, parents: String, storedAt: String, encoded: [UInt8]
        ) {
            self.id = id
            self.matterID = matterID
            self.kind = kind
            self.author = author
            self.origin = origin
            self.hlcWall = hlcWall
            self.hlcCounter = hlcCounter
            self.recordedAt = recordedAt
            self.parents = parents
            self.storedAt = storedAt
            self.encoded = encoded
        }
    }

    /// The channel appends notify and ``PostgresChangeListener`` listens on.
    public static let channel = "courtsync_changes"

    public init() {}

    /// Stores the rows of `rows` the log does not hold yet (by id; a row repeated in `rows` is
    /// stored once), numbered in order after the head, inside the caller's transaction on
    /// `connection`. Returns the new rows' arrival sequences, in the order of `rows`. The counter
    /// stays locked until that transaction ends: keep what follows short.
    public func append(_ rows: [Row], on connection: PostgresConnection, logger: Logger) async throws -> [Int64] {
        guard !rows.isEmpty else { return [] }
        var head: Int64 = 0
        for try await value in try await connection.query(
            "SELECT head FROM courtsync_arrival FOR UPDATE", logger: logger
        ).decode(Int64.self) {
            head = value
        }
        var held: Set<String> = []
        let ids = rows.map(\.id)
        for try await id in try await connection.query(
            "SELECT id FROM courtsync_event_log WHERE id = ANY(\(ids))", logger: logger
        ).decode(String.self) {
            held.insert(id)
        }
        var fresh: [Row] = []
        for row in rows where held.insert(row.id).inserted { fresh.append(row) }
        guard !fresh.isEmpty else { return [] }
        let sequences = fresh.indices.map { head + 1 + Int64($0) }
        let encoded = fresh.map { ByteBuffer(bytes: $0.encoded) }
        try await connection.query(
            """
            INSERT INTO courtsync_event_log (arrival_seq, id, matter_id, kind, author, origin, hlc_wall, hlc_counter,
                recorded_at, parents, stored_at, encoded)
            SELECT * FROM unnest(\(sequences)::bigint[], \(fresh.map(\.id))::text[], \(fresh.map(\.matterID))::text[],
                \(fresh.map(\.kind))::text[], \(fresh.map(\.author))::text[], \(fresh.map(\.origin))::text[],
                \(fresh.map(\.hlcWall))::bigint[], \(fresh.map(\.hlcCounter))::integer[], \(fresh.map(\.recordedAt))::text[],
                \(fresh.map(\.parents))::text[], \(fresh.map(\.storedAt))::text[], \(encoded)::bytea[])
            """, logger: logger)
        let newHead = head + Int64(fresh.count)
        try await connection.query("UPDATE courtsync_arrival SET head = \(newHead)", logger: logger)
        try await connection.query("SELECT pg_notify(\(Self.channel), \(String(newHead)))", logger: logger)
        let byID = Dictionary(uniqueKeysWithValues: zip(fresh.map(\.id), sequences))
        var seen: Set<String> = []
        return rows.compactMap { seen.insert($0.id).inserted ? byID[$0.id] : nil }
    }

    /// The log's head: the highest arrival sequence committed (0 when empty).
    public func head(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        var head: Int64 = 0
        for try await value in try await connection.query("SELECT head FROM courtsync_arrival", logger: logger)
            .decode(Int64.self)
        {
            head = value
        }
        return head
    }

    /// The rows after arrival sequence `after`, at most `limit`, in arrival order.
    public func rows(after: Int64, limit: Int, on connection: PostgresConnection, logger: Logger) async throws
        -> [(sequence: Int64, row: Row)]
    {
        var result: [(Int64, Row)] = []
        let rows = try await connection.query(
            """
            SELECT arrival_seq, id, matter_id, kind, author, origin, hlc_wall, hlc_counter, recorded_at, parents,
                stored_at, encoded
            FROM courtsync_event_log WHERE arrival_seq > \(after) ORDER BY arrival_seq LIMIT \(limit)
            """, logger: logger)
        for try await row in rows {
            let (sequence, id, matter, kind, author, origin, wall, counter, recorded, parents, stored, encoded) =
                try row.decode(
                    (Int64, String, String, String, String, String, Int64, Int32, String, String, String, ByteBuffer)
                        .self)
            result.append(
                (
                    sequence,
                    Row(
                        id: id, matterID: matter, kind: kind, author: author, origin: origin, hlcWall: wall,
                        hlcCounter: counter, recordedAt: recorded, parents: parents, storedAt: stored,
                        encoded: Array(encoded.readableBytesView))
                ))
        }
        return result
    }
}
