import Entrustment

/// The days a report covers, in China Standard Time, both ends included; either end may be open.
public struct ReportPeriod: Sendable, Hashable {
    /// The first day, or `nil` for no lower bound.
    public var from: CivilDate?
    /// The last day, or `nil` for no upper bound.
    public var to: CivilDate?

    /// Every day.
    public static let all = ReportPeriod(from: nil, to: nil)

    public init(from: CivilDate?, to: CivilDate?) {
        self.from = from
        self.to = to
    }

    /// The instants covered: from 00:00 CST of `from` up to (not including) 24:00 CST of `to`.
    /// An open end, or one past 9999-12-30, stops at 9999-12-31 00:00 CST, so that every bound
    /// has a four-digit year (the replica compares times as RFC 3339 text).
    public var instants: Range<Timestamp>? {
        guard from != nil || to != nil else { return nil }
        let start = from.map { Timestamp(startOfChinaDay: $0) } ?? Timestamp(milliseconds: 0)
        let end = min(to.map { DeadlinePolicy.end(of: $0) } ?? Self.lastInstant, Self.lastInstant)
        return start..<max(start, end)
    }

    /// 9999-12-31 00:00 CST: the latest bound a period uses.
    static let lastInstant = Timestamp(startOfChinaDay: try! CivilDate(year: 9999, month: 12, day: 31))

    /// The same days one year earlier (同比): each end one year back, 29 February becoming
    /// 28 February.
    public var oneYearEarlier: ReportPeriod {
        func back(_ day: CivilDate?) -> CivilDate? {
            guard let day else { return nil }
            return (try? CivilDate(year: day.year - 1, month: day.month, day: day.day))
                ?? (try? CivilDate(year: day.year - 1, month: day.month, day: day.day - 1))
        }
        return ReportPeriod(from: back(from), to: back(to))
    }

    /// Whether `instant` falls within the period.
    public func contains(_ instant: Timestamp) -> Bool { instants?.contains(instant) ?? true }

    /// The period as people read it: `2026-01-01 至 2026-03-31`, `全部`.
    public var chineseDescription: String {
        switch (from, to) {
        case (nil, nil): "全部"
        case (let from?, nil): "\(from) 起"
        case (nil, let to?): "至 \(to)"
        case (let from?, let to?): "\(from) 至 \(to)"
        }
    }
}
