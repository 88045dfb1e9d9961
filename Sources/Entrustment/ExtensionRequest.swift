/// A request for more time (申请延期), as the fold settles it: made by the entrusted court before
/// the deadline in force, for ``days`` calendar days after it, and decided (延期审批) by the
/// entrusting court, a superior of the entrusted court or the hub (``ExtensionRules``).
public struct ExtensionRequest: Hashable, Sendable {
    /// The `requestExtension` event.
    public var event: EventID
    /// The entrusted court that asked.
    public var court: CourtCode
    /// When it asked (its recorded time).
    public var requestedAt: Timestamp
    /// The calendar days asked for, counted from the deadline in force (art. 85).
    public var days: Int
    /// Why (延期理由).
    public var reason: String
    /// The decision that stands, if one was made.
    public var decision: ExtensionDecision?

    public init(
        event: EventID, court: CourtCode, requestedAt: Timestamp, days: Int, reason: String,
        decision: ExtensionDecision? = nil
    ) {
        self.event = event
        self.court = court
        self.requestedAt = requestedAt
        self.days = days
        self.reason = reason
        self.decision = decision
    }

    /// Where the request stands.
    public var status: ExtensionStatus {
        switch decision?.verdict {
        case nil: .pending
        case .approve: .approved
        case .refuse: .refused
        }
    }
}

/// The decision on a request for more time that stands (延期审批).
public struct ExtensionDecision: Hashable, Sendable {
    /// The `decideExtension` event.
    public var event: EventID
    /// The court that decided (the entrusting court, a superior of the entrusted court, or 最高法).
    public var court: CourtCode
    /// When it decided.
    public var at: Timestamp
    /// 批准 or 不予批准.
    public var verdict: ExtensionVerdict
    /// Its note.
    public var note: String

    public init(event: EventID, court: CourtCode, at: Timestamp, verdict: ExtensionVerdict, note: String) {
        self.event = event
        self.court = court
        self.at = at
        self.verdict = verdict
        self.note = note
    }
}

/// What a decision on a request for more time says.
public enum ExtensionVerdict: String, CaseIterable, Sendable, Codable {
    /// 批准.
    case approve
    /// 不予批准.
    case refuse

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .approve: "批准延期"
        case .refuse: "不予批准"
        }
    }
}

/// Where a request for more time stands.
public enum ExtensionStatus: String, CaseIterable, Sendable, Codable {
    /// 待审批.
    case pending
    /// 已批准.
    case approved
    /// 未批准.
    case refused

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .pending: "待审批"
        case .approved: "已批准"
        case .refused: "未批准"
        }
    }
}
