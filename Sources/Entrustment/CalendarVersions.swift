/// Every version of a ``ReferenceCalendar`` rebuilt once, for computing deadlines as each
/// version gives them.
///
/// A `create` names the version its deadlines were computed with (`calendarVersion`, version 1
/// for events recorded before it was carried). A receiver recomputes them with exactly that
/// version and refuses a create whose dates differ (``Admission``). The deadlines that count
/// (``HonestTime``) are computed with the newest version held, so a provisional (暂定) deadline
/// settles when the hub publishes its year: every replica holding the same versions shows the
/// same dates.
public struct CalendarVersions: Sendable {
    /// The newest version, as published.
    public let reference: ReferenceCalendar
    private let holidays: [HolidayCalendar]

    /// Rebuilds every version of `reference`.
    public init(_ reference: ReferenceCalendar) throws(DomainError) {
        try reference.validate()
        self.reference = reference
        var holidays: [HolidayCalendar] = []
        for version in 1...reference.version { holidays.append(try reference.holidays(at: version)) }
        self.holidays = holidays
    }

    /// The newest version held.
    public var version: Int { reference.version }

    /// The holidays published up to the newest version.
    public var current: HolidayCalendar { holidays[reference.version - 1] }

    /// Whether `version` is held (1 … ``version``).
    public func holds(_ version: Int) -> Bool { (1...reference.version).contains(version) }

    /// The deadlines of a matter of `kind` sent on `sentOn`, as version `version` computes them.
    public func deadlines(
        for kind: MatterKind, urgent: Bool, sentOn: CivilDate, version: Int
    ) throws(DomainError) -> MatterDeadlines {
        guard holds(version) else {
            throw DomainError(
                .unknownCalendar,
                "calendar version \(version) is not held here (this node holds \(reference.version)); it comes with the hub's next signed directory"
            )
        }
        return reference.rules(at: version).deadlines.deadlines(
            for: kind, urgent: urgent, sentOn: sentOn, calendar: holidays[version - 1])
    }

    /// The last day to supplement documents asked for on `requestedOn`, as version `version`
    /// computes it (the version the matter's `create` names).
    public func supplementDue(requestedOn: CivilDate, version: Int) throws(DomainError) -> CivilDate {
        guard holds(version) else {
            throw DomainError(
                .unknownCalendar,
                "calendar version \(version) is not held here (this node holds \(reference.version)); it comes with the hub's next signed directory"
            )
        }
        return reference.rules(at: version).deadlines.supplementDue(
            requestedOn: requestedOn, calendar: holidays[version - 1])
    }

    /// The last day of `matter`'s completion deadline after its approved extensions (within its
    /// rules' limits), each counted from the one before as the calendar version its `create` names
    /// counts days: what admission judges a new request for more time against.
    public func deadlineInForce(of matter: Matter) throws(DomainError) -> CivilDate {
        let version = matter.request.effectiveCalendarVersion
        guard holds(version) else {
            throw DomainError(
                .unknownCalendar,
                "calendar version \(version) is not held here (this node holds \(reference.version)); it comes with the hub's next signed directory"
            )
        }
        let approved = ExtensionRules.approved(matter, under: reference.rules(at: version).deadlines)
        return approved.reduce(matter.request.due) {
            ExtensionRules.extend($0, by: $1.days, in: holidays[version - 1])
        }
    }

    /// The deadlines of version 1 as builds before calendar versions computed them (the completion
    /// deadline lengthened to the signing deadline where this fell later): only to check `create`
    /// events those builds recorded.
    public func legacyDeadlines(
        for kind: MatterKind, urgent: Bool, sentOn: CivilDate
    ) throws(DomainError) -> (signDue: CivilDate, due: CivilDate) {
        let policy = reference.rules(at: 1).deadlines
        let calendar = holidays[0]
        let signDue = DeadlinePolicy.lastDay(
            of: urgent ? policy.urgentSigning : policy.signing, from: sentOn, in: calendar)
        let statutory = policy.deadlines(for: kind, urgent: urgent, sentOn: sentOn, calendar: calendar).due
        return (signDue, max(signDue, statutory))
    }

    /// The deadlines that count for a matter sent on `sentOn` under the rules of version
    /// `version`: counted with every year published up to the newest version held.
    public func settledDeadlines(
        for kind: MatterKind, urgent: Bool, sentOn: CivilDate, version: Int
    ) -> MatterDeadlines {
        reference.rules(at: min(max(version, 1), reference.version)).deadlines.deadlines(
            for: kind, urgent: urgent, sentOn: sentOn, calendar: current)
    }

    /// The late-report grace in force now, in milliseconds.
    public var graceMilliseconds: Int64 {
        Int64(reference.rules(at: reference.version).lateReportGraceSeconds) * 1000
    }
}
