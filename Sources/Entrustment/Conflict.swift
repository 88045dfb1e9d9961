/// Two concurrent events of one matter that could not both stand, as the fold decided them.
///
/// A conflict is identified by the event it superseded: an event is superseded at most once, and
/// the superseded event stays in the log. Every replica holding the same events holds the same
/// conflicts with the same winners and the same status.
public struct Conflict: Hashable, Sendable {
    /// Whether anyone has looked at it yet.
    public enum Status: String, Sendable, Codable {
        /// 待确认.
        case open
        /// 已确认.
        case acknowledged

        /// The Chinese label.
        public var chineseName: String { self == .open ? "待确认" : "已确认" }
    }

    /// Who acknowledged a conflict, when, and what they said (the earliest `acknowledge` event).
    public struct Acknowledgement: Hashable, Sendable {
        /// The `acknowledge` event.
        public var event: EventID
        /// The court that acknowledged it.
        public var court: CourtCode
        /// When it was recorded.
        public var at: Timestamp
        /// The clerk's note.
        public var note: String

        /// An acknowledgement from its parts.
        public init(event: EventID, court: CourtCode, at: Timestamp, note: String) {
            self.event = event
            self.court = court
            self.at = at
            self.note = note
        }
    }

    /// The matter.
    public var matterID: MatterID
    /// The rule applied.
    public var rule: ConflictRule
    /// The event that stands.
    public var winner: EventSummary
    /// The event that yielded; it changed nothing.
    public var superseded: EventSummary
    /// The acknowledgement, once there is one.
    public var acknowledgement: Acknowledgement?

    /// A conflict from its parts (the fold, or a stored row).
    public init(
        matterID: MatterID, rule: ConflictRule, winner: EventSummary, superseded: EventSummary,
        acknowledgement: Acknowledgement? = nil
    ) {
        self.matterID = matterID
        self.rule = rule
        self.winner = winner
        self.superseded = superseded
        self.acknowledgement = acknowledgement
    }

    /// The conflict's id: the id of the superseded event.
    public var id: EventID { superseded.id }
    /// Open until acknowledged.
    public var status: Status { acknowledgement == nil ? .open : .acknowledged }
}

/// What a person needs to know about one event of a conflict.
public struct EventSummary: Hashable, Sendable {
    /// The event.
    public var id: EventID
    /// Its kind.
    public var kind: EventKind
    /// The court that did it.
    public var author: CourtCode
    /// The node that recorded it.
    public var origin: NodeID
    /// When it was recorded (the origin's HLC physical time).
    public var recordedAt: Timestamp
    /// Its payload in a few words: the outcome, the return reason, the field and value.
    public var detail: String

    /// A summary from its parts (a stored conflict).
    public init(id: EventID, kind: EventKind, author: CourtCode, origin: NodeID, recordedAt: Timestamp, detail: String)
    {
        self.id = id
        self.kind = kind
        self.author = author
        self.origin = origin
        self.recordedAt = recordedAt
        self.detail = detail
    }

    /// Summarises an event.
    public init(_ event: Event) {
        id = event.id
        kind = event.kind
        author = event.author
        origin = event.origin
        recordedAt = event.recordedAt
        detail =
            switch event.action {
            case .create(let request): request.kind.id
            case .sign(let note, _), .start(let note), .withdraw(let note), .urge(let note), .supervise(let note),
                .close(let note), .acknowledge(_, let note), .acceptLate(_, let note):
                note
            case .attach(let document, _): "\(document.kind.chineseName)：\(document.fileName)"
            case .requestSupplement(let kinds, _, _): kinds.map(\.chineseName).joined(separator: "、")
            case .requestExtension(let days, _): "\(days) 日"
            case .decideExtension(_, let verdict, _): verdict.chineseName
            case .complete(let outcome, _): outcome.chineseName
            case .return(let reason, _, _): reason.chineseName
            case .edit(let field, let value): "\(field.chineseName)：\(value)"
            }
    }
}
