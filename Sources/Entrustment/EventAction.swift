/// What an event does, with its payload.
public enum EventAction: Hashable, Sendable {
    /// 委托: send a new matter.
    case create(MatterRequest)
    /// 签收. `receivedAt` is when the matter reached the signing node (``Matter/receivedAt``);
    /// `nil` in events recorded before it was carried.
    case sign(note: String, receivedAt: Timestamp? = nil)
    /// 开始办理.
    case start(note: String)
    /// 办结反馈.
    case complete(outcome: Outcome, feedback: String)
    /// 退回. `receivedAt` as for ``sign(note:receivedAt:)``: a matter can be returned unsigned.
    case `return`(reason: ReturnReason, feedback: String, receivedAt: Timestamp? = nil)
    /// 撤回.
    case withdraw(note: String)
    /// 催办.
    case urge(note: String)
    /// 督办.
    case supervise(note: String)
    /// 归档.
    case close(note: String)
    /// 修改信息: sets a descriptive field (the empty string clears it).
    case edit(field: DescriptiveField, value: String)
    /// 确认冲突: acknowledges the conflict recorded for the superseded event `conflict`.
    case acknowledge(conflict: EventID, note: String)
    /// 采纳迟报: hub staff accept the late report of `event` (an act the hub first stored after
    /// the grace period): it counts at its recorded time again (`docs/indicators.md`).
    case acceptLate(event: EventID, note: String)
    /// 提交材料: attaches the document `document` names (its bytes travel apart, by its hash).
    case attach(document: DocumentReference, note: String)
    /// 要求补办: asks the entrusting court for documents of `kinds` (distinct, in table order) by
    /// `due`, the last day of the supplement period its calendar gives (``ReferenceCalendar``).
    case requestSupplement(kinds: [DocumentKind], note: String, due: CivilDate)
    /// 申请延期: asks for `days` more calendar days after the deadline in force, with a reason
    /// (``ExtensionRules``).
    case requestExtension(days: Int, reason: String)
    /// 延期审批: approves or refuses the request for more time made by the event `request`.
    case decideExtension(request: EventID, verdict: ExtensionVerdict, note: String)

    /// The event kind, without payload.
    public var kind: EventKind {
        switch self {
        case .create: .create
        case .sign: .sign
        case .start: .start
        case .complete: .complete
        case .return: .return
        case .withdraw: .withdraw
        case .urge: .urge
        case .supervise: .supervise
        case .close: .close
        case .edit: .edit
        case .acknowledge: .acknowledge
        case .acceptLate: .acceptLate
        case .attach: .attach
        case .requestSupplement: .requestSupplement
        case .requestExtension: .requestExtension
        case .decideExtension: .decideExtension
        }
    }

    /// The arrival time a `sign` or `return` carries.
    public var receivedAt: Timestamp? {
        switch self {
        case .sign(_, let at), .return(_, _, let at): at
        default: nil
        }
    }
}
