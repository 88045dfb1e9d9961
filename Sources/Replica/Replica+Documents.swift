import Entrustment
import Foundation
import GRDB

/// A document some matter here names, as transfer sees it.
public struct DocumentNeed: Sendable, Hashable {
    public var hash: DocumentHash
    public var size: Int
    public var mediaType: DocumentMediaType

    public init(hash: DocumentHash, size: Int, mediaType: DocumentMediaType) {
        self.hash = hash
        self.size = size
        self.mediaType = mediaType
    }
}

/// What a node may do with a document a matter here names (``Replica/document(_:visibleTo:ownFirst:)``).
public struct DocumentAccess: Sendable {
    /// The document as the chosen `attach` states it.
    public var need: DocumentNeed
    /// That attach's matter.
    public var matter: String
    /// That attach's court.
    public var attachedBy: CourtCode
    /// Whether the asking court may read the bytes (the hub, or a party through another court's attach).
    public var mayRead: Bool
}

/// One row of the read log (查阅留痕): who read a document's bytes here, how and when. Serving
/// one transfer to one node is one row, however many chunks it took.
public struct DocumentRead: Sendable, Hashable, Encodable {
    public var sequence: Int64
    public var hash: String
    public var matter: String?
    public var readerCourt: String
    public var readerNode: String
    /// `served` (to another node), `saved` (a clerk wrote it to a file), `opened` (to the screen
    /// or a pipe).
    public var how: String
    public var bytes: Int64
    public var firstAt: String
    public var lastAt: String
}

/// A document transfer in progress over one link, for `courtsync sync` and `peers`.
public struct DocumentTransferRow: Sendable, Hashable, Encodable {
    public var remote: String
    public var hash: String
    /// `download` or `upload`.
    public var direction: String
    public var done: Int64
    public var total: Int64
    public var updatedAt: String
}

extension Replica {
    /// How long after its last chunk a transfer to the same node still counts as the same read.
    static let readSessionSeconds: Int64 = 600

    /// Records that the whole document is stored here.
    public func recordDocument(_ need: DocumentNeed, now: Timestamp) throws(ReplicaError) {
        try write { tx in try tx.recordDocument(need, now: now) }
    }

