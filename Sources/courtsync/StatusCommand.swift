import ArgumentParser
import Daemon
import Entrustment
import Foundation
import Monitoring
import Node
import Replica
import SyncEngine

/// `courtsync status`: the node at a glance.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "节点状态 — court, role, listen address, TLS certificate, event and matter counts, whether the daemon runs.")

    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    struct StatusView: Encodable {
        struct DaemonView: Encodable {
            var running: Bool
            var pid: Int32?
            var url: String?
            var startedAt: String?
        }
        /// The `tls` section as loaded: what the listener serves and until when, or what is wrong.
        struct TLSView: Encodable {
            var servesHTTPS: Bool
            var certificateSHA256: String?
            var notValidAfter: String?
            var daysLeft: Int?
            var trustRoots: String
            var problem: String?
        }
        var court: String
        var courtName: String
        var nodeId: String
        var role: String
        var listen: String
        /// The network's signature suite (`ed25519` or `sm2`), this node's public key, and its
        /// fingerprint in that suite (``KeyFingerprint``).
        var suite: String
        var publicKey: String
        var fingerprint: String
        /// The first hub URL, and all of them in order of preference.
        var hub: String?
        var hubs: [String]
        var peers: [NodeConfig.Peer]
        var events: Int
        var head: Int64
        var matters: Int
        var quarantined: Int
        var openConflicts: Int
        var tls: TLSView?
        var calendar: CalendarStatus
        var lateReports: Int
        /// The re-check of events stored on the hub's batch attestations (待复核 / 复核失败).
        var originChecks: OriginCheckStatus
        var daemon: DaemonView
    }

    /// Loads the TLS files as the daemon would; a problem is shown, not thrown (status diagnoses).
    static func tlsView(_ settings: TLSSettings?, dataDirectory: URL) -> StatusView.TLSView? {
        guard let settings else { return nil }
        let trustRoots = settings.trustRoots.map { TLSSettings.path($0, in: dataDirectory) } ?? "系统默认 / system store"
        do {
            let security = try TransportSecurity(settings: settings, dataDirectory: dataDirectory)
            let certificate = security.certificate
            return .init(
                servesHTTPS: certificate != nil, certificateSHA256: certificate?.sha256,
                notValidAfter: certificate?.expiry,
                daysLeft: certificate?.daysLeft(at: Date()),
                trustRoots: trustRoots, problem: nil)
        } catch {
            return .init(servesHTTPS: false, trustRoots: trustRoots, problem: error.message)
        }
    }

    static func describe(_ tls: StatusView.TLSView?) -> String {
        guard let tls else { return "未配置（明文 HTTP）" }
        if let problem = tls.problem { return "配置有误：\(problem)" }
        guard tls.servesHTTPS, let sha256 = tls.certificateSHA256, let end = tls.notValidAfter,
            let days = tls.daysLeft
        else { return "仅校验对端证书（本节点明文 HTTP），信任根 \(tls.trustRoots)" }
        return "HTTPS，证书 sha256 \(sha256.prefix(16))…，有效期至 \(end)（剩 \(days) 天），信任根 \(tls.trustRoots)"
    }

    /// The re-check of attested events, in one line.
    static func describe(_ checks: OriginCheckStatus) -> String {
        guard checks.attestations > 0 else { return "—（未使用指挥中心批量担保）" }
        let failed =
            checks.failed == 0 ? "" : "，⚠ \(checks.failed) 个复核失败（courtsync audit verify 查看；已停用批量担保）"
        return checks.pending == 0
            ? "已全部复核（\(checks.attestations) 批担保）\(failed)"
            : "待复核 \(checks.pending) 个事件（\(checks.attestations) 批担保，后台进行）\(failed)"
    }

    func run() throws {
        try reporting(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            let view = try node.withNode { courtNode in
                let config = try NodeConfig.load(from: dataDirectory)
                let counts = try courtNode.read { () throws(ReplicaError) in
                    let replica = courtNode.replica
                    return (
                        try replica.eventCount(), try replica.headSequence(), try replica.matterCount(),
                        try replica.quarantineCount(), try replica.openConflictCount()
                    )
                }
                let record = DaemonRecord.running(in: dataDirectory)
                let calendars = try courtNode.read { () throws(ReplicaError) in try courtNode.replica.calendars() }
                let late = try courtNode.read { () throws(ReplicaError) in
                    try courtNode.replica.lateReports(open: true).count
                }
                let originChecks = try courtNode.read { () throws(ReplicaError) in
                    try courtNode.replica.originCheckStatus()
                }
                return StatusView(
                    court: courtNode.identity.court.rawValue,
                    courtName: courtNode.replica.directory[courtNode.identity.court]?.name ?? "",
                    nodeId: courtNode.identity.node.rawValue, role: config.role.rawValue, listen: config.listen,
                    suite: courtNode.suite.rawValue, publicKey: courtNode.publicKey,
                    fingerprint: courtNode.keyFingerprint, hub: config.hub, hubs: config.hubs, peers: config.peers,
                    events: counts.0, head: counts.1,
                    matters: counts.2,
                    quarantined: counts.3, openConflicts: counts.4,
                    tls: Self.tlsView(config.tls, dataDirectory: dataDirectory),
                    calendar: CalendarStatus(calendars, now: courtNode.time.now()), lateReports: late,
                    originChecks: originChecks,
                    daemon: .init(
                        running: record != nil, pid: record?.pid, url: record?.url, startedAt: record?.startedAt))
            }
            if output.json {
                printJSON(view)
                return
            }
            print(
                renderFields([
                    ("法院", "\(view.courtName)（\(view.court)）"),
                    ("节点", view.nodeId),
                    ("角色", view.role == "hub" ? "指挥中心（hub）" : "法院节点（court）"),
                    ("监听地址", view.listen),
                    (
                        "签名套件",
                        view.suite == SignatureSuite.sm2.rawValue ? "SM2/SM3（国密，sm2）" : "Ed25519/SHA-256（ed25519）"
                    ),
                    ("公钥指纹", view.fingerprint),
                    ("传输加密", Self.describe(view.tls)),
                    ("指挥中心", view.hubs.isEmpty ? "—" : view.hubs.joined(separator: "、")),
                    ("直连法院", view.peers.isEmpty ? "—" : view.peers.map(\.court).joined(separator: ", ")),
                    ("事件数", String(view.events)),
                    ("事项数", String(view.matters)),
                    ("隔离事件", view.quarantined == 0 ? "0" : "\(view.quarantined)（courtsync quarantine 查看）"),
                    ("待确认冲突", view.openConflicts == 0 ? "0" : "\(view.openConflicts)（courtsync conflicts 查看）"),
                    ("迟报待采纳", view.lateReports == 0 ? "0" : "\(view.lateReports)（courtsync report late 查看）"),
                    ("来源签名复核", Self.describe(view.originChecks)),
                    (
                        "节假日历",
                        view.calendar.version == 0
                            ? "未收到"
                            : "第 \(view.calendar.version) 版，覆盖至 \(view.calendar.coversThrough.map(\.description) ?? "—")"
                    ),
                    (
                        "守护进程",
                        view.daemon.running
                            ? "运行中（进程 \(view.daemon.pid!)，\(view.daemon.url!)，自 \(view.daemon.startedAt!)）" : "未运行"
                    ),
                ]))
            if let warning = view.calendar.warning { print("⚠ \(warning)") }
        }
    }
}
