import ArgumentParser
import Entrustment
import Foundation
import Monitoring
import Node
import Replica
import SyncEngine

/// `courtsync report [indicators|overdue|latency]`: the completion-time indicators, the overdue
/// matters and the sync latency, as a table, CSV or JSON.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "统计报表 — 期限内办结率、平均用时、超期未办结 and sync latency (同步时延).",
        discussion: """
            The figures are computed from this node's replica: at the hub, every court's matters; at a court, the matters it is party to. docs/indicators.md defines each figure (numerator, denominator, which matters, which period, which clock). The hub's /api/v1, /metrics and dashboard show the same figures.

            Formats: table (Chinese headings, rates as percentages and days to two decimals), csv (UTF-8 with a byte-order mark and CRLF line ends, so spreadsheets open the Chinese headings; numbers as in JSON), json (rates as fractions from 0 to 1, days as fractional days, full precision).
            """,
        subcommands: [
            IndicatorsReport.self, OverdueReportCommand.self, LateReportCommand.self, LatencyReportCommand.self,
        ],
        defaultSubcommand: IndicatorsReport.self)
}

/// `--format table|csv|json`.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

extension ReportDimension: ExpressibleByArgument {}

/// `--compare previous-year`.
enum ReportComparison: String, ExpressibleByArgument, CaseIterable {
    /// 同比: the same days one year earlier.
    case previousYear = "previous-year"
}

