import ArgumentParser
import Entrustment
import Foundation
import Node

/// `courtsync digest`: one line that two replicas share if and only if they hold the same matters
/// in the same state.
struct DigestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "状态摘要 — a digest of the matters this node holds, to compare replicas in one line.",
        discussion: """
            The digest is SHA-256 over every matter's folded state in a canonical form (state, times, outcome, fields, conflicts and their status, and the matter's head events, which are hashes over its whole history). Two nodes that hold the same events of the same matters print the same digest. On the hub, --for CODE gives the digest of the matters that court holds, to compare with that court's own.
            """)

    @OptionGroup var node: NodeOptions
    @Flag(name: .long, help: "Also list each matter's digest.") var matters = false
    @Option(name: .customLong("for"), help: "Only the matters this court may see (a court code, e.g. 粤0106).")
    var court: String?
    @OptionGroup var output: OutputOptions

    struct MatterDigestView: Encodable {
        var matterId: String
        var state: String
        var events: Int
        var openConflicts: Int
        var digest: String
    }

    struct Document: Encodable {
        var digest: String
        var matters: Int
        var events: Int
        var openConflicts: Int
        var court: String
        var node: String
        var scope: String?
        var perMatter: [MatterDigestView]?
    }

    func run() throws {
        try reporting(json: output.json) {
            let (result, identity) = try node.withNode { node in (try node.digest(visibleTo: court), node.identity) }
            let document = Document(
                digest: result.digest.hex, matters: result.matters.count, events: result.eventCount,
                openConflicts: result.openConflicts, court: identity.court.rawValue, node: identity.node.rawValue,
                scope: court,
                perMatter: matters
                    ? result.matters.map {
                        MatterDigestView(
                            matterId: $0.matter.rawValue, state: $0.state.rawValue, events: $0.eventCount,
                            openConflicts: $0.openConflicts, digest: $0.digest.hex)
                    } : nil)
            if output.json {
                printJSON(document)
                return
            }
            let scope = court.map { "（\($0) 可见范围）" } ?? ""
            print(
                "\(document.digest)  事项 \(document.matters)  事件 \(document.events)  待确认冲突 \(document.openConflicts)\(scope)"
            )
            guard let perMatter = document.perMatter else { return }
            var table = TextTable(headers: ["委托编号", "状态", "事件数", "待确认冲突", "摘要"])
            for m in perMatter {
                table.append([
                    m.matterId, MatterState(rawValue: m.state)?.chineseName ?? m.state, String(m.events),
                    String(m.openConflicts), m.digest,
                ])
            }
            print(table.rendered)
        }
    }
}
