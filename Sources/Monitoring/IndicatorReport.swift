import Entrustment

/// The indicators of every group and of all matters together, over one period, at one instant.
public struct IndicatorReport: Sendable, Encodable {
    /// How the rows are grouped.
    public var dimension: ReportDimension
    /// The first day covered (`nil`: from the first matter).
    public var from: CivilDate?
    /// The last day covered (`nil`: up to now).
    public var to: CivilDate?
    /// The instant open matters were judged overdue at.
    public var asOf: Timestamp
    /// One row per group, by key.
    public var rows: [IndicatorRow]
    /// All matters together (全国 at the hub, all of this node's matters elsewhere).
    public var total: IndicatorRow
    /// The period compared with (同比: the same days one year earlier), when the report compares.
    public var compared: ReportPeriod?

    /// Computes the report from the timings of the matters the period touches.
    public init(
        _ timings: [MatterTiming], by dimension: ReportDimension, period: ReportPeriod, now: Timestamp,
        directory: CourtDirectory
    ) {
        self.dimension = dimension
        from = period.from
        to = period.to
        asOf = now
        var groups: [String: Tally] = [:]
        var total = Tally(label: "合计")
        let instants = period.instants  // once, not per matter
        func inPeriod(_ instant: Timestamp) -> Bool { instants?.contains(instant) ?? true }
        /// Adds a figure to the matter's group (named when first met) and, unless told not to, to the total.
        func add(
            _ matter: MatterTiming, _ side: ReportDimension.Side, at instant: Timestamp, toTotal: Bool = true,
            _ count: (inout Tally) -> Void
        ) {
            let key = dimension.key(of: matter, side: side, at: instant)
            if groups[key] == nil {
                groups[key] = Tally(label: dimension.label(of: matter, side: side, at: instant, directory: directory))
            }
            count(&groups[key]!)
            if toTotal { count(&total) }
        }
        for matter in timings {
            if inPeriod(matter.sentAt) {
                add(matter, .entrusting, at: matter.sentAt) { $0.sent += 1 }
                add(matter, .entrusted, at: matter.sentAt) { $0.received += 1 }
            }
            if let at = matter.signedAt, inPeriod(at), let lag = matter.signLagDays {
                add(matter, .entrusted, at: at) { $0.signLags.append(lag) }
            }
            if let at = matter.completedAt, inPeriod(at), let days = matter.completionDays,
                let fromSent = matter.completionDaysFromSent
            {
                let onTime = matter.onTime == true
                let onTimeExtended = matter.onTimeExtended == true
                add(matter, .entrusted, at: at) {
                    $0.completed += 1
                    if onTime { $0.completedOnTime += 1 }
                    if onTimeExtended { $0.completedOnTimeExtended += 1 }
                    $0.days.append(days)
                    $0.daysFromSent.append(fromSent)
                }
            }
            if let at = matter.returnedAt, inPeriod(at) {
                add(matter, .entrusted, at: at) { $0.returned += 1 }
            }
            if let at = matter.withdrawnAt, inPeriod(at) {
                add(matter, .entrusting, at: at) { $0.withdrawn += 1 }
            }
            // Counted now, whatever the period. By month, in the month of the deadline's last day, and
            // only if that day is within the period: a month the period cuts counts only the matters
            // whose last day is on one of its days in the period.
            if matter.isOverdue(at: now) {
                let lastDay = Timestamp(startOfChinaDay: matter.due)
                total.overdueOpen += 1
                if dimension != .month || inPeriod(lastDay) {
                    add(matter, .entrusted, at: lastDay, toTotal: false) { $0.overdueOpen += 1 }
                }
            }
            if matter.isOverdueExtended(at: now) {
                let lastDay = Timestamp(startOfChinaDay: matter.extendedDue ?? matter.due)
                total.overdueOpenExtended += 1
                if dimension != .month || inPeriod(lastDay) {
                    add(matter, .entrusted, at: lastDay, toTotal: false) { $0.overdueOpenExtended += 1 }
                }
            }
        }
        rows = groups.keys.sorted().map { groups[$0]!.row(key: $0) }
        self.total = total.row(key: "total")
    }

    /// The counts and samples of one group while they are gathered.
    struct Tally {
        var label: String
        var sent = 0
        var received = 0
        var completed = 0
        var completedOnTime = 0
        var completedOnTimeExtended = 0
        var returned = 0
        var withdrawn = 0
        var overdueOpen = 0
        var overdueOpenExtended = 0
        var days: [Double] = []
        var daysFromSent: [Double] = []
        var signLags: [Double] = []

        func row(key: String) -> IndicatorRow {
            let ended = completed + returned
            let completion = Distribution(days)
            let signLag = Distribution(signLags)
            return IndicatorRow(
                key: key, label: label, sent: sent, received: received, signed: signLags.count, completed: completed,
                returned: returned, withdrawn: withdrawn, completedOnTime: completedOnTime,
                completedOnTimeExtended: completedOnTimeExtended,
                completionRate: ended == 0 ? nil : Double(completed) / Double(ended),
                returnRate: ended == 0 ? nil : Double(returned) / Double(ended),
                onTimeRate: completed == 0 ? nil : Double(completedOnTime) / Double(completed),
                onTimeRateExtended: completed == 0 ? nil : Double(completedOnTimeExtended) / Double(completed),
                meanDays: completion.mean, medianDays: completion.median, p90Days: completion.p90,
                meanDaysFromSent: Distribution(daysFromSent).mean, meanSignLagDays: signLag.mean,
                medianSignLagDays: signLag.median, overdueOpen: overdueOpen, overdueOpenExtended: overdueOpenExtended)
        }
    }

    /// Encodes every field, a missing value as `null` (tools can rely on each key being there).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(dimension, forKey: .dimension)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(asOf, forKey: .asOf)
        try c.encode(rows, forKey: .rows)
        try c.encode(total, forKey: .total)
        try c.encode(compared?.from, forKey: .comparedFrom)
        try c.encode(compared?.to, forKey: .comparedTo)
    }

    private enum CodingKeys: String, CodingKey {
        case dimension, from, to, asOf, rows, total, comparedFrom, comparedTo
    }

    /// This report compared with `previous`, the same grouping over ``compared``, the same period
    /// one year earlier (同比). Each row gains its ``IndicatorRow/yearOnYear``, matched by group
    /// (a month with the same month one year earlier); a group with figures only in the earlier
    /// period is listed too, with zeros for this period, so that a court whose traffic stopped
    /// still shows.
    public func comparing(with previous: IndicatorReport, over compared: ReportPeriod) -> IndicatorReport {
        var report = self
        report.compared = compared
        var earlier: [String: IndicatorRow] = [:]
        for row in previous.rows { earlier[dimension.keyOneYearLater(row.key)] = row }
        var rows = Dictionary(rows.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
        for (key, row) in earlier where rows[key] == nil {
            rows[key] = IndicatorRow.empty(key: key, label: dimension.labelOneYearLater(key: key, label: row.label))
        }
        report.rows = rows.keys.sorted().map { key in
            var row = rows[key]!
            row.yearOnYear = YearOnYear(
                current: row, previous: earlier[key] ?? IndicatorRow.empty(key: key, label: row.label))
            return row
        }
        report.total.yearOnYear = YearOnYear(current: total, previous: previous.total)
        return report
    }
}
