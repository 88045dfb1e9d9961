/// A matter's two deadlines, as the deadline policy and the holiday calendar give them.
public struct MatterDeadlines: Hashable, Sendable {
    /// The last day for signing (签收期限).
    public var signDue: CivilDate
    /// The last day for completion (办理期限).
    public var due: CivilDate
    /// 暂定: a day counted for the completion deadline fell in a year the calendar did not cover,
    /// where only weekends were taken as rest days. Such deadlines settle when the hub publishes
    /// that year.
    public var provisional: Bool
    /// 暂定, for the signing deadline (which counts fewer days, so is provisional only if the
    /// completion deadline is).
    public var signDueProvisional: Bool
    /// The last day for completion after the approved extensions that count (延期后办理期限);
    /// `nil` when none counts. ``due`` stays the original deadline.
    public var extendedDue: CivilDate?

    public init(
        signDue: CivilDate, due: CivilDate, provisional: Bool, signDueProvisional: Bool? = nil,
        extendedDue: CivilDate? = nil
    ) {
        self.extendedDue = extendedDue
        self.signDue = signDue
        self.due = due
        self.provisional = provisional
        self.signDueProvisional = signDueProvisional ?? provisional
    }

    /// The instant the completion period ends: 24:00 CST of ``due``.
    public var dueAt: Timestamp { DeadlinePolicy.end(of: due) }
    /// The instant the completion period ends after the extensions that count (``dueAt`` without one).
    public var extendedDueAt: Timestamp { DeadlinePolicy.end(of: extendedDue ?? due) }
    /// The instant the signing period ends: 24:00 CST of ``signDue``.
    public var signDueAt: Timestamp { DeadlinePolicy.end(of: signDue) }
}