    /// Whether the `documents` table lists the hash as stored here.
    public func listsDocument(_ hash: DocumentHash) throws(ReplicaError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM documents WHERE hash = ?)", arguments: [hash.hex])
                ?? false
        }
    }

    /// The documents listed as stored here, with their sizes.
    public func storedDocuments() throws(ReplicaError) -> [(hash: String, size: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT hash, size FROM documents ORDER BY hash").map { ($0["hash"], $0["size"]) }
        }
    }

    /// What an `attach` of a matter `court` is a party of (or, for the hub, any) says of the
    /// hash, if any, and whether `court` may **read** the bytes: the hub always; a party only
    /// through an `attach` another court made **and backed**: that court is this node's own, or
    /// has delivered the bytes here (``recordHolder(of:court:now:)``). A court's own `attach`
    /// lets it offer the bytes, never fetch them, so naming a hash it saw elsewhere opens nothing,
    /// neither for it nor for an accomplice it names as the other party. A third court (a
    /// superior included) gets nothing, whether or not the hash exists. Of several attaches of
    /// the hash, one that lets `court` read is preferred, then `court`'s own when `ownFirst`.
    public func document(_ hash: DocumentHash, visibleTo court: CourtCode, ownFirst: Bool = false) throws(ReplicaError)
        -> DocumentAccess?
    {
        let own = identity.court
        return try read { db in
            try Self.documentAccess(hash, visibleTo: court, ownCourt: own, ownFirst: ownFirst, in: db)
        }
    }

    /// ``document(_:visibleTo:ownFirst:)`` in `db`, for a node whose court is `ownCourt`.
    static func documentAccess(
        _ hash: DocumentHash, visibleTo court: CourtCode, ownCourt: CourtCode, ownFirst: Bool, in db: Database
    ) throws -> DocumentAccess? {
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT a.size, a.media_type, a.matter_id, a.court FROM attachments a JOIN matters m ON m.id = a.matter_id
                WHERE a.hash = ? AND (? = '最高法' OR m.entrusting_court = ? OR m.entrusted_court = ?)
                ORDER BY CASE WHEN ? = '最高法' OR (a.court = ?) = ? THEN 0 ELSE 1 END, a.matter_id, a.position
                LIMIT 1
                """,
            arguments: [
                hash.hex, court.rawValue, court.rawValue, court.rawValue, court.rawValue, court.rawValue, ownFirst,
            ])
        guard let row, let media = DocumentMediaType(rawValue: row["media_type"]) else { return nil }
        let author: String = row["court"]
        let byOthers =
            try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM attachments a JOIN matters m ON m.id = a.matter_id
                        WHERE a.hash = ? AND a.court != ? AND (m.entrusting_court = ? OR m.entrusted_court = ?)
                            AND (a.court = ? OR a.court IN (SELECT court FROM document_holders WHERE hash = ?)))
                    """,
                arguments: [hash.hex, court.rawValue, court.rawValue, court.rawValue, ownCourt.rawValue, hash.hex])
            ?? false
        return DocumentAccess(
            need: DocumentNeed(hash: hash, size: row["size"], mediaType: media), matter: row["matter_id"],
            attachedBy: try CourtCode(author), mayRead: court == .supreme || byOthers)
    }

    /// The documents this node's court (`court`) may read and lacks — named by another court's
    /// `attach` in a matter it is a party of — that `remote` may also hold (the hub, or the other
    /// party): what to ask `remote` for, smallest first.
    public func documentsWanted(by court: CourtCode, from remote: CourtCode) throws(ReplicaError) -> [DocumentNeed] {
        try read { db in try Self.documentsWanted(by: court, from: remote, in: db) }
    }

    static func documentsWanted(by court: CourtCode, from remote: CourtCode, in db: Database) throws -> [DocumentNeed] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT a.hash, min(a.size) AS size, min(a.media_type) AS media_type
                FROM attachments a JOIN matters m ON m.id = a.matter_id
                WHERE a.hash NOT IN (SELECT hash FROM documents) AND a.court != ?
                    AND (m.entrusting_court = ? OR m.entrusted_court = ?)
                    AND (? = '最高法' OR m.entrusting_court = ? OR m.entrusted_court = ?)
                GROUP BY a.hash ORDER BY size, a.hash
                """,
            arguments: [
                court.rawValue, court.rawValue, court.rawValue, remote.rawValue, remote.rawValue, remote.rawValue,
            ]
        ).compactMap(Self.need)
    }

    /// The documents stored here that `remote` may receive (the hub, or the other party of a
    /// matter naming them) and has not confirmed holding: what to offer it.
    public func documentsToOffer(to remote: CourtCode) throws(ReplicaError) -> [DocumentNeed] {
        try read { db in try Self.documentsToOffer(to: remote, in: db) }
    }

    static func documentsToOffer(to remote: CourtCode, in db: Database) throws -> [DocumentNeed] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT d.hash, d.size, d.media_type FROM documents d
                WHERE d.hash NOT IN (SELECT hash FROM document_deliveries WHERE remote = ?)
                    AND EXISTS (
                        SELECT 1 FROM attachments a JOIN matters m ON m.id = a.matter_id
                        WHERE a.hash = d.hash AND (? = '最高法' OR m.entrusting_court = ? OR m.entrusted_court = ?))
                ORDER BY d.size, d.hash
                """, arguments: [remote.rawValue, remote.rawValue, remote.rawValue, remote.rawValue]
        ).compactMap(Self.need)
    }

    private static func need(_ row: Row) -> DocumentNeed? {
        guard let hash = try? DocumentHash(hex: row["hash"]), let media = DocumentMediaType(rawValue: row["media_type"])
        else { return nil }
        return DocumentNeed(hash: hash, size: row["size"], mediaType: media)
    }

    /// Records that `court` has delivered the whole document to this node (uploaded it, proven it
    /// holds it, or carried it in a change file): its attaches of the document now open it to
    /// the other party.
    public func recordHolder(of hash: DocumentHash, court: CourtCode, now: Timestamp) throws(ReplicaError) {
        try write { tx in try tx.recordHolder(of: hash, court: court, now: now) }
    }

    /// Records that `remote` holds the whole document (it need not be offered again).
    public func recordDelivery(of hash: DocumentHash, to remote: CourtCode, now: Timestamp) throws(ReplicaError) {
        try write { tx in
            try tx.db.execute(
                sql: "INSERT OR IGNORE INTO document_deliveries (remote, hash, delivered_at) VALUES (?, ?, ?)",
                arguments: [remote.rawValue, hash.hex, now.rfc3339])
            try tx.db.execute(
                sql: "DELETE FROM document_transfers WHERE remote = ? AND hash = ? AND direction = 'upload'",
                arguments: [remote.rawValue, hash.hex])
        }
    }

    /// Records a transfer's progress (`done` of `total` bytes), or ends it (`done == total`).
    public func recordTransfer(
        _ hash: DocumentHash, remote: CourtCode, direction: String, done: Int, total: Int, now: Timestamp
    ) throws(ReplicaError) {
        try write { tx in
            if done >= total {
                try tx.db.execute(
                    sql: "DELETE FROM document_transfers WHERE remote = ? AND hash = ? AND direction = ?",
                    arguments: [remote.rawValue, hash.hex, direction])
            } else {
                try tx.db.execute(
                    sql: """
                        INSERT INTO document_transfers (remote, hash, direction, done, total, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT (remote, hash, direction) DO UPDATE SET done = excluded.done,
                            total = excluded.total, updated_at = excluded.updated_at
                        """, arguments: [remote.rawValue, hash.hex, direction, done, total, now.rfc3339])
            }
        }
    }

    /// The transfers in progress.
    public func documentTransfers() throws(ReplicaError) -> [DocumentTransferRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM document_transfers ORDER BY remote, direction, hash").map {
                DocumentTransferRow(
                    remote: $0["remote"], hash: $0["hash"], direction: $0["direction"], done: $0["done"],
                    total: $0["total"], updatedAt: $0["updated_at"])
            }
        }
    }

    /// Records a read of a document's bytes (查阅留痕). Chunks served to the same node within
    /// ``readSessionSeconds`` of the last extend that transfer's row.
    public func recordRead(
        of hash: DocumentHash, matter: String?, court: String, node: String, how: String, bytes: Int, now: Timestamp
    ) throws(ReplicaError) {
        try write { tx in
            let db = tx.db
            if how == "served",
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT seq, last_at FROM document_reads WHERE hash = ? AND reader_node = ? AND how = 'served'
                        ORDER BY seq DESC LIMIT 1
                        """, arguments: [hash.hex, node]),
                let last = try? Timestamp(rfc3339: row["last_at"]),
                now.milliseconds - last.milliseconds <= Self.readSessionSeconds * 1000
            {
                try db.execute(
                    sql: "UPDATE document_reads SET bytes = bytes + ?, last_at = ? WHERE seq = ?",
                    arguments: [bytes, now.rfc3339, row["seq"] as Int64])
                return
            }
            try db.execute(
                sql: """
                    INSERT INTO document_reads (hash, matter_id, reader_court, reader_node, how, bytes, first_at, last_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [hash.hex, matter, court, node, how, bytes, now.rfc3339, now.rfc3339])
        }
    }

    /// The read log, oldest first, of one matter's documents or one document (or all).
    public func documentReads(matter: String?, hash: String?) throws(ReplicaError) -> [DocumentRead] {
        try read { db in
            var conditions: [String] = []
            var arguments: [(any DatabaseValueConvertible)?] = []
            if let matter {
                conditions.append(
                    "(r.matter_id = ? OR r.hash IN (SELECT hash FROM attachments WHERE matter_id = ?))")
                arguments += [matter, matter]
            }
            if let hash {
                conditions.append("r.hash = ?")
                arguments.append(hash.lowercased())
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            return try Row.fetchAll(
                db, sql: "SELECT * FROM document_reads r \(filter) ORDER BY r.seq",
                arguments: StatementArguments(arguments)
            ).map {
                DocumentRead(
                    sequence: $0["seq"], hash: $0["hash"], matter: $0["matter_id"], readerCourt: $0["reader_court"],
                    readerNode: $0["reader_node"], how: $0["how"], bytes: $0["bytes"], firstAt: $0["first_at"],
                    lastAt: $0["last_at"])
            }
        }
    }
}

extension ReplicaTransaction {
    /// ``Replica/document(_:visibleTo:ownFirst:)`` as this transaction sees the replica.
    public func document(_ hash: DocumentHash, visibleTo court: CourtCode) throws -> DocumentAccess? {
        try Replica.documentAccess(
            hash, visibleTo: court, ownCourt: replica.identity.court, ownFirst: false, in: db)
    }

    /// ``Replica/recordHolder(of:court:now:)`` in this transaction.
    public func recordHolder(of hash: DocumentHash, court: CourtCode, now: Timestamp) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO document_holders (hash, court, since) VALUES (?, ?, ?)",
            arguments: [hash.hex, court.rawValue, now.rfc3339])
    }

    /// Records, in this transaction, that the whole document is stored here (its file is in place).
    public func recordDocument(_ need: DocumentNeed, now: Timestamp) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO documents (hash, size, media_type, stored_at) VALUES (?, ?, ?, ?)",
            arguments: [need.hash.hex, need.size, need.mediaType.rawValue, now.rfc3339])
    }
}
