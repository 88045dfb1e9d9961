/// The kinds of event in a matter's life.
public enum EventKind: String, CaseIterable, Sendable, Codable {
    /// 委托 — the entrusting court sends the matter.
    case create
    /// 签收 — the entrusted court signs for it.
    case sign
    /// 开始办理 — the entrusted court starts carrying it out.
    case start
    /// 办结反馈 — done, with outcome and feedback.
    case complete
    /// 退回 — the entrusted court returns it with a reason.
    case `return`
    /// 撤回 — the entrusting court withdraws it.
    case withdraw
    /// 催办 — a reminder; changes no state.
    case urge
    /// 督办 — supervision by a superior court or the hub; changes no state, sets a flag.
    case supervise
    /// 归档 — the entrusting court has received the feedback.
    case close
    /// 修改信息 — a party changes a descriptive field (contact person, phone, note); no state change.
    case edit
    /// 确认冲突 — a party or the hub acknowledges a conflict; no state change.
    case acknowledge
    /// 采纳迟报 — hub staff accept a late report: the act counts at its recorded time again.
    case acceptLate
    /// 提交材料 — a party attaches a document (委托材料 or 回执) by its content hash.
    case attach
    /// 要求补办 — the entrusted court asks for missing documents (R2011 art. 8).
    case requestSupplement
    /// 申请延期 — the entrusted court asks for more time, with a reason.
    case requestExtension
    /// 延期审批 — the entrusting court, a superior of the entrusted court or the hub approves or
    /// refuses a request for more time.
    case decideExtension

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .create: "委托"
        case .sign: "签收"
        case .start: "开始办理"
        case .complete: "办结反馈"
        case .return: "退回"
        case .withdraw: "撤回"
        case .urge: "催办"
        case .supervise: "督办"
        case .close: "归档"
        case .edit: "修改信息"
        case .acknowledge: "确认冲突"
        case .acceptLate: "采纳迟报"
        case .attach: "提交材料"
        case .requestSupplement: "要求补办"
        case .requestExtension: "申请延期"
        case .decideExtension: "延期审批"
        }
    }
}

/// How far a completed matter achieved what was asked.
public enum Outcome: String, CaseIterable, Sendable, Codable {
    /// 全部完成.
    case full
    /// 部分完成 (e.g. one of three accounts frozen).
    case partial
    /// 未能完成 (e.g. no balance to freeze).
    case none

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .full: "全部完成"
        case .partial: "部分完成"
        case .none: "未能完成"
        }
    }
}

/// Why the entrusted court returned a matter.
public enum ReturnReason: String, CaseIterable, Sendable, Codable {
    /// 不属本院辖区.
    case notInJurisdiction
    /// 材料不全.
    case documentsIncomplete
    /// 财产不存在.
    case assetNotFound
    /// 重复委托.
    case duplicate
    /// 其他.
    case other

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .notInJurisdiction: "不属本院辖区"
        case .documentsIncomplete: "材料不全"
        case .assetNotFound: "财产不存在"
        case .duplicate: "重复委托"
        case .other: "其他"
        }
    }
}
