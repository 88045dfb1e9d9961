import ArgumentParser
import Daemon
import Foundation
import Logging
import Node
import Replica
import SyncEngine

/// `courtsync sync`: syncs now, through the running daemon if there is one.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "立即同步 — sync with the hub and peer courts now, and report what moved.",
        discussion: """
            Through the running daemon if there is one (DATA_DIR/daemon.json), directly otherwise. Exits 1 if any link failed.

            --dry-run (试同步) prints what a sync would send and receive on each link — change sets, events, matters, bytes, the documents its document round would fetch and offer — and the conflicts it would settle (docs/conflicts.md), changing nothing in the replica: the remote is asked what a pull would bring, and this node's part is worked out in a transaction that is rolled back. At the remote a pull is what it always is: the hub records the delivery of a matter it sends (as it would for the sync). The counts are those of the sync that follows if nothing else changes meanwhile (a daemon running beside may sync first).
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "Only this link: a court code (最高法 for the hub) or a URL.")
    var peer: String?
    @Flag(name: .customLong("dry-run"), help: "Show what a sync would send, receive and settle; change nothing.")
    var dryRun = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingAsync(json: output.json) {
            let started = Date()
            let dataDirectory = try node.dataDirectory()
            if dryRun {
                try await preview(dataDirectory)
                return
            }
            let via: String
            let rounds: [SyncScheduler.LinkRound]
            if let record = DaemonRecord.running(in: dataDirectory) {
                via = "daemon"
                if !output.json { Self.note("经由运行中的守护进程（进程 \(record.pid)）同步…") }
                rounds = try await DaemonClient(record: record).syncNow(peer: peer)
            } else {
                via = "direct"
                rounds = try await syncDirectly(dataDirectory)
            }
            let seconds = Date().timeIntervalSince(started)
            let totals = rounds.reduce(TransferStats()) { $0 + $1.stats }
            if output.json {
                printJSON(SyncView(via: via, links: rounds, totals: totals, seconds: seconds))
            } else {
                print(Self.render(rounds, totals: totals, via: via, seconds: seconds))
            }
            if !output.json {
                let transfers = try node.withNode { node in
                    try node.read { () throws(ReplicaError) in try node.replica.documentTransfers() }
                }
                for t in transfers {
                    print(
                        "材料传输未完成：\(t.hash.prefix(12)) \(t.direction == "download" ? "自" : "至") \(t.remote) \(DocumentSize.text(Int(t.done)))/\(DocumentSize.text(Int(t.total)))（下次同步从断点继续）"
                    )
                }
            }
            if rounds.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }

    /// `--dry-run`: the preview of every link (or `--peer`'s), as a table or JSON.
    private func preview(_ dataDirectory: URL) async throws {
        let courtNode = try CourtNode(
            dataDirectory: dataDirectory, time: .fromEnvironment(dataDirectory: dataDirectory))
        defer { try? courtNode.close() }
        let (config, links) = try links(of: courtNode, in: dataDirectory)
        let previews = await SyncPreview.run(links: links, node: courtNode, config: config)
        if output.json {
            struct View: Encodable {
                var dryRun = true
                var links: [SyncPreview.LinkPreview]
            }
            printJSON(View(links: previews))
        } else {
            print(Self.render(previews))
        }
        if previews.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }

    static func render(_ previews: [SyncPreview.LinkPreview]) -> String {
        var table = TextTable(headers: [
            "链路", "结果", "将发送（事件/事项/字节）", "将接收（事件/事项/字节）", "新存入", "重复", "隔离", "拒收", "将处理冲突", "材料（待取/待送）",
        ])
        for p in previews {
            guard p.ok else {
                table.append([p.court, "失败：\(p.error ?? "")", "—", "—", "—", "—", "—", "—", "—", "—"])
                continue
            }
            table.append([
                p.court, "可同步（协议 \(p.protocolVersion ?? 0)）",
                "\(p.send.events)/\(p.send.matters)/\(p.send.bytes)",
                "\(p.receive.events)/\(p.receive.matters)/\(p.receive.bytes)",
                "\(p.receive.stored ?? 0)", "\(p.receive.duplicates ?? 0)", "\(p.receive.quarantined ?? 0)",
                "\(p.receive.refused ?? 0)", "\(p.conflicts.count)",
                "\(p.documents.fetch)（\(DocumentSize.text(p.documents.fetchBytes))）/\(p.documents.offer)（\(DocumentSize.text(p.documents.offerBytes))）",
            ])
        }
        var lines = ["试同步（未作任何更改）", table.rendered]
        for p in previews {
            for c in p.conflicts {
                lines.append("\(p.court)：事项 \(c.matter) 将按规则 \(c.rule) 处理冲突：保留 \(c.winner)，取代 \(c.superseded)")
            }
            if let reason = p.cursorsRestart { lines.append("\(p.court)：\(reason)") }
            if p.truncated {
                lines.append(
                    "\(p.court)：待接收超过 \(LinkSynchronizer.previewLimit) 个变更集，仅统计了前 \(LinkSynchronizer.previewLimit) 个")
            }
            if let version = p.newerDirectory {
                lines.append("\(p.court)：对方持有更新的法院名录（版本 \(version)），同步时先安装；以其新密钥签名的事件此处计为隔离")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The node's settings and its links (only `--peer`'s, when given).
    private func links(of courtNode: CourtNode, in dataDirectory: URL) throws(NodeError) -> (
        NodeConfig, [LinkSynchronizer]
    ) {
        let config = try NodeConfig.load(from: dataDirectory)
        try config.validate(directory: courtNode.replica.directory)
        var logger = Logger(label: "courtsync.sync")
        logger.logLevel = .critical
        var links = try SyncScheduler.httpLinks(
            node: courtNode, config: config, tls: ClientTLS(settings: config.tls, dataDirectory: dataDirectory),
            notifier: nil, logger: logger)
        if let peer {
            links = links.filter { $0.isNamed(by: peer) }
            if links.isEmpty {
                let names = try config.links.map { "\($0.court)" }.joined(separator: ", ")
                throw NodeError(
                    code: "unknownPeer",
                    "\(peer) is not a link in node.json (links: \(names)): name a court code or URL from it")
            }
        }
        guard !links.isEmpty else {
            throw NodeError(code: "noLinks", "node.json names no hub and no peers: nothing to sync with")
        }
        return (config, links)
    }

    private func syncDirectly(_ dataDirectory: URL) async throws(NodeError) -> [SyncScheduler.LinkRound] {
        let courtNode = try CourtNode(
            dataDirectory: dataDirectory, time: .fromEnvironment(dataDirectory: dataDirectory))
        defer { try? courtNode.close() }
        let (config, links) = try links(of: courtNode, in: dataDirectory)
        var logger = Logger(label: "courtsync.sync")
        logger.logLevel = .critical
        let scheduler = SyncScheduler(
            node: courtNode, config: config, links: links, notifier: ChangeNotifier(), logger: logger)
        let showProgress = !output.json && isatty(STDERR_FILENO) == 1
        let rounds = await scheduler.syncNow(
            progress: { court, stats in
                if showProgress {
                    Self.note(
                        "\r\(court)：发送 \(stats.eventsSent) 个事件，接收 \(stats.eventsReceived) 个事件（\(stats.bytesSent + stats.bytesReceived) 字节）…",
                        newline: false)
                }
            },
            documentProgress: { court, hash, done, total in
                if showProgress {
                    Self.note(
                        "\r\(court)：材料 \(hash.hex.prefix(12)) \(DocumentSize.text(done))/\(DocumentSize.text(total))…",
                        newline: false)
                }
            })
        if showProgress { Self.note("") }
        // Without a daemon to re-check the attested events in the background, do it now.
        var rechecked = 0
        while true {
            let (passed, failed) = try courtNode.read { () throws(ReplicaError) in
                try courtNode.replica.recheckOrigins(limit: 5_000, now: courtNode.time.now())
            }
            rechecked += passed + failed.count
            if !failed.isEmpty, !output.json {
                Self.note(
                    "⚠ 指挥中心担保的 \(failed.count) 个事件来源签名复核失败（courtsync audit verify 查看）；此后逐一验签")
            }
            if passed + failed.count < 5_000 { break }
        }
        if rechecked > 0, !output.json { Self.note("已复核批量担保事件的来源签名 \(rechecked) 个") }
        return rounds
    }

    private static func note(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((text + (newline ? "\n" : "")).utf8))
    }

    static func render(_ rounds: [SyncScheduler.LinkRound], totals: TransferStats, via: String, seconds: Double)
        -> String
    {
        var table = TextTable(headers: [
            "链路", "结果", "发送事件", "接收事件", "新存入", "隔离", "发送字节（压缩前→后）", "接收字节（压缩前→后）", "材料（收/发）",
            "用时",
        ])
        for round in rounds {
            let s = round.stats
            table.append([
                round.court, round.ok ? "成功" : "失败：\(round.error ?? "")", String(s.eventsSent),
                String(s.eventsReceived),
                String(s.eventsStored), String(s.quarantined), "\(s.payloadBytesSent)→\(s.bytesSent)",
                "\(s.payloadBytesReceived)→\(s.bytesReceived)",
                round.documents.map { "\($0.downloaded)/\($0.uploaded)" } ?? "—",
                String(format: "%.2f 秒", round.seconds),
            ])
        }
        return table.rendered + "\n"
            + renderFields([
                ("方式", via == "daemon" ? "经由守护进程" : "直接同步"),
                ("合计", "发送 \(totals.eventsSent) 个事件，接收 \(totals.eventsReceived) 个（新存入 \(totals.eventsStored)）"),
                ("用时", String(format: "%.2f 秒", seconds)),
            ])
    }
}

private struct SyncView: Encodable {
    var via: String
    var links: [SyncScheduler.LinkRound]
    var totals: TransferStats
    var seconds: Double
}
