/// What the entrusting court asks for when it sends a matter: the payload of a `create` event.
///
/// The deadlines are computed by the sender when it sends, with the version of the hub's signed
/// calendar it names; every receiver computes them again with that version and refuses a create
/// whose dates differ (``Admission``).
public struct MatterRequest: Hashable, Sendable {
    /// The entrusting court's enforcement case (委托案件案号).
    public var caseNumber: CaseNumber
    /// 受托法院.
    public var entrustedCourt: CourtCode
    /// What is to be done.
    public var kind: MatterKind
    /// 加急.
    public var urgent: Bool
    /// 申请执行人.
    public var applicant: String?
    /// 被执行人.
    public var debtor: String?
    /// The debtor's id number (身份证号 / 统一社会信用代码).
    public var debtorID: String?
    /// The day an existing freeze or seal expires (for renewals).
    public var measureExpires: CivilDate?
    /// 备注.
    public var note: String?
    /// The last day for signing (签收期限).
    public var signDue: CivilDate
    /// The last day for completion (办理期限).
    public var due: CivilDate
    /// The version of the hub's signed calendar the deadlines were computed with; `nil` in events
    /// recorded before it was carried, which were computed with version 1.
    public var calendarVersion: Int?

    public init(
        caseNumber: CaseNumber, entrustedCourt: CourtCode, kind: MatterKind, urgent: Bool = false,
        applicant: String? = nil, debtor: String? = nil, debtorID: String? = nil,
        measureExpires: CivilDate? = nil, note: String? = nil, signDue: CivilDate, due: CivilDate,
        calendarVersion: Int? = nil
    ) {
        self.caseNumber = caseNumber
        self.entrustedCourt = entrustedCourt
        self.kind = kind
        self.urgent = urgent
        self.applicant = applicant
        self.debtor = debtor
        self.debtorID = debtorID
        self.measureExpires = measureExpires
        self.note = note
        self.signDue = signDue
        self.due = due
        self.calendarVersion = calendarVersion
    }

    /// The calendar version the deadlines were computed with (1 when the event names none).
    public var effectiveCalendarVersion: Int { calendarVersion ?? 1 }
}
