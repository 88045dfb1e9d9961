import ArgumentParser
import Foundation
import Node

/// `courtsync audit verify`: re-checks the audit trail stored in the replica.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "全程留痕核验 — check the stored audit trail.", subcommands: [Verify.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract:
                "核验 — re-check every stored event's hash, signature, parents and authorisation; exit 1 if any is broken.",
            discussion: """
                Names the first broken event of each matter (matter id, event id, what is wrong), and any matter whose materialised row differs from its events.
                """)

        @OptionGroup var node: NodeOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reporting(json: output.json) {
                let report = try node.withNode { try $0.auditVerify() }
                if output.json {
                    printJSON(report)
                } else if report.ok {
                    print("核验通过：\(report.matters) 件事项，\(report.events) 个事件，签名、哈希、父事件与权限均无误")
                } else {
                    var table = TextTable(headers: ["委托编号", "序号", "事件ID", "问题"])
                    for finding in report.findings {
                        table.append([
                            finding.matter, finding.sequence.map(String.init) ?? "—",
                            finding.event.map { String($0.prefix(12)) } ?? "（事项行）", finding.problem,
                        ])
                    }
                    print(table.rendered)
                    print("核验未通过：\(report.findings.count) 件事项有问题（共 \(report.matters) 件，\(report.events) 个事件）")
                }
                if !report.ok { throw ExitCode(1) }
            }
        }
    }
}
