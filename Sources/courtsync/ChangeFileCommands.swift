import ArgumentParser
import Foundation
import Node

/// `courtsync export`: writes a change file (离线介质).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "导出变更文件 — write events to a change file for offline transfer.")

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "The change file to write.")
    var out: String
    @Option(name: .customLong("for"), help: "Only matters this court may see (its own, or its subordinates').")
    var forCourt: String?
    @Option(name: .long, help: "Only events stored after this arrival sequence (default 0: all).")
    var since: Int64 = 0
    @Flag(
        name: .customLong("without-documents"),
        help: "Leave out the documents (材料) the events attach; by default the file carries those held here.")
    var withoutDocuments = false
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let report = try node.withNode { node in
                try node.exportChanges(
                    to: URL(fileURLWithPath: out), for: forCourt, since: since, withDocuments: !withoutDocuments)
            }
            if output.json {
                printJSON(report)
            } else {
                print(
                    renderFields([
                        ("变更文件", report.file),
                        ("事件数", String(report.events)),
                        ("接收方", report.forCourt ?? "全部"),
                        ("截至序号", "\(report.throughSequence)（下次可用 --since \(report.throughSequence)）"),
                        ("材料", "\(report.documents) 份"),
                        ("大小", "\(report.bytes) 字节"),
                    ]))
                if !report.documentsNotHere.isEmpty {
                    print(
                        "注意：\(report.documentsNotHere.count) 份材料尚未传到本节点，未写入：\(report.documentsNotHere.map { String($0.prefix(12)) }.joined(separator: ", "))"
                    )
                }
            }
        }
    }
}

/// `courtsync import`: applies a change file.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "导入变更文件 — apply a change file, all or nothing.")

    @OptionGroup var node: NodeOptions
    @Argument(help: "The change file to apply.")
    var file: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let limits = node.documentLimits()
            let report = try node.withNode { node in
                try node.importChanges(from: URL(fileURLWithPath: file), documentLimits: limits)
            }
            if output.json {
                printJSON(report)
            } else {
                print(
                    renderFields([
                        ("发送法院", "\(report.senderCourt)（\(report.senderNode)）"),
                        ("文件事件数", String(report.events)),
                        ("新存入", String(report.stored)),
                        ("已有（重复）", String(report.duplicates)),
                        ("无权查看（略过）", String(report.notVisible)),
                        ("材料", "\(report.documents) 份"),
                        ("涉及事项", report.matters.isEmpty ? "—" : report.matters.joined(separator: ", ")),
                    ]))
            }
        }
    }
}
