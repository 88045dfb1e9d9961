/// The times and deadlines of one matter that the indicators read (`docs/indicators.md`): the
/// times that count (``CountedTimes``, after the honest-time rules) of a ``Matter``, without its
/// texts, events or conflicts.
public struct MatterTiming: Hashable, Sendable {
    /// 委托编号.
    public var id: MatterID
    /// 执行案号, as stored (canonical form).
    public var caseNumber: String
    /// 委托法院.
    public var entrustingCourt: CourtCode
    /// 受托法院.
    public var entrustedCourt: CourtCode
    /// 事项类型.
    public var kind: MatterKind
    /// 加急.
    public var urgent: Bool
    /// Where it stands.
    public var state: MatterState
    /// 委托时间.
    public var sentAt: Timestamp
    /// 收到时间 (reported by the entrusted court's `sign` or `return`).
    public var receivedAt: Timestamp?
    /// 签收时间.
    public var signedAt: Timestamp?
    /// 办结时间.
    public var completedAt: Timestamp?
    /// 退回时间.
    public var returnedAt: Timestamp?
    /// 撤回时间.
    public var withdrawnAt: Timestamp?
    /// The last day for signing, as it counts.
    public var signDue: CivilDate
    /// The last day for completing, as it counts (the original deadline: no extension moves it).
    public var due: CivilDate
    /// 暂定: the completion deadline counts days of a year the hub's calendar does not cover yet.
    public var dueProvisional: Bool
    /// 暂定, for the signing deadline.
    public var signDueProvisional: Bool
    /// The last day for completing after the approved extensions that count (延期后办理期限);
    /// `nil` when none counts.
    public var extendedDue: CivilDate?
    /// 催办 count.
    public var urgeCount: Int
    /// 督办.
    public var supervised: Bool

    /// Creates a timing from its fields (a stored row).
    public init(
        id: MatterID, caseNumber: String, entrustingCourt: CourtCode, entrustedCourt: CourtCode, kind: MatterKind,
        urgent: Bool, state: MatterState, sentAt: Timestamp, receivedAt: Timestamp?, signedAt: Timestamp?,
        completedAt: Timestamp?, returnedAt: Timestamp?, withdrawnAt: Timestamp?, signDue: CivilDate, due: CivilDate,
        dueProvisional: Bool = false, signDueProvisional: Bool = false, extendedDue: CivilDate? = nil, urgeCount: Int,
        supervised: Bool
    ) {
        self.extendedDue = extendedDue
        self.id = id
        self.caseNumber = caseNumber
        self.entrustingCourt = entrustingCourt
        self.entrustedCourt = entrustedCourt
        self.kind = kind
        self.urgent = urgent
        self.state = state
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.signedAt = signedAt
        self.completedAt = completedAt
        self.returnedAt = returnedAt
        self.withdrawnAt = withdrawnAt
        self.signDue = signDue
        self.due = due
        self.dueProvisional = dueProvisional
        self.signDueProvisional = signDueProvisional
        self.urgeCount = urgeCount
        self.supervised = supervised
    }

    /// The timing of a folded matter, with the times that count.
    public init(_ matter: Matter, counted: CountedTimes) {
        self.init(
            id: matter.id, caseNumber: matter.request.caseNumber.description, entrustingCourt: matter.entrustingCourt,
            entrustedCourt: matter.entrustedCourt, kind: matter.request.kind, urgent: matter.request.urgent,
            state: matter.state, sentAt: counted.sentAt, receivedAt: counted.receivedAt, signedAt: counted.signedAt,
            completedAt: counted.completedAt, returnedAt: counted.returnedAt, withdrawnAt: counted.withdrawnAt,
            signDue: counted.deadlines.signDue, due: counted.deadlines.due,
            dueProvisional: counted.deadlines.provisional,
            signDueProvisional: counted.deadlines.signDueProvisional, extendedDue: counted.deadlines.extendedDue,
            urgeCount: matter.urgeCount,
            supervised: matter.supervised)
    }

    /// The end of the completion period: 24:00 CST of ``due``.
    public var dueAt: Timestamp { DeadlinePolicy.end(of: due) }

    /// Where the completion clock starts: ``receivedAt``, or ``sentAt`` for a matter whose
    /// entrusted court's events did not report the arrival (recorded by builds before it did).
    public var clockStart: Timestamp { receivedAt ?? sentAt }

    /// The end of the completion period after the extensions that count (``dueAt`` without one).
    public var extendedDueAt: Timestamp { DeadlinePolicy.end(of: extendedDue ?? due) }

    /// Completed by the original deadline; `nil` unless completed.
    public var onTime: Bool? { completedAt.map { $0 < dueAt } }

    /// Completed by the deadline after the extensions that count; `nil` unless completed.
    public var onTimeExtended: Bool? { completedAt.map { $0 < extendedDueAt } }

    /// 用时: days from ``clockStart`` to completion (fractional); `nil` unless completed.
    public var completionDays: Double? { completedAt.map { Self.days(from: clockStart, to: $0) } }

    /// Days from sending to completion (fractional); `nil` unless completed.
    public var completionDaysFromSent: Double? { completedAt.map { Self.days(from: sentAt, to: $0) } }

    /// 签收用时: days from sending to signing (fractional); `nil` unless signed.
    public var signLagDays: Double? { signedAt.map { Self.days(from: sentAt, to: $0) } }

    /// 超期未办结: still open at `now` and past the completion deadline.
    public func isOverdue(at now: Timestamp) -> Bool { state.isOpen && now >= dueAt }

    /// 超期未办结 against the deadline after the extensions that count.
    public func isOverdueExtended(at now: Timestamp) -> Bool { state.isOpen && now >= extendedDueAt }

    /// Days past the deadline at `now` (fractional; 0 or less when not past it).
    public func daysOverdue(at now: Timestamp) -> Double { Self.days(from: dueAt, to: now) }

    /// The span between two instants in days of 24 hours.
    public static func days(from start: Timestamp, to end: Timestamp) -> Double {
        Double(end.milliseconds - start.milliseconds) / 86_400_000
    }
}