/// Prints a monitoring document as one JSON document (keys sorted, like `/api/v1`).
func printReportJSON(_ value: some Encodable) throws {
    let encoder = Monitor.encoder()
    encoder.outputFormatting.insert(.prettyPrinted)
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Writes CSV (RFC 4180: CRLF, quoted where needed) with a UTF-8 byte-order mark.
func printCSV(headers: [String], rows: [[String]]) {
    func field(_ text: String) -> String {
        text.contains(where: { ",\"\r\n".contains($0) })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            : text
    }
    let lines = ([headers] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }
    FileHandle.standardOutput.write(Data(("\u{FEFF}" + lines.joined()).utf8))
}

/// A number as JSON writes it (shortest text that reads back the same), empty for none.
func csvNumber(_ value: Double?) -> String {
    guard let value else { return "" }
    return String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
}

/// Reads `--from`/`--to`.
func parseDay(_ text: String?, _ option: String) throws(NodeError) -> CivilDate? {
    guard let text else { return nil }
    do { return try CivilDate(parsing: text) } catch {
        throw NodeError(code: "invalidArgument", "\(option) \(text): \(error.message)")
    }
}

struct IndicatorsReport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "indicators",
        abstract: "指标 — 委托数、受托数、办结率、退回率、期限内办结率、平均用时 by court, level, province, pair, kind or month.")

    @OptionGroup var node: NodeOptions
    @Option(
        name: .long,
        help: "Group by: court (法院), level (层级), province (省份), pair (委托省份→受托省份), kind (事项类型), month (月份).")
    var by: ReportDimension = .court
    @Option(name: .long, help: "First day of the period, YYYY-MM-DD (China Standard Time), included.") var from: String?
    @Option(name: .long, help: "Last day of the period, YYYY-MM-DD, included.") var to: String?
    @Option(
        name: .long,
        help:
            "previous-year: 同比 — each row's 事项委托数, 办结数 and 期限内办结率 for the same days one year earlier, with the change (needs --from and --to)."
    )
    var compare: ReportComparison?
    @Option(name: .long, help: "table, csv or json.") var format: ReportFormat = .table

    func run() throws {
        try reporting(json: format == .json) {
            let period = ReportPeriod(from: try parseDay(from, "--from"), to: try parseDay(to, "--to"))
            if let from = period.from, let to = period.to, to < from {
                throw NodeError(code: "invalidArgument", "--to \(to) is before --from \(from)")
            }
            if compare != nil, period.from == nil || period.to == nil {
                throw NodeError(
                    code: "invalidArgument", "--compare previous-year (同比) needs a period: give --from and --to")
            }
            let report = try node.withNode { node in
                try node.read { () throws(ReplicaError) in
                    let monitor = Monitor(replica: node.replica, now: node.time.now())
                    return compare == nil
                        ? try monitor.indicators(by: by, period: period)
                        : try monitor.indicatorsComparedWithPreviousYear(by: by, period: period)
                }
            }
            let columns = Self.columns + (compare == nil ? [] : Self.yearOnYearColumns)
            switch format {
            case .json: try printReportJSON(report)
            case .csv:
                let headers = [by.chineseName + "代码", by.chineseName] + columns.map(\.heading)
                printCSV(
                    headers: headers,
                    rows: (report.rows + [report.total]).map { row in
                        [row.key, row.label] + columns.map { $0.csv(row) }
                    })
            case .table:
                var heading = "统计期间：\(period.chineseDescription)　统计时点：\(report.asOf.rfc3339)"
                if let compared = report.compared { heading += "　同比期间：\(compared.chineseDescription)" }
                print(heading)
                var table = TextTable(headers: [by.chineseName, "名称"] + columns.map(\.heading))
                for row in report.rows + [report.total] {
                    let isTotal = row.key == report.total.key
                    table.append([isTotal ? "合计" : row.key, isTotal ? "" : row.label] + columns.map { $0.text(row) })
                }
                print(table.rendered)
            }
        }
    }

    /// One column of the indicator table: its heading, and the cell as text and as CSV.
    struct Column: Sendable {
        var heading: String
        var text: @Sendable (IndicatorRow) -> String
        var csv: @Sendable (IndicatorRow) -> String

        static func count(_ heading: String, _ value: @escaping @Sendable (IndicatorRow) -> Int) -> Column {
            Column(heading: heading, text: { "\(value($0))" }, csv: { "\(value($0))" })
        }
        static func rate(_ heading: String, _ value: @escaping @Sendable (IndicatorRow) -> Double?) -> Column {
            Column(heading: heading, text: { Figures.percent(value($0)) }, csv: { csvNumber(value($0)) })
        }
        static func days(_ heading: String, _ value: @escaping @Sendable (IndicatorRow) -> Double?) -> Column {
            Column(heading: heading, text: { Figures.days(value($0)) }, csv: { csvNumber(value($0)) })
        }
        /// A count that may be missing.
        static func previous(_ heading: String, _ value: @escaping @Sendable (IndicatorRow) -> Int?) -> Column {
            Column(
                heading: heading, text: { value($0).map(String.init) ?? "—" }, csv: { value($0).map(String.init) ?? "" }
            )
        }
        /// A signed change of a count (`+3`, `-2`).
        static func change(_ heading: String, _ value: @escaping @Sendable (IndicatorRow) -> Int?) -> Column {
            Column(
                heading: heading, text: { value($0).map { $0 > 0 ? "+\($0)" : "\($0)" } ?? "—" },
                csv: { value($0).map(String.init) ?? "" })
        }
        /// A change of a rate in percentage points (`+5.00`), or a growth as a percentage.
        static func points(_ heading: String, _ value: @escaping @Sendable (IndicatorRow) -> Double?) -> Column {
            Column(
                heading: heading,
                text: { value($0).map { ($0 > 0 ? "+" : "") + Figures.fixed($0 * 100) } ?? "—" },
                csv: { csvNumber(value($0)) })
        }
    }

    static let columns: [Column] = [
        .count("事项委托数", \.sent), .count("受托数", \.received), .count("签收数", \.signed), .count("办结数", \.completed),
        .count("退回数", \.returned), .count("撤回数", \.withdrawn), .count("期限内办结数", \.completedOnTime),
        .count("期限内办结数(延期后)", \.completedOnTimeExtended),
        .rate("办结率", \.completionRate), .rate("退回率", \.returnRate), .rate("期限内办结率", \.onTimeRate),
        .rate("期限内办结率(延期后)", \.onTimeRateExtended),
        .days("平均用时(天)", \.meanDays), .days("用时中位数(天)", \.medianDays), .days("用时P90(天)", \.p90Days),
        .days("自委托起平均用时(天)", \.meanDaysFromSent), .days("平均签收用时(天)", \.meanSignLagDays),
        .days("签收用时中位数(天)", \.medianSignLagDays),
        .count("超期未办结", \.overdueOpen), .count("超期未办结(延期后)", \.overdueOpenExtended),
    ]

    /// The 同比 columns of `--compare previous-year`.
    static let yearOnYearColumns: [Column] = [
        .previous("去年同期委托数", { $0.yearOnYear?.sent }), .change("委托数同比增减", { $0.yearOnYear?.sentChange }),
        .points("委托数同比(%)", { $0.yearOnYear?.sentGrowth }),
        .previous("去年同期办结数", { $0.yearOnYear?.completed }),
        .change("办结数同比增减", { $0.yearOnYear?.completedChange }),
        .points("办结数同比(%)", { $0.yearOnYear?.completedGrowth }),
        .rate("去年同期期限内办结率", { $0.yearOnYear?.onTimeRate }),
        .points("期限内办结率同比(百分点)", { $0.yearOnYear?.onTimeRateChange }),
        .rate("去年同期期限内办结率(延期后)", { $0.yearOnYear?.onTimeRateExtended }),
        .points("期限内办结率(延期后)同比(百分点)", { $0.yearOnYear?.onTimeRateExtendedChange }),
    ]
}

