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
    public var instants: Range<Timestamp>? {
        guard from != nil || to != nil else { return nil }
        let start = from.map { Timestamp(startOfChinaDay: $0) } ?? Timestamp(milliseconds: 0)
        let end = to.map { DeadlinePolicy.end(of: $0) } ?? Timestamp.latest
        return start..<max(start, end)
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
