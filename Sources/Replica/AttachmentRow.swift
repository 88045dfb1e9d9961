import Entrustment
import GRDB

/// Maps a matter's ``AttachedDocument``s to and from rows of the `attachments` table: a
/// materialised view of the fold, rewritten whenever the matter is refolded. Document transfer
/// reads it to know which hashes a court may receive and which this node still lacks.
enum AttachmentRow {
    static func replace(_ documents: [AttachedDocument], of matter: MatterID, in db: Database) throws {
        try db.executeCached(sql: "DELETE FROM attachments WHERE matter_id = ?", arguments: [matter.rawValue])
        for (position, d) in documents.enumerated() {
            try db.executeCached(
                sql: """
                    INSERT INTO attachments (event_id, matter_id, position, hash, kind, file_name, media_type, size,
                        court, attached_at, note)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    d.event.hex, matter.rawValue, position, d.reference.hash.hex, d.reference.kind.rawValue,
                    d.reference.fileName, d.reference.mediaType.rawValue, d.reference.size, d.court.rawValue,
                    d.at.rfc3339, d.note,
                ])
        }
    }

    /// The documents of the given matters, by matter id, in fold order.
    static func fetch(matters ids: [String], in db: Database) throws -> [String: [AttachedDocument]] {
        guard !ids.isEmpty else { return [:] }
        var found: [String: [AttachedDocument]] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500).map({ Array(ids[$0..<min($0 + 500, ids.count)]) }) {
            let list = chunk.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM attachments WHERE matter_id IN (\(list)) ORDER BY matter_id, position",
                arguments: StatementArguments(chunk))
            for row in rows { found[row["matter_id"], default: []].append(try load(row)) }
        }
        return found
    }

    static func load(_ row: Row) throws -> AttachedDocument {
        guard let kind = DocumentKind(rawValue: row["kind"]), let media = DocumentMediaType(rawValue: row["media_type"])
        else {
            throw ReplicaError(.corrupt, "attachments row \(row["event_id"] as String? ?? "?") has an unknown kind")
        }
        return AttachedDocument(
            event: try EventID(hex: row["event_id"]), court: try CourtCode(row["court"]),
            at: try Timestamp(rfc3339: row["attached_at"]),
            reference: DocumentReference(
                hash: try DocumentHash(hex: row["hash"]), kind: kind, fileName: row["file_name"], mediaType: media,
                size: row["size"]),
            note: row["note"])
    }
}
