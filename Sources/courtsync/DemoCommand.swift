import ArgumentParser
import Demo
import Dispatch
import Entrustment
import Foundation
import Logging
import Node
import ServiceLifecycle
import Workload

/// `courtsync demo`: the whole system on one machine — a hub and court nodes as separate
/// daemons, weeks of realistic work in a few minutes of accelerated time, the league table and
/// the live dashboard.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "演示网络 — start a hub and court nodes on 127.0.0.1 and drive weeks of entrustments through them.",
        discussion: """
            Creates the hub (最高法) and N court nodes from the shipped court directory (high, intermediate and basic courts), each a `courtsync serve` process with its own SQLite replica, registers them with the hub, and replays DAYS days of work in accelerated simulated time ending now: about 5 matters per basic court per working day, 60–70% within the province, completion times log-normal (median 1.5 days, P90 10 days), 5–9% 退回, about 1% 撤回, urgent 续冻/续封 renewals, courts going offline for hours and catching up, and concurrent 办结/撤回 conflicts. Then it checks every replica agrees with the hub, prints the league table (期限内办结率, 平均用时 …) and the dashboard URL, and keeps the network up until Ctrl-C.
            """)

    @Option(name: .long, help: "Folder for the nodes (must be new or empty; default: a new temporary folder).")
    var dir: String?
    @Option(name: .long, help: "Court nodes besides the hub (2 or more).") var courts: Int = 11
    @Option(name: .long, help: "Simulated days of work, ending now.") var days: Int = 30
    @Option(name: .long, help: "Real seconds the simulated days take.") var seconds: Double = 90
    @Option(name: .long, help: "Seed of the workload: the same seed, the same work.") var seed: UInt64 = 1
    @Option(name: .long, help: "The hub's port; courts take the next ones.") var port: Int = 7400
    @Option(
        name: .long,
        help: "签名套件 — the network's signature suite: ed25519 (default) or sm2 (国密 SM2/SM3).")
    var suite: SignatureSuite = .ed25519
    @Flag(name: .long, help: "Stop the network when the run is done instead of waiting for Ctrl-C.")
    var exit = false

    func validate() throws {
        guard (1...3_650).contains(days) else { throw ValidationError("--days must be between 1 and 3650") }
        guard seconds >= 1, seconds <= 86_400 else { throw ValidationError("--seconds must be between 1 and 86400") }
        guard (1...65_000).contains(port) else { throw ValidationError("--port must be between 1 and 65000") }
    }

    func run() async throws {
        try await reportingAsync(json: false) {
            let folder = try prepareFolder()
            let reference = try ReferenceData(folder: ReferenceData.locateFolder())
            let chosen: [CourtCode]
            do {
                chosen = try NetworkShape.courts(count: courts, from: reference.directory)
            } catch {
                throw NodeError(code: "invalidArgument", "--courts: \(error)")
            }
            let wallNow = SystemTimeSource().now()
            let simulatedStart = wallNow.adding(milliseconds: -Int64(days) * 86_400_000)
            let realStart = wallNow.adding(milliseconds: Int64(3_000 + 400 * (chosen.count + 1)))
            let clock = try AcceleratedClock(
                simulatedStart: simulatedStart, realStart: realStart,
                rate: max(1, Double(days) * 86_400 / seconds))
            let plan = WorkloadGenerator.plan(
                courts: chosen, start: simulatedStart, days: days, calendar: reference.calendar, seed: seed)
            let network = try DemoNetwork.create(
                in: folder, courts: chosen, basePort: port, reference: reference, clock: clock, suite: suite)
            printNetwork(network, reference: reference, plan: plan)

            let run = DemoRun(network: network, plan: plan, executable: try Self.executable())
            defer { run.stopAll() }
            let session = DemoSession(run: run, keepRunning: !exit) {
                try await drive(run, network: network, clock: clock, simulatedStart: simulatedStart, folder: folder)
            }
            var logger = Logger(label: "courtsync.demo")
            logger.logLevel = .error
            let group = ServiceGroup(
                configuration: .init(
                    services: [.init(service: session, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigint, .sigterm], logger: logger))
            try await group.run()
        }
    }

    /// Starts the daemons, drives the workload, checks every replica against the hub and prints
    /// the league table.
    private func drive(
        _ run: DemoRun, network: DemoNetwork, clock: AcceleratedClock, simulatedStart: Timestamp, folder: URL
    ) async throws {
        try run.startAll()
        print(
            "\n== 模拟 \(days) 天的工作（\(String(format: "%.0f", seconds)) 秒，\(Int(clock.rate)) 倍速）/ driving the workload"
        )
        let summary = try await run.drive { progress in
            let day = (progress.now.milliseconds - simulatedStart.milliseconds) / 86_400_000
            print(
                "第 \(String(format: "%3d", day)) 天 \(progress.now.chinaDate)  委托 \(progress.sent)  签收 \(progress.signed)  办结 \(progress.completed)  退回 \(progress.returned)  撤回 \(progress.withdrawn)  待送达 \(progress.waiting)"
                    + (progress.offline.isEmpty
                        ? "" : "  离线: \(progress.offline.map(\.rawValue).joined(separator: " "))"))
        }
        print(
            "完成 / done in \(String(format: "%.1f", summary.seconds)) s; \(summary.progress.skipped) 项因对方已先行处理而未执行 / acts skipped because the other side acted first"
        )

        print("\n== 核对：各法院副本与指挥中心一致 / every replica against the hub's view of it")
        let agreements = try await run.awaitAgreement()
        for agreement in agreements {
            print(
                "\(agreement.court.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)) 事项 \(String(format: "%5d", agreement.matters))  未确认冲突 \(agreement.openConflicts)  摘要 \(agreement.digest.prefix(16))  \(agreement.agrees ? "一致" : "不一致 (hub \(agreement.hubView.prefix(16)))")"
            )
        }
        guard agreements.allSatisfy(\.agrees) else {
            throw NodeError(
                code: "notConverged",
                "some replicas did not agree with the hub within 60 s: see serve.log in \(folder.path)")
        }

        print("\n== 指标（指挥中心）/ the league table at the hub")
        try IndicatorsReport.parse(["--data-dir", network.hub.dataDirectory.path]).run()
        print(
            "\n== 超期未办结 / overdue open matters: courtsync report overdue --data-dir \(network.hub.dataDirectory.path)"
        )
        print("\n指挥中心看板 / dashboard:  \(network.hub.url)/dashboard#token=\(network.staffToken)")
        print("各节点命令 / operate a node:  courtsync matter list --data-dir \(network.courts[0].dataDirectory.path)")
    }

    private func prepareFolder() throws(NodeError) -> URL {
        guard let dir else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "courtsync-demo-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))")
            return folder
        }
        let folder = URL(fileURLWithPath: dir)
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !contents.isEmpty {
            throw NodeError(code: "invalidArgument", "--dir \(folder.path) is not empty: give a new folder")
        }
        return folder
    }

    private func printNetwork(_ network: DemoNetwork, reference: ReferenceData, plan: WorkloadPlan) {
        print(
            "== 演示网络 / the demo network in \(network.folder.path)（签名套件 \(suite.signatureName)/\(suite.hashName)）")
        var table = TextTable(headers: ["法院", "名称", "层级", "地址", "数据目录"])
        for member in network.members {
            let court = reference.directory[member.court]
            table.append([
                member.court.rawValue, court?.name ?? "", member.court.level.chineseName, member.url,
                member.dataDirectory.lastPathComponent,
            ])
        }
        print(table.rendered)
        let tally = plan.tally
        let share = tally.sent == 0 ? 0 : Double(tally.withinProvince) / Double(tally.sent) * 100
        print(
            "工作量 / workload (seed \(seed)): 委托 \(tally.sent) 件（省内 \(String(format: "%.0f", share))%，续冻/续封 \(tally.renewals)），计划办结 \(tally.completed)、退回 \(tally.returned)、撤回 \(tally.withdrawn)，并发冲突 \(tally.concurrentPairs)，断网 \(tally.outages) 次"
        )
    }

    /// This `courtsync` binary, to start the daemons with.
    static func executable() throws(NodeError) -> URL {
        let path =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: path)
    }
}

/// The demo as a service, so that ServiceLifecycle handles Ctrl-C and SIGTERM: one that comes
/// while the demo starts or runs sends SIGTERM to every daemon and ends the process at once
/// (status 130); once the run is done and the network stays up, it ends the wait, and the
/// daemons are stopped in order.
struct DemoSession: Service {
    let run: DemoRun
    let keepRunning: Bool
    let work: @Sendable () async throws -> Void

    func run() async throws {
        let run = self.run
        try await withGracefulShutdownHandler {
            try await work()
        } onGracefulShutdown: {
            for pid in run.processIdentifiers { kill(pid, SIGTERM) }
            Foundation.exit(130)
        }
        guard keepRunning else { return }
        print("网络保持运行，按 Ctrl-C 停止全部节点 / the network stays up; Ctrl-C stops every node")
        try? await gracefulShutdown()
        print("\n正在停止各节点 / stopping the nodes …")
    }
}
