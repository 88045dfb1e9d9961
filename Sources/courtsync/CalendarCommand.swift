import ArgumentParser
import Entrustment
import Foundation
import Monitoring
import Node
import Replica

/// `courtsync calendar`: the hub's calendar this node computes deadlines with.
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "节假日历 — the version of the hub's signed calendar in force, its years, the deadline rules.",
        discussion: """
            Deadlines are counted with the holidays and rules the hub publishes in its signed directory, so that every node computes the same dates; a matter names the version it was sent with. A deadline that falls in a year the calendar does not cover yet is provisional (暂定, weekends only) and settles when the hub publishes that year (courtsync hub calendar --import). A warning is shown 30 days before the calendar runs out.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    struct View: Encodable {
        var status: CalendarStatus
        var issuedAt: String?
        var deadlines: DeadlinePolicy?
        var years: [ReferenceCalendar.Year]
    }

    func run() throws {
        try reporting(json: output.json) {
            let view = try node.withNode { courtNode in
                let calendars = try courtNode.read { () throws(ReplicaError) in try courtNode.replica.calendars() }
                let reference = calendars?.reference
                return View(
                    status: CalendarStatus(calendars, now: courtNode.time.now()), issuedAt: reference?.issuedAt,
                    deadlines: reference.map { $0.rules(at: $0.version).deadlines }, years: reference?.years ?? [])
            }
            if output.json {
                printJSON(view)
                return
            }
            print(calendarFields(view))
        }
    }

    func calendarFields(_ view: View) -> String {
        guard view.status.version > 0 else {
            return "尚未收到指挥中心发布的节假日历（随签名法院名录下发：courtsync sync 或 courtsync directory --import）"
        }
        var fields: [(String, String)] = [
            ("版本", "第 \(view.status.version) 版（\(view.issuedAt ?? "")发布）"),
            (
                "覆盖年份",
                view.years.map { "\($0.year)（第 \($0.since) 版）" }.joined(separator: "、")
            ),
            ("覆盖至", view.status.coversThrough.map { "\($0)（剩 \(view.status.daysLeft ?? 0) 天）" } ?? "未覆盖今年"),
            ("迟报宽限", view.status.graceHours.map { "\(Int($0.rounded())) 小时" } ?? "—"),
        ]
        if let deadlines = view.deadlines {
            func period(_ p: DeadlinePolicy.Period) -> String { "\(p.days) \(p.workingDays ? "个工作日" : "日")" }
            fields += [
                ("签收期限", period(deadlines.signing) + "，加急 " + period(deadlines.urgentSigning)),
                ("办理期限", period(deadlines.completion) + "，加急 " + period(deadlines.urgentCompletion)),
                (
                    "延期",
                    deadlines.extensionLimit == 0
                        ? "不允许"
                        : "每件至多 \(deadlines.extensionLimit) 次，合计不超过 \(deadlines.extensionDaysLimit) 日（经委托法院、受托法院的上级法院或指挥中心批准）"
                ),
            ]
            for (kind, p) in deadlines.completionByKind.sorted(by: { $0.key < $1.key }) {
                fields.append(("  " + ((try? MatterKind(id: kind))?.chineseName ?? kind), period(p)))
            }
        }
        if let warning = view.status.warning { fields.append(("提示", "⚠ " + warning)) }
        return renderFields(fields)
    }
}

/// `courtsync hub calendar`: hub staff publish the calendar's next version.
struct HubCalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract:
            "发布节假日历 — publish a new year (--import FILE), a new late-report grace (--grace-hours) or new extension limits (--max-extensions, --max-extension-days).",
        discussion: """
            --import reads a file shaped like Nodes/calendar.json and publishes its official years that are not yet published, as the calendar's next version, in a new signed directory that every node installs as it syncs. A published year never changes: a file listing it with other days is refused. --grace-hours sets how late the hub may first store an act for it to still count at its recorded time, from the next version on. --max-extensions and --max-extension-days set how many extensions (延期) a matter may have approved and how many days they may add together, for matters sent under the next version on (defaults 1 and 30).
            """)

    @OptionGroup var node: NodeOptions
    @Option(
        name: .customLong("import"), help: "A calendar file (Nodes/calendar.json's shape) with the year(s) to publish.")
    var importFile: String?
    @Option(name: .customLong("grace-hours"), help: "The late-report grace (迟报宽限), in hours (0 to 720).")
    var graceHours: Int?
    @Option(name: .customLong("max-extensions"), help: "延期次数上限 — approved extensions per matter (0 to 12; 0: none).")
    var maxExtensions: Int?
    @Option(name: .customLong("max-extension-days"), help: "延期天数上限 — days the extensions may add together (1 to 366).")
    var maxExtensionDays: Int?
    @OptionGroup var output: OutputOptions

    func validate() throws {
        let limits = maxExtensions != nil || maxExtensionDays != nil
        guard [importFile != nil, graceHours != nil, limits].filter({ $0 }).count == 1 else {
            throw ValidationError(
                "give one of --import FILE, --grace-hours H, or --max-extensions N with --max-extension-days D")
        }
        if limits, maxExtensions == nil || maxExtensionDays == nil {
            throw ValidationError("give both --max-extensions and --max-extension-days")
        }
        if let maxExtensions, !(0...DeadlinePolicy.maxExtensionsCeiling).contains(maxExtensions) {
            throw ValidationError("--max-extensions must be 0 to \(DeadlinePolicy.maxExtensionsCeiling)")
        }
        if let maxExtensionDays, !(1...366).contains(maxExtensionDays) {
            throw ValidationError("--max-extension-days must be 1 to 366")
        }
        if let graceHours, !(0...720).contains(graceHours) {
            throw ValidationError("--grace-hours must be 0 to 720")
        }
    }

    func run() throws {
        try reporting(json: output.json) {
            let published = try node.withNode { hub in
                if let importFile {
                    let data = try BoundedFile.read(URL(fileURLWithPath: importFile), limit: ReferenceData.maxFileBytes)
                    let file: HolidayCalendar.File
                    do {
                        file = try JSONDecoder().decode(HolidayCalendar.File.self, from: data)
                    } catch {
                        throw NodeError(code: "invalidCalendar", "\(importFile): \(ReferenceData.describe(error))")
                    }
                    return try hub.publishCalendar(file)
                }
                if let maxExtensions, let maxExtensionDays {
                    return try hub.setExtensionLimits(maxExtensions: maxExtensions, maxDays: maxExtensionDays)
                }
                return try hub.setLateReportGrace(seconds: graceHours! * 3600)
            }
            if output.json {
                printJSON(published)
            } else {
                print(
                    "已发布节假日历 第 \(published.version) 版：覆盖 \(published.years.map { String($0.year) }.joined(separator: "、"))，迟报宽限 \(published.rules(at: published.version).lateReportGraceSeconds / 3600) 小时；各节点同步时安装"
                )
            }
        }
    }
}

/// `courtsync hub accept-late EVENT-ID --note TEXT`: hub staff accept a late report.
struct HubAcceptLateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept-late",
        abstract: "采纳迟报 — accept a late report: the act counts at its recorded time again (a signed hub event).")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The late act's event id (64 hex digits, from courtsync report late).") var event: String
    @Option(name: .long, help: "Why it is accepted (e.g. 离线介质报送，经核实).") var note: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let report = try node.withNode { hub in try hub.acceptLate(event, note: note) }
            if output.json {
                struct View: Encodable {
                    var event: String
                    var matter: String
                    var recordedAt: String
                    var witnessedAt: String
                    var accepted: Bool
                }
                printJSON(
                    View(
                        event: report.event.hex, matter: report.matter.rawValue, recordedAt: report.recordedAt.rfc3339,
                        witnessedAt: report.witnessedAt.rfc3339, accepted: report.acceptance != nil))
            } else {
                print(
                    "已采纳迟报 \(report.event.hex.prefix(12))（\(report.matter)，\(report.kind.chineseName)）：按记录时间 \(report.recordedAt.rfc3339) 计"
                )
            }
        }
    }
}
