import ArgumentParser
import Entrustment
import Foundation
import Node
import Replica
import SyncEngine

/// `courtsync peers`: the node's sync links and their state.
struct PeersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peers",
        abstract: "同步链路 — each link (指挥中心 and peer courts): endpoint, last success and error, cursors, backlog.")

    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    struct PeerView: Encodable {
        var court: String
        var courtName: String
        /// The URL in use (the last one the link tried).
        var url: String
        /// Every URL node.json lists for the link, in order of preference (several for a hub
        /// running as several processes).
        var urls: [String]
        var configured: Bool
        var remoteNode: String?
        var lastSuccessAt: String?
        var lastAttemptAt: String?
        var lastErrorAt: String?
        var lastError: String?
        var failures: Int
        /// The remote's arrival sequence applied here.
        var pulledThrough: Int64
        /// This node's arrival sequence the remote acknowledged.
        var pushedThrough: Int64
        var remoteHead: Int64
        /// Events of this node the remote may see and has not acknowledged.
        var pushBacklog: Int
        /// Remote events not yet pulled, at most (some may not be for this court).
        var pullBacklogAtMost: Int64
        var eventsIn: Int64
        var eventsOut: Int64
        var bytesIn: Int64
        var bytesOut: Int64
        /// Restored from a backup and still asking this remote for its own events (恢复中).
        var recovering: Bool
        /// The id of the remote's latest restore from a backup, as its last hello said.
        var remoteRestore: String?
    }

    func run() throws {
        try reporting(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            let views = try node.withNode { courtNode in
                let config = try NodeConfig.load(from: dataDirectory)
                let configured = try config.links
                var states: [CourtCode: LinkState] = [:]
                for state in try courtNode.read({ () throws(ReplicaError) in try courtNode.replica.links() }) {
                    states[state.court] = state
                }
                var courts = configured.map(\.court)
                courts += states.keys.filter { !courts.contains($0) }.sorted()
                return try courts.map { court in
                    let urls = configured.first { $0.court == court }?.urls.map(\.absoluteString) ?? []
                    let inUse = states[court]?.url
                    let url = inUse.flatMap { urls.isEmpty || urls.contains($0) ? $0 : nil } ?? urls.first ?? ""
                    let state = states[court] ?? LinkState(court: court, url: url)
                    let backlog = try courtNode.read { () throws(ReplicaError) in
                        try courtNode.replica.pendingCount(
                            after: state.pushedThrough,
                            for: ChangeSelection(court: court, excludingNode: state.remoteNode))
                    }
                    return PeerView(
                        court: court.rawValue, courtName: courtNode.replica.directory[court]?.name ?? "",
                        url: url, urls: urls, configured: configured.contains { $0.court == court },
                        remoteNode: state.remoteNode?.rawValue, lastSuccessAt: state.lastSuccessAt?.rfc3339,
                        lastAttemptAt: state.lastAttemptAt?.rfc3339, lastErrorAt: state.lastErrorAt?.rfc3339,
                        lastError: state.lastError, failures: state.failures, pulledThrough: state.pulledThrough,
                        pushedThrough: state.pushedThrough, remoteHead: state.remoteHead, pushBacklog: backlog,
                        pullBacklogAtMost: max(0, state.remoteHead - state.pulledThrough), eventsIn: state.eventsIn,
                        eventsOut: state.eventsOut, bytesIn: state.bytesIn, bytesOut: state.bytesOut,
                        recovering: state.recovering, remoteRestore: state.remoteRestore)
                }
            }
            if output.json {
                struct PeersDocument: Encodable { var peers: [PeerView] }
                printJSON(PeersDocument(peers: views))
                return
            }
            guard !views.isEmpty else {
                print("没有同步链路：node.json 未配置指挥中心（hub）或直连法院（peers）。")
                return
            }
            var table = TextTable(headers: [
                "链路法院", "地址", "最近成功", "最近错误", "已拉取至", "已推送至", "待推送", "待拉取（至多）", "收/发事件",
            ])
            for view in views {
                table.append([
                    view.court == CourtCode.supreme.rawValue ? "最高法（指挥中心）" : "\(view.courtName)（\(view.court)）",
                    view.urls.count > 1
                        ? "\(view.url)（在用；备用：\(view.urls.filter { $0 != view.url }.joined(separator: "、"))）" : view.url,
                    view.lastSuccessAt ?? "从未",
                    view.failures > 0
                        ? "\(view.lastErrorAt ?? "")（连续 \(view.failures) 次）：\(view.lastError ?? "")" : "—",
                    String(view.pulledThrough), String(view.pushedThrough), String(view.pushBacklog),
                    String(view.pullBacklogAtMost), "\(view.eventsIn)/\(view.eventsOut)",
                ])
            }
            print(table.rendered)
            for view in views where view.recovering {
                print("\(view.court)：本节点自备份恢复，正从该链路取回备份后本院发出的事件（恢复中）")
            }
            let transfers = try node.withNode { node in
                try node.read { () throws(ReplicaError) in try node.replica.documentTransfers() }
            }
            if !transfers.isEmpty {
                var progress = TextTable(headers: ["链路法院", "方向", "材料哈希", "已传/总计", "更新时间"])
                for t in transfers {
                    progress.append([
                        t.remote, t.direction == "download" ? "接收" : "发送", String(t.hash.prefix(16)),
                        "\(DocumentSize.text(Int(t.done)))/\(DocumentSize.text(Int(t.total)))", t.updatedAt,
                    ])
                }
                print("\n材料传输中\n" + progress.rendered)
            }
        }
    }
}
