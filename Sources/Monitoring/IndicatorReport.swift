import Entrustment

/// The indicators of every group and of all matters together, over one period, at one instant.
public struct IndicatorReport: Sendable, Codable {
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
        func add(
            _ matter: MatterTiming, _ side: ReportDimension.Side, at instant: Timestamp, _ count: (inout Tally) -> Void
        ) {
            let (key, label) = dimension.group(of: matter, side: side, at: instant, directory: directory)
            count(&groups[key, default: Tally(label: label)])
        }
        for matter in timings {
            var facts: [(ReportDimension.Side, Timestamp, (inout Tally) -> Void)] = []
            if period.contains(matter.sentAt) {
                facts.append((.entrusting, matter.sentAt, { $0.sent += 1 }))
                facts.append((.entrusted, matter.sentAt, { $0.received += 1 }))
            }
            if let at = matter.signedAt, period.contains(at), let lag = matter.signLagDays {
                facts.append((.entrusted, at, { $0.signLags.append(lag) }))
            }
            if let at = matter.completedAt, period.contains(at), let days = matter.completionDays,
                let fromSent = matter.completionDaysFromSent
            {
                let onTime = matter.onTime == true
                facts.append(
                    (
                        .entrusted, at,
                        {
                            $0.completed += 1
                            if onTime { $0.completedOnTime += 1 }
                            $0.days.append(days)
                            $0.daysFromSent.append(fromSent)
                        }
                    ))
            }
            if let at = matter.returnedAt, period.contains(at) {
                facts.append((.entrusted, at, { $0.returned += 1 }))
            }
            if let at = matter.withdrawnAt, period.contains(at) {
                facts.append((.entrusted, at, { $0.withdrawn += 1 }))
            }
            if matter.isOverdue(at: now) {
                facts.append((.entrusted, matter.dueAt, { $0.overdueOpen += 1 }))
            }
            for (side, instant, count) in facts {
                add(matter, side, at: instant, count)
                count(&total)
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
        var returned = 0
        var withdrawn = 0
        var overdueOpen = 0
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
                completionRate: ended == 0 ? nil : Double(completed) / Double(ended),
                returnRate: ended == 0 ? nil : Double(returned) / Double(ended),
                onTimeRate: completed == 0 ? nil : Double(completedOnTime) / Double(completed),
                meanDays: completion.mean, medianDays: completion.median, p90Days: completion.p90,
                meanDaysFromSent: Distribution(daysFromSent).mean, meanSignLagDays: signLag.mean,
                medianSignLagDays: signLag.median, overdueOpen: overdueOpen)
        }
    }
}