struct OverdueReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overdue",
        abstract: "超期未办结 — open matters past their completion deadline, most overdue first (督办清单).")

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "table, csv or json.") var format: ReportFormat = .table

    func run() throws {
        try reporting(json: format == .json) {
            let report = try node.withNode { node in
                try node.read { () throws(ReplicaError) in
                    try Monitor(replica: node.replica, now: node.time.now()).overdue()
                }
            }
            let headers = [
                "委托编号", "执行案号", "委托法院", "受托法院", "事项类型", "状态", "办理期限", "超期天数", "延期至", "延期后仍超期", "催办次数", "督办",
            ]
            func cells(_ m: OverdueMatter, days: String) -> [String] {
                [
                    m.id, m.caseNumber, "\(m.entrustingCourt) \(m.entrustingCourtName)",
                    "\(m.entrustedCourt) \(m.entrustedCourtName)", m.kindName, m.stateName, m.due.description, days,
                    m.extendedDue?.description ?? "", m.extendedDue == nil ? "" : m.overdueExtended ? "是" : "否",
                    "\(m.urgeCount)", m.supervised ? "是" : "否",
                ]
            }
            switch format {
            case .json: try printReportJSON(report)
            case .csv:
                printCSV(headers: headers, rows: report.matters.map { cells($0, days: csvNumber($0.daysOverdue)) })
            case .table:
                print("统计时点：\(report.asOf.rfc3339)　超期未办结 \(report.matters.count) 件")
                guard !report.matters.isEmpty else { return }
                var table = TextTable(headers: headers)
                for m in report.matters { table.append(cells(m, days: Figures.days(m.daysOverdue))) }
                print(table.rendered)
            }
        }
    }
}

