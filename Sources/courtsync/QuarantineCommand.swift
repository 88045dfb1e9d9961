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
            Only what time may cure is held, each with what it waits for: a parent or its matter (missingParent, unknownMatter: retried when it arrives), a key or calendar the hub's next directory may bring (unknownKey, unknownCalendar: retried when a directory is installed), a clock ahead of this node's (clockAhead: retried on the sync interval). Events that can never pass are refused and logged, not held; each sending node may have at most limits.maxQuarantinedPerSource events held.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    struct QuarantineView: Encodable {
        var event: String
        var matterId: String
        var source: String
        var code: String
        var reason: String
        var waitingFor: String
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
                    waitingFor: $0.waitingFor, firstSeenAt: $0.firstSeenAt.rfc3339, lastTriedAt: $0.lastTriedAt.rfc3339,
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
            var table = TextTable(headers: ["事件", "事项", "来源", "原因代码", "等待", "首次收到", "尝试次数", "说明"])
            for view in views {
                table.append([
                    String(view.event.prefix(12)), view.matterId, view.source, view.code,
                    String(view.waitingFor.prefix(40)), view.firstSeenAt, String(view.attempts), view.reason,
                ])
            }
            print(table.rendered)
        }
    }
}
