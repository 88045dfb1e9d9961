import ArgumentParser
import Foundation
import Node
import Replica

/// `courtsync audit verify`: re-checks the audit trail stored in the replica.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "全程留痕核验 — check the stored audit trail.",
        subcommands: [Verify.self, Reads.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract:
                "核验 — re-check every stored event's hash, signature, parents and authorisation; exit 1 if any is broken.",
            discussion: """
                Names the first broken event of each matter (matter id, event id, what is wrong), any matter whose materialised row differs from its events, and any document (材料) missing or altered on disk.
                """)

        @OptionGroup var node: NodeOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reporting(json: output.json) {
                let report = try node.withNode { try $0.auditVerify() }
                if output.json {
                    printJSON(report)
                } else if report.ok {
                    print(
                        "核验通过：\(report.matters) 件事项，\(report.events) 个事件，\(report.documents) 份材料，签名、哈希、父事件与权限均无误")
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

    /// `courtsync audit reads`: 查阅留痕 of documents.
    struct Reads: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reads",
            abstract: "查阅留痕 — who read which document's bytes here, how and when (served to a node, saved, opened).")
        @OptionGroup var node: NodeOptions
        @Option(name: .long, help: "Only the documents of this matter (委托编号).") var matter: String?
        @Option(name: .long, help: "Only this document (its hash: SHA-256, or SM3 in an sm2 network).") var document:
            String?
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reporting(json: output.json) {
                let reads = try node.withNode { try $0.documentReads(matter: matter, hash: document) }
                if output.json {
                    struct ReadList: Encodable { var reads: [DocumentRead] }
                    printJSON(ReadList(reads: reads))
                    return
                }
                let how = ["served": "传送给节点", "saved": "保存到文件", "opened": "打开"]
                var table = TextTable(headers: ["序号", "材料哈希", "委托编号", "查阅法院", "节点", "方式", "字节", "开始", "最后"])
                for r in reads {
                    table.append([
                        String(r.sequence), String(r.hash.prefix(16)), r.matter ?? "—", r.readerCourt, r.readerNode,
                        how[r.how] ?? r.how, String(r.bytes), r.firstAt, r.lastAt,
                    ])
                }
                print(reads.isEmpty ? "（无查阅记录）" : table.rendered)
            }
        }
    }
}
