/// Where an entrusted matter stands.
///
/// `overdue` is not a state: it is derived (`now` past the deadline while the matter is open).
public enum MatterState: String, CaseIterable, Sendable, Codable {
    /// 待签收 — sent by the entrusting court, not yet signed for.
    case sent
    /// 已签收 — the entrusted court has signed for it.
    case signed
    /// 办理中 — the entrusted court is carrying it out.
    case inProgress
    /// 已办结 — done, with outcome and feedback (反馈).
    case completed
    /// 已归档 — the entrusting court has received the feedback and closed it.
    case closed
    /// 已退回 — returned by the entrusted court with a reason.
    case returned
    /// 已撤回 — withdrawn by the entrusting court.
    case withdrawn

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .sent: "待签收"
        case .signed: "已签收"
        case .inProgress: "办理中"
        case .completed: "已办结"
        case .closed: "已归档"
        case .returned: "已退回"
        case .withdrawn: "已撤回"
        }
    }

    /// Still waiting on the entrusted court (sent, signed or in progress).
    public var isOpen: Bool { self == .sent || self == .signed || self == .inProgress }

    /// Parses the English id (`inProgress`) or the Chinese label (`办理中`).
    public init?(text: String) {
        guard let state = MatterState(rawValue: text) ?? MatterState.allCases.first(where: { $0.chineseName == text })
        else { return nil }
        self = state
    }
}