struct LateReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "late",
        abstract: "迟报 — acts the hub first stored more than the grace after their recorded time, with both times.",
        discussion: """
            A late report counts at the time the hub stored it, not at the time the court recorded, until hub staff accept it (courtsync hub accept-late EVENT-ID --note …). Time the hub itself was down is not counted against the court. docs/indicators.md gives the rules and worked examples.
            """)

    @OptionGroup var node: NodeOptions
    @Flag(name: .long, help: "Only those not accepted yet (待采纳).") var open = false
    @Option(name: .long, help: "table, csv or json.") var format: ReportFormat = .table

    func run() throws {
        try reporting(json: format == .json) {
            let list = try node.withNode { node in
                try node.read { () throws(ReplicaError) in
                    try Monitor(replica: node.replica, now: node.time.now()).lateReports(open: open)
                }
            }
            let headers = ["事件", "委托编号", "执行案号", "行为", "法院", "记录时间", "指挥中心收到", "迟报天数", "采纳", "计入时间"]
            func cells(_ r: LateReportList.Entry, days: String) -> [String] {
                [
                    r.event, r.matter, r.caseNumber ?? "", r.kindName, "\(r.author) \(r.authorName)",
                    r.recordedAt.rfc3339,
                    r.witnessedAt.rfc3339, days, r.accepted ? "已采纳" : "待采纳", r.countsAt.rfc3339,
                ]
            }
            switch format {
            case .json: try printReportJSON(list)
            case .csv: printCSV(headers: headers, rows: list.reports.map { cells($0, days: csvNumber($0.delayDays)) })
            case .table:
                let pending = list.reports.filter { !$0.accepted }.count
                print("统计时点：\(list.asOf.rfc3339)　迟报 \(list.reports.count) 件（待采纳 \(pending) 件）")
                guard !list.reports.isEmpty else { return }
                var table = TextTable(headers: headers)
                for r in list.reports {
                    var row = cells(r, days: Figures.days(r.delayDays))
                    row[0] = String(r.event.prefix(12))
                    table.append(row)
                }
                print(table.rendered)
            }
        }
    }
}

struct LatencyReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract:
            "同步时延 — per node: event recorded at its origin → stored here (p50/p90/p99), last contact, backlog, stale (失联)."
    )

    @OptionGroup var node: NodeOptions
    @Option(
        name: .long,
        help: "The window the percentiles cover, in hours (default: node.json monitoring.latencyWindowSeconds).")
    var windowHours: Double?
    @Option(
        name: .long,
        help: "Flag a node silent for longer than this, in minutes (default: monitoring.staleAfterSeconds).")
    var staleAfterMinutes: Double?
    @Option(name: .long, help: "table, csv or json.") var format: ReportFormat = .table

    func run() throws {
        try reporting(json: format == .json) {
            let configured = { () throws(NodeError) in try NodeConfig.load(from: node.dataDirectory()).monitoring }
            let window = try windowHours.map { $0 * 3600 } ?? configured().latencyWindowSeconds
            let stale = try staleAfterMinutes.map { $0 * 60 } ?? configured().staleAfterSeconds
            guard window > 0, stale > 0, window <= Monitor.longestWindowSeconds, stale <= Monitor.longestWindowSeconds
            else {
                throw NodeError(
                    code: "invalidArgument",
                    "--window-hours and --stale-after-minutes must be positive and at most ten years")
            }
            let report = try node.withNode { node in
                try node.read { () throws(ReplicaError) in
                    try Monitor(replica: node.replica, now: node.time.now()).latency(
                        windowSeconds: window, staleAfterSeconds: stale)
                }
            }
            let headers = [
                "节点", "法院", "事件数", "P50(秒)", "P90(秒)", "P99(秒)", "最大(秒)", "最近联系", "待同步", "失联", "协议版本",
            ]
            func cells(_ n: NodeLatency, number: (Double?) -> String) -> [String] {
                [
                    n.node, "\(n.court) \(n.courtName)", "\(n.events)", number(n.p50Seconds), number(n.p90Seconds),
                    number(n.p99Seconds), number(n.maxSeconds), n.lastContactAt?.rfc3339 ?? "—",
                    n.backlog.map(String.init) ?? "—", n.stale ? "是" : "否",
                    n.protocolVersion.map { "\($0)（\(n.software ?? "")）" } ?? "—",
                ]
            }
            switch format {
            case .json: try printReportJSON(report)
            case .csv: printCSV(headers: headers, rows: report.nodes.map { cells($0, number: csvNumber) })
            case .table:
                print(
                    "统计时点：\(report.asOf.rfc3339)　窗口：\(Figures.days(report.windowSeconds / 3600)) 小时　失联阈值：\(Figures.days(report.staleAfterSeconds / 60)) 分钟"
                )
                var table = TextTable(headers: headers)
                for n in report.nodes { table.append(cells(n, number: Figures.days)) }
                print(table.rendered)
            }
        }
    }
}
