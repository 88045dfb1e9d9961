/// Hub staff's acceptance of a late report (采纳迟报): the accepted act counts at its recorded time.
public struct LateAcceptance: Hashable, Sendable {
    /// The `acceptLate` event.
    public var event: EventID
    /// When hub staff accepted it.
    public var at: Timestamp
    /// Their note.
    public var note: String

    public init(event: EventID, at: Timestamp, note: String) {
        self.event = event
        self.at = at
        self.note = note
    }
}
