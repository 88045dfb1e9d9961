import Entrustment

/// The hub's calendar as a node holds it, and whether it runs out soon: deadlines that fall
/// after the last published year are provisional (暂定) until the hub publishes it. `courtsync
/// status`, `courtsync calendar` and the dashboard warn ``warningDays`` before it runs out.
public struct CalendarStatus: Sendable, Codable, Hashable {
    /// How many days ahead the warning starts.
    public static let warningDays = 30

    /// The version in force (0: none installed yet).
    public var version: Int
    /// The years published.
    public var years: [Int]
    /// The last day the published years cover without a gap from today (`nil`: today's year is
    /// not published, or no calendar is held).
    public var coversThrough: CivilDate?
    /// Days from today to that day.
    public var daysLeft: Int?
    /// The late-report grace in force, in hours.
    public var graceHours: Double?
    /// A warning in Chinese when the calendar runs out within ``warningDays`` (or already has).
    public var warning: String?

    /// The status of `calendars` on the day of `now`.
    public init(_ calendars: CalendarVersions?, now: Timestamp) {
        let today = now.chinaDate
        version = calendars?.version ?? 0
        years = calendars?.reference.years.map(\.year) ?? []
        coversThrough = calendars?.reference.coverage(from: today)
        daysLeft = coversThrough.map { $0.daysSinceEpoch - today.daysSinceEpoch }
        graceHours = calendars.map { Double($0.graceMilliseconds) / 3_600_000 }
        if calendars == nil {
            warning = "尚未收到指挥中心发布的节假日历：无法计算期限"
        } else if let coversThrough, let daysLeft {
            warning =
                daysLeft <= Self.warningDays
                ? "节假日历仅覆盖至 \(coversThrough)（剩 \(daysLeft) 天）：此后的期限为暂定，待指挥中心发布 \(coversThrough.year + 1) 年节假日" : nil
        } else {
            warning = "节假日历未覆盖 \(today.year) 年：期限为暂定（仅按周末计），待指挥中心发布"
        }
    }

    /// Encodes every field, a missing value as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(version, forKey: .version)
        try c.encode(years, forKey: .years)
        try c.encode(coversThrough, forKey: .coversThrough)
        try c.encode(daysLeft, forKey: .daysLeft)
        try c.encode(graceHours, forKey: .graceHours)
        try c.encode(warning, forKey: .warning)
    }
}
