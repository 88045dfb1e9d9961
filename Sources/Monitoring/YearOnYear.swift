/// 同比: one group's figures over the same period one year earlier, and the change to this
/// period's (`docs/indicators.md`, `report --compare previous-year`).
///
/// A change of a count is this period's minus last year's; a growth is that change divided by last
/// year's count (`nil` when last year's is 0); a change of a rate is this period's rate minus last
/// year's, as a fraction (0.05 is 5 percentage points), `nil` when either rate is.
public struct YearOnYear: Sendable, Hashable, Codable {
    /// 去年同期事项委托数.
    public var sent: Int
    /// 去年同期办结数.
    public var completed: Int
    /// 去年同期期限内办结数 (original deadline).
    public var completedOnTime: Int
    /// 去年同期期限内办结率 (original deadline).
    public var onTimeRate: Double?
    /// 去年同期期限内办结数（延期后）.
    public var completedOnTimeExtended: Int
    /// 去年同期期限内办结率（延期后）.
    public var onTimeRateExtended: Double?
    /// 事项委托数同比增减.
    public var sentChange: Int
    /// 事项委托数同比增长率.
    public var sentGrowth: Double?
    /// 办结数同比增减.
    public var completedChange: Int
    /// 办结数同比增长率.
    public var completedGrowth: Double?
    /// 期限内办结率同比变化 (a fraction: 0.05 is 5 percentage points).
    public var onTimeRateChange: Double?
    /// 期限内办结率（延期后）同比变化.
    public var onTimeRateExtendedChange: Double?

    /// The comparison of `current` with `previous`, the same group one year earlier.
    public init(current: IndicatorRow, previous: IndicatorRow) {
        sent = previous.sent
        completed = previous.completed
        completedOnTime = previous.completedOnTime
        onTimeRate = previous.onTimeRate
        completedOnTimeExtended = previous.completedOnTimeExtended
        onTimeRateExtended = previous.onTimeRateExtended
        sentChange = current.sent - previous.sent
        sentGrowth = previous.sent == 0 ? nil : Double(sentChange) / Double(previous.sent)
        completedChange = current.completed - previous.completed
        completedGrowth = previous.completed == 0 ? nil : Double(completedChange) / Double(previous.completed)
        onTimeRateChange = Self.difference(current.onTimeRate, previous.onTimeRate)
        onTimeRateExtendedChange = Self.difference(current.onTimeRateExtended, previous.onTimeRateExtended)
    }

    private static func difference(_ a: Double?, _ b: Double?) -> Double? {
        guard let a, let b else { return nil }
        return a - b
    }

    /// Encodes every field, a missing value as `null` (tools can rely on each key being there).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sent, forKey: .sent)
        try c.encode(completed, forKey: .completed)
        try c.encode(completedOnTime, forKey: .completedOnTime)
        try c.encode(onTimeRate, forKey: .onTimeRate)
        try c.encode(completedOnTimeExtended, forKey: .completedOnTimeExtended)
        try c.encode(onTimeRateExtended, forKey: .onTimeRateExtended)
        try c.encode(sentChange, forKey: .sentChange)
        try c.encode(sentGrowth, forKey: .sentGrowth)
        try c.encode(completedChange, forKey: .completedChange)
        try c.encode(completedGrowth, forKey: .completedGrowth)
        try c.encode(onTimeRateChange, forKey: .onTimeRateChange)
        try c.encode(onTimeRateExtendedChange, forKey: .onTimeRateExtendedChange)
    }
}
