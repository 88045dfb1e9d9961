import Entrustment
import Foundation
import Replica

/// The monitoring figures of one node's replica (at the hub: of every court), read at one
/// instant. The CLI's `report` commands, `/api/v1`, `/metrics` and the dashboard all read them
/// here, so they agree.
public struct Monitor: Sendable {
    /// The replica read.
    public let replica: Replica
    /// The instant "now" (overdue, staleness, the latency window's end).
    public let now: Timestamp

    /// A monitor of `replica` at the instant `now`.
    public init(replica: Replica, now: Timestamp) {
        self.replica = replica
        self.now = now
    }

    /// The indicators of every group over `period`.
    public func indicators(by dimension: ReportDimension, period: ReportPeriod = .all) throws(ReplicaError)
        -> IndicatorReport
    {
        let timings = try replica.matterTimings(touching: period.instants)
        return IndicatorReport(timings, by: dimension, period: period, now: now, directory: replica.directory)
    }

    /// The indicators of every group over `period`, each row with its 同比 (the same days one year
    /// earlier, ``ReportPeriod/oneYearEarlier``). The period must have both ends.
    public func indicatorsComparedWithPreviousYear(
        by dimension: ReportDimension, period: ReportPeriod
    ) throws(ReplicaError) -> IndicatorReport {
        let earlier = period.oneYearEarlier
        return try indicators(by: dimension, period: period).comparing(
            with: indicators(by: dimension, period: earlier), over: earlier)
    }

    /// The indicators by month for the `months` calendar months up to and including the current one.
    public func trend(months: Int) throws(ReplicaError) -> IndicatorReport {
        try indicators(by: .month, period: trendPeriod(months: months))
    }

    /// The dashboard's matter figures from one read of the matters, so that they agree with each
    /// other: the league table (by court, every matter), the trend of the last `trendMonths`
    /// months, the overdue list, and this year so far compared with the same days of last year
    /// (同比, by court).
    public func matterFigures(trendMonths: Int) throws(ReplicaError) -> (
        league: IndicatorReport, trend: IndicatorReport, overdue: OverdueReport, yearToDate: IndicatorReport
    ) {
        let timings = try replica.matterTimings()
        let directory = replica.directory
        let today = now.chinaDate
        let yearToDate = ReportPeriod(from: try? CivilDate(year: today.year, month: 1, day: 1), to: today)
        let lastYear = yearToDate.oneYearEarlier
        return (
            IndicatorReport(timings, by: .court, period: .all, now: now, directory: directory),
            IndicatorReport(
                timings, by: .month, period: trendPeriod(months: trendMonths), now: now, directory: directory),
            OverdueReport(asOf: now, matters: OverdueMatter.list(timings, at: now, directory: directory)),
            IndicatorReport(timings, by: .court, period: yearToDate, now: now, directory: directory).comparing(
                with: IndicatorReport(timings, by: .court, period: lastYear, now: now, directory: directory),
                over: lastYear)
        )
    }

    /// From the first day of the month `months − 1` months back to today.
    private func trendPeriod(months: Int) -> ReportPeriod {
        let today = now.chinaDate
        var year = today.year
        var month = today.month - (max(1, months) - 1)
        while month < 1 {
            month += 12
            year -= 1
        }
        return ReportPeriod(from: try? CivilDate(year: year, month: month, day: 1), to: today)
    }

    /// The overdue matters, most overdue first.
    public func overdue() throws(ReplicaError) -> OverdueReport {
        let open = try replica.openMatterTimings()
        return OverdueReport(asOf: now, matters: OverdueMatter.list(open, at: now, directory: replica.directory))
    }

    /// The sync latency of every node over the `windowSeconds` before now.
    public func latency(windowSeconds: Double, staleAfterSeconds: Double) throws(ReplicaError) -> LatencyReport {
        let window = min(max(windowSeconds, 0), Self.longestWindowSeconds)
        let since = now.adding(milliseconds: -Int64(window * 1000))
        let arrivals = try replica.arrivals(storedSince: since)
        let last = try replica.lastArrivals()
        let contacts = try replica.contacts()
        let replica = self.replica
        let nodes = NodeLatency.list(
            arrivals: arrivals, lastArrivals: last, contacts: contacts, now: now, staleAfterSeconds: staleAfterSeconds,
            directory: replica.directory
        ) { contact in
            try? replica.pendingCount(
                after: contact.pulledAfter ?? 0,
                for: ChangeSelection(
                    court: contact.court == .supreme ? nil : contact.court, excludingNode: contact.node))
        }
        return LatencyReport(
            asOf: now, windowSeconds: windowSeconds, staleAfterSeconds: staleAfterSeconds, nodes: nodes)
    }

    /// One matter's timeline, or `nil` if this replica does not hold it.
    public func timeline(_ id: MatterID) throws(ReplicaError) -> MatterTimeline? {
        guard let matter = try replica.matter(id), let timing = try replica.matterTiming(id) else { return nil }
        return MatterTimeline(
            matter, timing: timing, events: try replica.events(of: id), witnesses: try replica.witnesses(ofMatter: id),
            lateReports: try replica.lateReports(matter: id), now: now, directory: replica.directory)
    }

    /// The late reports held, newest witness first.
    public func lateReports(open: Bool = false) throws(ReplicaError) -> LateReportList {
        let reports = try replica.lateReports(open: open)
        var caseNumbers: [MatterID: String] = [:]
        for id in Set(reports.map(\.matter)) {
            caseNumbers[id] = try replica.matterTiming(id)?.caseNumber
        }
        return LateReportList(asOf: now, reports: reports, caseNumbers: caseNumbers, directory: replica.directory)
    }

    /// The calendar in force and whether it runs out soon.
    public func calendar() throws(ReplicaError) -> CalendarStatus {
        CalendarStatus(try replica.calendars(), now: now)
    }

    /// The longest latency window: ten years (longer ones are cut to it).
    public static let longestWindowSeconds: Double = 10 * 366 * 86_400

    /// The JSON encoding every monitoring document uses (keys sorted, so outputs compare as text).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
