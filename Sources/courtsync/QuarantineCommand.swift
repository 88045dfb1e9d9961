import ArgumentParser
import Foundation
import Node
import Replica

/// `courtsync quarantine`: events received but not applied, with their reasons.
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "隔离事件 — events received over sync that could not be applied, and why.",
        discussion: """
            An event waiting for a parent or its matter (missingParent, unknownMatter) or dated ahead of this node's clock (clockAhead) is retried after every sync and on the sync interval; one the rules refuse (rejectedEvent) stays for the operator.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    struct QuarantineView: Encodable {
        var event: String
        var matterId: String
        var source: String
        var code: String
        var reason: String
        var retryable: Bool
        var firstSeenAt: String
        var lastTriedAt: String
        var attempts: Int
    }

    func run() throws {
        try reporting(json: output.json) {
            let held = try node.withNode { courtNode in
                try courtNode.read { () throws(ReplicaError) in try courtNode.replica.quarantined() }
            }
            let views = held.map {
                QuarantineView(
                    event: $0.event.hex, matterId: $0.matter, source: $0.source, code: $0.code, reason: $0.reason,
                    retryable: $0.isRetryable, firstSeenAt: $0.firstSeenAt.rfc3339, lastTriedAt: $0.lastTriedAt.rfc3339,
                    attempts: $0.attempts)
            }
            if output.json {
                struct Document: Encodable { var quarantined: [QuarantineView] }
                printJSON(Document(quarantined: views))
                return
            }
            guard !views.isEmpty else {
                print("没有隔离事件。")
                return
            }
            var table = TextTable(headers: ["事件", "事项", "来源", "原因代码", "可重试", "首次收到", "尝试次数", "说明"])
            for view in views {
                table.append([
                    String(view.event.prefix(12)), view.matterId, view.source, view.code, view.retryable ? "是" : "否",
                    view.firstSeenAt, String(view.attempts), view.reason,
                ])
            }
            print(table.rendered)
        }
    }
}
