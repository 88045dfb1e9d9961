/// The rule that decided a conflict between two concurrent events (`docs/conflicts.md` gives the
/// reasoning for each). The raw values are the names tools and the wire see.
public enum ConflictRule: String, CaseIterable, Sendable, Codable {
    /// 签收 ∥ 撤回: the signing stands, the withdrawal is superseded.
    case signOverWithdraw
    /// 开始办理 ∥ 撤回: the start stands, the withdrawal is superseded.
    case startOverWithdraw
    /// 办结反馈 ∥ 撤回: the completion stands, the withdrawal is superseded.
    case completeOverWithdraw
    /// 退回 ∥ 撤回: the return stands, the withdrawal is superseded.
    case returnOverWithdraw
    /// 办结反馈 ∥ 退回: the completion stands, the return is superseded.
    case completeOverReturn
    /// 退回 ∥ 开始办理: the return stands, the start is superseded.
    case returnOverStart
    /// 办结反馈 ∥ 办结反馈: the stronger outcome stands (全部 > 部分 > 未能), then the earlier.
    case strongerCompletion
    /// The same act twice (签收, 开始办理, 退回, 撤回, 归档): the earlier stands.
    case earlierDuplicate
    /// Two edits of one descriptive field: the later (HLC, origin node) stands.
    case lastWriterWins
    /// 申请延期 ∥ 申请延期: one open request per matter; the earlier (HLC, id) stands.
    case earlierExtensionRequest
    /// 批准延期 ∥ 不予批准: the refusal stands; the deadline moves only on an uncontested approval.
    case refusalOverApproval

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .signOverWithdraw: "签收优先于撤回"
        case .startOverWithdraw: "开始办理优先于撤回"
        case .completeOverWithdraw: "办结优先于撤回"
        case .returnOverWithdraw: "退回优先于撤回"
        case .completeOverReturn: "办结优先于退回"
        case .returnOverStart: "退回优先于开始办理"
        case .strongerCompletion: "两次办结，以完成程度高者为准"
        case .earlierDuplicate: "重复操作，以在先者为准"
        case .lastWriterWins: "并发修改，以在后者为准"
        case .earlierExtensionRequest: "同时申请延期，以在先者为准"
        case .refusalOverApproval: "同时审批延期，不予批准优先"
        }
    }
}
