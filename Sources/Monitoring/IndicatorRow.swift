/// The indicators of one group of matters over a period (`docs/indicators.md` defines each).
///
/// Rates are fractions from 0 to 1 and `nil` when their denominator is 0; durations are in days.
public struct IndicatorRow: Sendable, Hashable, Codable {
    /// The group: a court code, level, province prefix, province pair, matter kind or month.
    public var key: String
    /// The group as people read it (the court's name, 基层法院, 广东→北京 …).
    public var label: String
    /// 事项委托数: matters sent in the period (by the entrusting court).
    public var sent: Int
    /// 受托数: matters sent in the period (to the entrusted court).
    public var received: Int
    /// 签收数: matters signed for in the period.
    public var signed: Int
    /// 办结数: matters completed in the period.
    public var completed: Int
    /// 退回数: matters returned in the period.
    public var returned: Int
    /// 撤回数: matters withdrawn in the period (by the entrusting court; outside every rate).
    public var withdrawn: Int
    /// 期限内办结数: of ``completed``, those completed by the original deadline.
    public var completedOnTime: Int
    /// 期限内办结数（延期后）: of ``completed``, those completed by the deadline after the approved
    /// extensions that count (the original deadline for a matter without one).
    public var completedOnTimeExtended: Int
    /// 办结率 = completed ÷ (completed + returned).
    public var completionRate: Double?
    /// 退回率 = returned ÷ (completed + returned).
    public var returnRate: Double?
    /// 期限内办结率 = completed on time ÷ completed: against the original deadline (the ranking figure).
    public var onTimeRate: Double?
    /// 期限内办结率（延期后） = completed by the extended deadline ÷ completed.
    public var onTimeRateExtended: Double?
    /// 平均用时: mean days from receipt to completion, over ``completed``.
    public var meanDays: Double?
    /// 用时中位数.
    public var medianDays: Double?
    /// 用时第90百分位.
    public var p90Days: Double?
    /// Mean days from sending to completion, over ``completed``.
    public var meanDaysFromSent: Double?
    /// 平均签收用时: mean days from sending to signing, over ``signed``.
    public var meanSignLagDays: Double?
    /// 签收用时中位数.
    public var medianSignLagDays: Double?
    /// 超期未办结: open matters past their deadline at the report's instant (not limited to the period).
    public var overdueOpen: Int
    /// 超期未办结（延期后）: open matters past their extended deadline at the report's instant.
    public var overdueOpenExtended: Int
    /// 同比: the same figures for the same period one year earlier, when the report compares
    /// (`--compare previous-year`); `nil` otherwise.
    public var yearOnYear: YearOnYear?

    /// Encodes every field, a missing value as `null` (tools can rely on each key being there).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(key, forKey: .key)
        try c.encode(label, forKey: .label)
        try c.encode(sent, forKey: .sent)
        try c.encode(received, forKey: .received)
        try c.encode(signed, forKey: .signed)
        try c.encode(completed, forKey: .completed)
        try c.encode(returned, forKey: .returned)
        try c.encode(withdrawn, forKey: .withdrawn)
        try c.encode(completedOnTime, forKey: .completedOnTime)
        try c.encode(completedOnTimeExtended, forKey: .completedOnTimeExtended)
        try c.encode(completionRate, forKey: .completionRate)
        try c.encode(returnRate, forKey: .returnRate)
        try c.encode(onTimeRate, forKey: .onTimeRate)
        try c.encode(onTimeRateExtended, forKey: .onTimeRateExtended)
        try c.encode(meanDays, forKey: .meanDays)
        try c.encode(medianDays, forKey: .medianDays)
        try c.encode(p90Days, forKey: .p90Days)
        try c.encode(meanDaysFromSent, forKey: .meanDaysFromSent)
        try c.encode(meanSignLagDays, forKey: .meanSignLagDays)
        try c.encode(medianSignLagDays, forKey: .medianSignLagDays)
        try c.encode(overdueOpen, forKey: .overdueOpen)
        try c.encode(overdueOpenExtended, forKey: .overdueOpenExtended)
        try c.encode(yearOnYear, forKey: .yearOnYear)
    }
}

extension IndicatorRow {
    /// A group with no figures.
    static func empty(key: String, label: String) -> IndicatorRow {
        IndicatorReport.Tally(label: label).row(key: key)
    }
}
