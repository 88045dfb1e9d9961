/// What an `attach` event says of a document: its content hash, kind, file name, media type and
/// size. The bytes travel apart from the event (`Protocol/sync.md` §4.5) and are checked against
/// the hash wherever they arrive.
public struct DocumentReference: Hashable, Sendable {
    /// The SHA-256 of the bytes.
    public var hash: DocumentHash
    /// What the document is.
    public var kind: DocumentKind
    /// The file name as the attaching clerk gave it (no folder part).
    public var fileName: String
    /// The format, as its first bytes show it.
    public var mediaType: DocumentMediaType
    /// The size in bytes.
    public var size: Int

    /// The largest document the protocol describes: 1 GiB. A node's own limit (`node.json`,
    /// 100 MiB by default) may be lower.
    public static let maxSize = 1 << 30
    /// The longest file name, in UTF-8 bytes.
    public static let maxFileNameBytes = 255

    public init(hash: DocumentHash, kind: DocumentKind, fileName: String, mediaType: DocumentMediaType, size: Int) {
        self.hash = hash
        self.kind = kind
        self.fileName = fileName
        self.mediaType = mediaType
        self.size = size
    }

    /// Throws `invalidField` unless the name is a plain file name (1–255 bytes, no `/`, `\`, tab
    /// or newline, not `.` or `..`) and the size is 1 … ``maxSize``. Other control characters
    /// are refused at admission, like every free text (``FreeText``).
    public func check() throws(DomainError) {
        guard (1...Self.maxFileNameBytes).contains(fileName.utf8.count) else {
            throw DomainError(
                .invalidField,
                "a document's file name has 1 to \(Self.maxFileNameBytes) bytes, not \(fileName.utf8.count)")
        }
        guard !fileName.contains("/"), !fileName.contains("\\"), fileName != ".", fileName != ".." else {
            throw DomainError(.invalidField, "a document's file name may not name a folder: \"\(fileName)\"")
        }
        guard !fileName.unicodeScalars.contains(where: { $0 == "\t" || $0 == "\n" }) else {
            throw DomainError(.invalidField, "a document's file name is one line: no tab or newline")
        }
        guard (1...Self.maxSize).contains(size) else {
            throw DomainError(.invalidField, "a document has 1 to \(Self.maxSize) bytes, not \(size)")
        }
    }
}

/// A document attached to a matter, as the fold lists it.
public struct AttachedDocument: Hashable, Sendable {
    /// The `attach` event.
    public var event: EventID
    /// The court that attached it.
    public var court: CourtCode
    /// When it was attached (the event's recorded time).
    public var at: Timestamp
    /// The document.
    public var reference: DocumentReference
    /// The note attached with it.
    public var note: String

    public init(event: EventID, court: CourtCode, at: Timestamp, reference: DocumentReference, note: String) {
        self.event = event
        self.court = court
        self.at = at
        self.reference = reference
        self.note = note
    }
}
