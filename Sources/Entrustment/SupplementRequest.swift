/// A request for supplementary documents (补办, R2011 art. 8), as the fold settles it: the
/// entrusting court has until the end of ``due`` to attach every kind asked for; a matter not
/// supplemented by then is treated as withdrawn (视为撤回) at that moment.
public struct SupplementRequest: Hashable, Sendable {
    /// The `request-supplement` event.
    public var event: EventID
    /// The entrusted court that asked.
    public var court: CourtCode
    /// When it asked.
    public var requestedAt: Timestamp
    /// The kinds asked for, in table order.
    public var kinds: [DocumentKind]
    /// What it says is missing.
    public var note: String
    /// The last day to supplement (the period counted from the day of the request, art. 85).
    public var due: CivilDate
    /// When the last of the kinds asked for was attached, if it was by the deadline.
    public var answeredAt: Timestamp?

    public init(
        event: EventID, court: CourtCode, requestedAt: Timestamp, kinds: [DocumentKind], note: String, due: CivilDate,
        answeredAt: Timestamp? = nil
    ) {
        self.event = event
        self.court = court
        self.requestedAt = requestedAt
        self.kinds = kinds
        self.note = note
        self.due = due
        self.answeredAt = answeredAt
    }

    /// The moment the request lapses: 24:00 China Standard Time of ``due``.
    public var lapsesAt: Timestamp { DeadlinePolicy.end(of: due) }

    /// Whether it still waits for documents at `time` (not answered, not lapsed).
    public func isOpen(at time: Timestamp) -> Bool { answeredAt == nil && time < lapsesAt }
}
