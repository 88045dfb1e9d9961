import Entrustment

/// An open matter past its completion deadline (超期未办结), as listed for 督办.
public struct OverdueMatter: Sendable, Hashable, Codable {
    /// 委托编号.
    public var id: String
    /// 执行案号.
    public var caseNumber: String
    /// 委托法院 code and name.
    public var entrustingCourt: String
    public var entrustingCourtName: String
    /// 受托法院 code and name.
    public var entrustedCourt: String
    public var entrustedCourtName: String
    /// 事项类型 id and its Chinese name.
    public var kind: String
    public var kindName: String
    /// 状态 and its Chinese name.
    public var state: String
    public var stateName: String
    /// 委托时间.
    public var sentAt: Timestamp
    /// 收到时间.
    public var receivedAt: Timestamp?
    /// 签收时间.
    public var signedAt: Timestamp?
    /// 办理期限: the last day.
    public var due: CivilDate
    /// 暂定: the deadline falls in a year the hub's calendar does not cover yet.
    public var dueProvisional: Bool
    /// 超期天数: days since the deadline ended (fractional).
    public var daysOverdue: Double
    /// 延期后办理期限: the last day after the approved extensions that count; `nil` if not extended.
    public var extendedDue: CivilDate?
    /// 延期后仍超期: past the extended deadline too (for a matter not extended: overdue).
    public var overdueExtended: Bool
    /// 催办次数.
    public var urgeCount: Int
    /// 督办.
    public var supervised: Bool

    /// The open matters among `timings` that are past their original deadline at `now` (the
    /// ranking figure), most overdue first; an extended matter is listed with its extended
    /// deadline and whether it is past that too.
    public static func list(_ timings: [MatterTiming], at now: Timestamp, directory: CourtDirectory) -> [OverdueMatter]
    {
        timings.filter { $0.isOverdue(at: now) }
            .sorted { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
            .map { m in
                OverdueMatter(
                    id: m.id.rawValue, caseNumber: m.caseNumber,
                    entrustingCourt: m.entrustingCourt.rawValue,
                    entrustingCourtName: directory[m.entrustingCourt]?.name ?? m.entrustingCourt.rawValue,
                    entrustedCourt: m.entrustedCourt.rawValue,
                    entrustedCourtName: directory[m.entrustedCourt]?.name ?? m.entrustedCourt.rawValue, kind: m.kind.id,
                    kindName: m.kind.chineseName, state: m.state.rawValue, stateName: m.state.chineseName,
                    sentAt: m.sentAt, receivedAt: m.receivedAt, signedAt: m.signedAt, due: m.due,
                    dueProvisional: m.dueProvisional, daysOverdue: m.daysOverdue(at: now), extendedDue: m.extendedDue,
                    overdueExtended: m.isOverdueExtended(at: now), urgeCount: m.urgeCount,
                    supervised: m.supervised)
            }
    }

    /// Encodes every field, a missing value as `null` (tools can rely on each key being there).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(caseNumber, forKey: .caseNumber)
        try c.encode(entrustingCourt, forKey: .entrustingCourt)
        try c.encode(entrustingCourtName, forKey: .entrustingCourtName)
        try c.encode(entrustedCourt, forKey: .entrustedCourt)
        try c.encode(entrustedCourtName, forKey: .entrustedCourtName)
        try c.encode(kind, forKey: .kind)
        try c.encode(kindName, forKey: .kindName)
        try c.encode(state, forKey: .state)
        try c.encode(stateName, forKey: .stateName)
        try c.encode(sentAt, forKey: .sentAt)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encode(signedAt, forKey: .signedAt)
        try c.encode(due, forKey: .due)
        try c.encode(dueProvisional, forKey: .dueProvisional)
        try c.encode(daysOverdue, forKey: .daysOverdue)
        try c.encode(extendedDue, forKey: .extendedDue)
        try c.encode(overdueExtended, forKey: .overdueExtended)
        try c.encode(urgeCount, forKey: .urgeCount)
        try c.encode(supervised, forKey: .supervised)
    }
}
