import Entrustment

/// A matter the workload will send: who sends it to whom, what it asks and under which case.
public struct PlannedMatter: Hashable, Sendable {
    /// Its index in the plan (acts refer to the matter by it; the node assigns the real id).
    public let index: Int
    /// 委托法院.
    public let from: CourtCode
    /// 受托法院.
    public let to: CourtCode
    /// 委托案件案号, e.g. `（2026）京0105执12号`.
    public let caseNumber: String
    /// What is to be done.
    public let kind: MatterKind
    /// 加急 (renewals are).
    public let urgent: Bool
    /// For a renewal: the day the existing measure expires.
    public let measureExpires: CivilDate?
    /// 申请执行人 and 被执行人 (invented names: the demo's parties).
    public let applicant: String
    public let debtor: String
}
