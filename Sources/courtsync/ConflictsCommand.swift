import ArgumentParser
import Entrustment
import Foundation
import Node

/// `courtsync conflicts [ack]`: conflicts between concurrent acts, and their acknowledgement.
struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "冲突 — concurrent acts that could not both stand, and their acknowledgement (确认).",
        discussion: """
            When two courts act on one matter without seeing each other's act (e.g. the entrusting court withdraws while the entrusted court completes), every node settles it by the same precedence rules (docs/conflicts.md): the act done in the world stands, the other is superseded and kept in the log. Each such conflict stays open (待确认) until a court party to the matter, or the hub, acknowledges it; the acknowledgement syncs like any act.
            """,
        subcommands: [ListConflicts.self, AcknowledgeConflict.self],
        defaultSubcommand: ListConflicts.self)
}

struct ListConflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "冲突列表 — the open conflicts (all of them with --all), oldest first.")

    @OptionGroup var node: NodeOptions
    @Flag(name: .long, help: "Include acknowledged conflicts (已确认).") var all = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let conflicts = try node.withNode { try $0.conflicts(includeAcknowledged: all) }
            let views = conflicts.map(ConflictView.init)
            if output.json {
                struct Document: Encodable { var conflicts: [ConflictView] }
                printJSON(Document(conflicts: views))
                return
            }
            guard !views.isEmpty else {
                print(all ? "没有冲突。" : "没有待确认的冲突。")
                return
            }
            var table = TextTable(headers: ["冲突ID", "委托编号", "状态", "规则", "被取代", "优先", "确认"])
            for v in views {
                table.append([
                    String(v.id.prefix(12)), v.matterId, v.statusName, v.ruleName, side(v.superseded), side(v.winner),
                    v.acknowledgedBy.map { "\($0) \(v.acknowledgedAt ?? "")" } ?? "—",
                ])
            }
            print(table.rendered)
        }
    }

    /// One side in a table cell: act, detail (shortened), court, time.
    private func side(_ s: ConflictView.Side) -> String {
        let detail = s.detail.isEmpty ? "" : "「\(s.detail.count > 16 ? s.detail.prefix(16) + "…" : s.detail)」"
        return "\(s.kindName)\(detail) \(s.author) \(s.recordedAt)"
    }
}

struct AcknowledgeConflict: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "确认冲突 — acknowledge a conflict, with a note saying what was done.",
        discussion: """
            Only the two courts party to the matter and the hub (最高法) may acknowledge. The acknowledgement is an event on the matter: other nodes show the conflict as 已确认 after they next sync.
            """)

    @OptionGroup var node: NodeOptions
    @Argument(help: "The conflict id (冲突ID), or at least its first 6 hex digits.") var id: String
    @Option(name: .long, help: "What was done about it (e.g. 已电话告知委托法院).") var note: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let conflict = try node.withNode { try $0.acknowledge(conflict: id, note: note) }
            if output.json {
                printJSON(ConflictView(conflict))
            } else {
                print("已确认冲突 \(conflict.id.hex.prefix(12))（\(conflict.matterID)）。")
            }
        }
    }
}
