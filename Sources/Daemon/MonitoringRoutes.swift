import Entrustment
import Foundation
import HTTPTypes
import Hummingbird
import Monitoring
import Node
import Replica
import SyncEngine

/// The node's monitoring side (`docs/indicators.md`): `/api/v1/…` (JSON of every figure the
/// dashboard shows), `/metrics` (Prometheus) and `/dashboard` (the page, in Chinese). Each request
/// reads the replica at one instant through ``Monitor``, as `courtsync report` does.
///
/// The figures carry court codes and names, case numbers and times, but no party's name or
/// identity number. Every `/api/v1/…` request needs a staff token (`Authorization: Bearer`,
/// `courtsync token create`); `/metrics` takes a monitoring or a metrics-only token; the page
/// itself holds no data and asks for the token (`docs/security.md`).
struct MonitoringRoutes: Sendable {
    let node: CourtNode
    let config: NodeConfig
    let exporter: MetricsExporter

    /// Everything the dashboard shows, read at one instant (`/api/v1/dashboard`).
    struct Dashboard: Encodable, Sendable {
        var asOf: Timestamp
        var court: String
        var courtName: String
        var role: String
        var refreshSeconds: Int
        var league: IndicatorReport
        var trend: IndicatorReport
        /// This year so far, by court, with 同比 (the same days of last year).
        var yearToDate: IndicatorReport
        var overdue: OverdueReport
        var latency: LatencyReport
        var lateReports: LateReportList
        var calendar: CalendarStatus
    }

    func add(to router: Router<NodeRequestContext>) {
        let api = router.group("api/v1").add(middleware: StaffTokenMiddleware(node: node, scopes: [.monitoring]))
        api.get("indicators") { request, _ in
            let query = request.uri.queryParameters
            let dimension = try Self.dimension(query.get("by"))
            let period = ReportPeriod(
                from: try Self.day(query.get("from"), "from"), to: try Self.day(query.get("to"), "to"))
            if let from = period.from, let to = period.to, to < from {
                throw SyncError.badRequest("to \(to) is before from \(from)")
            }
            switch query.get("compare") {
            case nil:
                return try Self.json(try await read { try $0.indicators(by: dimension, period: period) })
            case "previous-year":
                guard period.from != nil, period.to != nil else {
                    throw SyncError.badRequest("compare=previous-year (同比) needs a period with both from and to")
                }
                return try Self.json(
                    try await read { try $0.indicatorsComparedWithPreviousYear(by: dimension, period: period) })
            case let other?:
                throw SyncError.badRequest("compare must be previous-year, not \(other)")
            }
        }
        api.get("trend") { request, _ in
            let text = request.uri.queryParameters.get("months")
            guard let months = text.map({ Int($0) }) ?? 12, (1...120).contains(months) else {
                throw SyncError.badRequest("months must be a whole number from 1 to 120")
            }
            return try Self.json(try await read { try $0.trend(months: months) })
        }
        api.get("overdue") { _, _ in
            try Self.json(try await read { try $0.overdue() })
        }
        api.get("latency") { _, _ in
            let settings = config.monitoring
            return try Self.json(
                try await read {
                    try $0.latency(
                        windowSeconds: settings.latencyWindowSeconds, staleAfterSeconds: settings.staleAfterSeconds)
                })
        }
        api.get("late") { _, _ in
            try Self.json(try await read { try $0.lateReports() })
        }
        api.get("matters/:id") { _, context in
            let raw = context.parameters.get("id") ?? ""
            let text = raw.removingPercentEncoding ?? raw
            let id = try Self.matterID(text)
            guard let timeline = try await read({ try $0.timeline(id) }) else {
                throw SyncError(code: "unknownMatter", status: 404, "this node does not hold matter \(id)")
            }
            return try Self.json(timeline)
        }
        api.get("dashboard") { _, _ in
            try Self.json(try await dashboard())
        }
        router.group("metrics").add(middleware: StaffTokenMiddleware(node: node, scopes: [.monitoring, .metrics]))
            .get { _, _ in
                let settings = config.monitoring
                let (indicators, latency) = try await read { monitor in
                    (
                        try monitor.indicators(by: .court),
                        try monitor.latency(
                            windowSeconds: settings.latencyWindowSeconds, staleAfterSeconds: settings.staleAfterSeconds)
                    )
                }
                return Response(
                    status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: .init(
                        byteBuffer: ByteBuffer(string: exporter.exposition(indicators: indicators, latency: latency))))
            }
        router.get("dashboard") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/") { _, _ in
            Response(status: .seeOther, headers: [.location: "/dashboard"])
        }
    }

    /// The dashboard's figures, all at one instant.
    func dashboard() async throws -> Dashboard {
        let settings = config.monitoring
        let court = node.identity.court
        let name = node.replica.directory[court]?.name ?? court.rawValue
        let role = config.role.rawValue
        return try await read { monitor in
            let matters = try monitor.matterFigures(trendMonths: 12)
            return Dashboard(
                asOf: monitor.now, court: court.rawValue, courtName: name, role: role,
                refreshSeconds: settings.dashboardRefreshSeconds, league: matters.league, trend: matters.trend,
                yearToDate: matters.yearToDate, overdue: matters.overdue,
                latency: try monitor.latency(
                    windowSeconds: settings.latencyWindowSeconds, staleAfterSeconds: settings.staleAfterSeconds),
                lateReports: try monitor.lateReports(), calendar: try monitor.calendar())
        }
    }

    /// Runs `body` on a ``Monitor`` of the replica at this instant, off the event loop.
    private func read<T: Sendable>(_ body: @escaping @Sendable (Monitor) throws -> T) async throws -> T {
        let monitor = Monitor(replica: node.replica, now: node.time.now())
        do {
            return try await Blocking.run { try body(monitor) }
        } catch let error as ReplicaError {
            throw SyncError(code: "storageFailure", status: 500, "cannot read the replica: \(error.message)")
        }
    }

    static func dimension(_ text: String?) throws(SyncError) -> ReportDimension {
        guard let text else { return .court }
        guard let dimension = ReportDimension(rawValue: text) else {
            throw SyncError.badRequest(
                "by must be one of \(ReportDimension.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return dimension
    }

    static func matterID(_ text: String) throws(SyncError) -> MatterID {
        do { return try MatterID(text) } catch { throw SyncError.badRequest("not a matter id: \(error.message)") }
    }

    static func day(_ text: String?, _ name: String) throws(SyncError) -> CivilDate? {
        guard let text else { return nil }
        do { return try CivilDate(parsing: text) } catch {
            throw SyncError.badRequest("\(name): \(error.message)")
        }
    }

    /// A monitoring document, encoded as `courtsync report --format json` encodes it.
    static func json(_ value: some Encodable) throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: try Monitor.encoder().encode(value))))
    }
}
