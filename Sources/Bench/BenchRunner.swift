import Demo
import Entrustment
import Foundation
import GRDB
import PostgresStore
import Node
import Replica
import SyncEngine

/// Runs the benchmarks (a–f of `docs/performance.md`) on a network of real nodes in a scratch
/// folder and returns the table.
public struct BenchRunner: Sendable {
    /// What to run and how big.
    public struct Options: Sendable {
        /// Events the hub applies (a) and holds (e); the new court catches up with them (f).
        public var events = 100_002
        /// Matters sent A → B for propagation (c).
        public var propagationMatters = 1_000
        /// Seconds between those sendings.
        public var propagationInterval = 0.01
        /// Nodes registered and polling (d).
        public var pollingNodes = 1_000
        /// Concurrent pollers (d).
        public var pollingConcurrency = 64
        /// Seconds of polling (d).
        public var pollingSeconds = 5.0
        /// Idle long-polls held at once (d).
        public var heldLongPolls = 3_500
        /// The first port (hub); nodes take the next ones.
        public var basePort = 7700
        /// The size of the documents of (g), in MiB (0: skip it).
        public var documentMegabytes = 100
        /// `Nodes/bench/nginx-wrk.sh`, which measures the idle-poll reference (nginx `return 200`
        /// under wrk); `nil`: not measured.
        public var nginxScript: URL?
        /// (h): a PostgreSQL server whose role may create databases (`nil`: not measured), and
        /// the passfile with its password.
        public var store: PostgresLocation?
        public var storePasswordFile: String?
        public init() {}
    }

    let options: Options
    let folder: URL
    let reference: ReferenceData
    let executable: URL
    let say: @Sendable (String) -> Void

    /// Runs in `folder` (created, left behind for inspection), starting daemons with the
    /// `courtsync` binary `executable`; `say` hears progress.
    public init(
        options: Options, folder: URL, reference: ReferenceData, executable: URL,
        say: @escaping @Sendable (String) -> Void
    ) {
        self.options = options
        self.folder = folder
        self.reference = reference
        self.executable = executable
        self.say = say
    }

    public func run() async throws -> BenchTable {
        var table = BenchTable()
        let bulkFrom = try CourtCode("京0105")
        let bulkTo = try CourtCode("粤0106")
        let newcomer = try CourtCode("粤")
        let propagationFrom = try CourtCode("京0101")
        let propagationTo = try CourtCode("粤0104")
        var sync = NodeConfig.Sync()
        sync.localCheckMilliseconds = 1
        var limits = NodeConfig.Limits()
        limits.maxConnections = max(1_000, options.heldLongPolls + 500)
        let network = try DemoNetwork.create(
            in: folder, courts: [bulkFrom, bulkTo, newcomer, propagationFrom, propagationTo],
            basePort: options.basePort, reference: reference, clock: nil, sync: sync, limits: limits, suite: .ed25519)
        func member(_ court: CourtCode) -> DemoNetwork.Member { network.members.first { $0.court == court }! }

        // Events, signature ceiling, wire sizes.
        let matters = max(1, options.events / 3)
        say("making \(matters * 3) signed events …")
        let freshHub = folder.appendingPathComponent("hub-fresh")
        if options.store != nil { try FileManager.default.copyItem(at: network.hub.dataDirectory, to: freshHub) }
        let hubNode = try CourtNode(dataDirectory: network.hub.dataDirectory, time: SystemTimeSource())
        let from = try CourtNode(dataDirectory: member(bulkFrom).dataDirectory, time: SystemTimeSource())
        let to = try CourtNode(dataDirectory: member(bulkTo).dataDirectory, time: SystemTimeSource())
        let bulk = try BenchEvents.recent(matters: matters, from: from, to: to)
        let ceiling = try bulk.ceiling(of: from)

        say("b. wire bytes per event …")
        for size in try WireSizeBenchmark.run(
            bulk.events, sizes: [1, 10, 100, 1_000], sender: (bulkFrom, from.identity.node))
        {
            let target = size.events >= 100 ? 60.0 : (size.events == 1 ? 150.0 : .infinity)
            table.add(
                "b. 每事件传输字节 wire bytes/event, set of \(size.events)",
                Format.number(size.changeSetBytes, decimals: 1) + " B",
                reference: "JSON+zlib-6 " + Format.number(size.jsonBytes, decimals: 1) + " B",
                ratio: Format.number(size.changeSetBytes / size.jsonBytes, decimals: 2),
                target: target.isFinite ? "≤ \(Int(target)) B" : "",
                met: target.isFinite ? size.changeSetBytes <= target : nil)
        }

        say("a. apply throughput at the hub …")
        let batch = 1_000
        let sets = try bulk.changeSets(of: batch, sender: from)
        let hubConfig = try NodeConfig.load(from: network.hub.dataDirectory)
        let apply = try await ApplyBenchmark.run(
            sets: sets, events: bulk.events, batch: batch, hub: hubNode, hubConfig: hubConfig, sender: from,
            scratch: folder)
        say("i. the sm2 suite (国密 SM2/SM3): verify ceiling and apply …")
        let sm2 = try await SuiteBenchmark.run(
            suite: .sm2, matters: matters, from: bulkFrom, to: bulkTo, reference: reference,
            folder: folder.appendingPathComponent("sm2"), basePort: options.basePort + 60)
        var shared: PostgresBenchmark.Result?
        if let store = options.store {
            say("h. apply on PostgreSQL, one and two hub processes …")
            shared = try await PostgresBenchmark.run(
                bulk: bulk, batch: batch, hub: freshHub, sender: from, server: store,
                passwordFile: options.storePasswordFile, scratch: folder)
        }
        try hubNode.close()
        try from.close()
        try to.close()
        table.add(
            "a. 验签 Ed25519 verifications/s", Format.number(ceiling.allCores) + " /s (\(ceiling.cores) cores)",
            reference: Format.number(ceiling.perCore) + " /s (1 core)",
            ratio: Format.number(ceiling.allCores / ceiling.perCore, decimals: 2))
        table.add(
            "a. 入库 apply, every signature checked", Format.number(apply.eventsPerSecond) + " events/s",
            reference: "ceiling " + Format.number(ceiling.allCores) + " /s",
            ratio: Format.number(apply.eventsPerSecond / ceiling.allCores, decimals: 2), target: "≥ 0.85",
            met: apply.eventsPerSecond / ceiling.allCores >= 0.85)
        table.add(
            "i. 验签 SM2 verifications/s", Format.number(sm2.ceiling.allCores) + " /s (\(sm2.ceiling.cores) cores)",
            reference: Format.number(sm2.ceiling.perCore) + " /s (1 core)",
            ratio: Format.number(sm2.ceiling.allCores / sm2.ceiling.perCore, decimals: 2))
        table.add(
            "i. 验签 SM2 against Ed25519", Format.number(sm2.ceiling.allCores) + " /s",
            reference: "Ed25519 " + Format.number(ceiling.allCores) + " /s",
            ratio: Format.number(sm2.ceiling.allCores / ceiling.allCores, decimals: 2))
        table.add(
            "i. 签名 SM2 witness signatures/s (the hub signs one per event)",
            Format.number(sm2.signing.allCores) + " /s (\(sm2.ceiling.cores) cores)",
            reference: "SM2 verify " + Format.number(sm2.ceiling.allCores) + " /s",
            ratio: Format.number(sm2.signing.allCores / sm2.ceiling.allCores, decimals: 2))
        table.add(
            "i. 入库 apply, SM2/SM3 network, every signature checked",
            Format.number(sm2.apply.eventsPerSecond) + " events/s",
            reference: "SM2 ceiling " + Format.number(sm2.ceiling.allCores) + " /s",
            ratio: Format.number(sm2.apply.eventsPerSecond / sm2.ceiling.allCores, decimals: 2), target: "≥ 0.85",
            met: sm2.apply.eventsPerSecond / sm2.ceiling.allCores >= 0.85)
        table.add(
            "a. 重复入库 re-apply (all duplicates)", Format.number(apply.duplicatesPerSecond) + " events/s",
            reference: "raw append " + Format.number(apply.rawPerSecond) + " /s",
            ratio: Format.number(apply.duplicatesPerSecond / apply.rawPerSecond, decimals: 2), target: "≥ 0.50",
            met: apply.duplicatesPerSecond / apply.rawPerSecond >= 0.5)
        table.add(
            "a. 入库 apply vs raw append", Format.number(apply.eventsPerSecond) + " events/s",
            reference: "raw append " + Format.number(apply.rawPerSecond) + " /s",
            ratio: Format.number(apply.eventsPerSecond / apply.rawPerSecond, decimals: 2))
        if let shared {
            table.add(
                "h. 入库 apply, hub on PostgreSQL, 1 process", Format.number(shared.oneProcess) + " events/s",
                reference: "SQLite hub " + Format.number(apply.eventsPerSecond) + " /s",
                ratio: Format.number(shared.oneProcess / apply.eventsPerSecond, decimals: 2), target: "≥ 0.50",
                met: shared.oneProcess / apply.eventsPerSecond >= 0.5)
            table.add(
                "h. 入库 apply, hub on PostgreSQL, 2 processes", Format.number(shared.twoProcesses) + " events/s",
                reference: "1 process " + Format.number(shared.oneProcess) + " /s",
                ratio: Format.number(shared.twoProcesses / shared.oneProcess, decimals: 2))
            table.add(
                "h. PostgreSQL insert of the same rows", Format.number(shared.rawInsert) + " rows/s",
                reference: "SQLite raw append " + Format.number(apply.rawPerSecond) + " /s",
                ratio: Format.number(shared.rawInsert / apply.rawPerSecond, decimals: 2))
        }

        // Daemons: the hub holding the events, the pair for propagation.
        let daemons = Dictionary(
            uniqueKeysWithValues: network.members.map {
                (
                    $0.court,
                    ServeProcess(
                        executable: executable, dataDirectory: $0.dataDirectory, arguments: ["--log-level", "warning"])
                )
            })
        defer { for process in daemons.values { process.stop() } }
        say("f. bootstrap: a new court catches up …")
        try daemons[.supreme]!.start()
        let expected = bulk.events.count
        var readOnly = Configuration()
        readOnly.readonly = true
        let newcomerReplica = try DatabaseQueue(
            path: CourtNode.replicaPath(in: member(newcomer).dataDirectory), configuration: readOnly)
        // Waiting looks up the last event the hub stored by its id (an index lookup every 20 ms;
        // counting a million rows that often would take a core from the catch-up it measures),
        // then counts once.
        let last = bulk.events.last!.id.hex
        let limit = max(600, Double(expected) / 200)
        let bootstrap = try await Stopwatch.time {
            try daemons[newcomer]!.start()
            let deadline = Date().addingTimeInterval(limit)
            func holdsAll() async throws -> Bool {
                guard
                    try await newcomerReplica.read({
                        try Bool.fetchOne(
                            $0, sql: "SELECT EXISTS (SELECT 1 FROM events WHERE id = ?)", arguments: [last])
                            ?? false
                    })
                else { return false }
                return try await newcomerReplica.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") ?? 0 }
                    >= expected
            }
            while try await !holdsAll() {
                guard Date() < deadline else {
                    throw NodeError(code: "benchFailed", "bootstrap took over \(Int(limit)) s")
                }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        // The catch-up stored every event on the hub's attestations; the newcomer's daemon then
        // re-checks their origin signatures in the background.
        let attestations = try await newcomerReplica.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM attestations") ?? 0
        }
        let recheck = try await Stopwatch.time {
            let deadline = Date().addingTimeInterval(limit)
            // Asked every 200 ms, and only whether any is left: counting a long list that often
            // would itself slow the re-check down.
            while try await newcomerReplica.read({
                try Bool.fetchOne($0, sql: "SELECT EXISTS (SELECT 1 FROM origin_checks WHERE failed_at IS NULL)")
                    ?? false
            }) {
                guard Date() < deadline else {
                    throw NodeError(code: "benchFailed", "the re-check took over \(Int(limit)) s")
                }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        daemons[newcomer]!.stop()
        table.add(
            "f. 新节点追平 bootstrap \(expected) events (attested)", String(format: "%.2f s", bootstrap),
            reference: Format.number(Double(expected) / bootstrap) + " events/s, raw append "
                + Format.number(apply.rawPerSecond) + " /s",
            ratio: Format.number(Double(expected) / bootstrap / apply.rawPerSecond, decimals: 2),
            target: "< 5 s (100,000 events), ≥ 0.50",
            met: expected >= 100_000 ? bootstrap < 5 && Double(expected) / bootstrap >= 0.5 * apply.rawPerSecond : nil)
        table.add(
            "f. 来源签名复核 origin signatures re-checked, after the catch-up", String(format: "%.2f s", recheck),
            reference: "\(attestations) attestations, " + Format.number(Double(expected) / (bootstrap + recheck))
                + " events/s in all")

        say("e. memory …")
        try daemons[propagationFrom]!.start()
        try daemons[propagationTo]!.start()
        try await Task.sleep(for: .seconds(2))
        let idleCourt = ResidentMemory.bytes(of: daemons[propagationTo]!.processIdentifier ?? 0)
        let hubRSS = ResidentMemory.bytes(of: daemons[.supreme]!.processIdentifier ?? 0)
        table.add(
            "e. 空闲法院节点内存 idle court RSS", Format.megabytes(idleCourt), target: "< 40 MB",
            met: idleCourt.map { $0 < 40 << 20 })
        table.add(
            "e. 指挥中心内存 hub RSS holding \(expected) events", Format.megabytes(hubRSS),
            target: "< 300 MB (1,000,000 events)",
            met: expected >= 1_000_000 ? hubRSS.map { $0 < 300 << 20 } : nil)

        say("c. propagation A → hub → B, \(options.propagationMatters) matters …")
        let delays = try await PropagationBenchmark.run(
            from: member(propagationFrom).dataDirectory, to: member(propagationTo).dataDirectory,
            toCourt: propagationTo, count: options.propagationMatters, interval: options.propagationInterval)
        let sorted = delays.sorted()
        func percentile(_ p: Double) -> Double {
            sorted[min(sorted.count - 1, Int((p * Double(sorted.count)).rounded(.up)) - 1)]
        }
        table.add(
            "c. 传播 propagation p50", Format.milliseconds(percentile(0.5)), target: "≤ 5 ms",
            met: percentile(0.5) <= 0.005)
        table.add(
            "c. 传播 propagation p99", Format.milliseconds(percentile(0.99)), target: "≤ 50 ms",
            met: percentile(0.99) <= 0.05)
        table.add("c. 传播 propagation max", Format.milliseconds(sorted.last ?? .nan))

        say("d. hub fan-in: \(options.pollingNodes) nodes …")
        daemons[.supreme]!.stop()
        let hubAgain = try CourtNode(dataDirectory: network.hub.dataDirectory, time: SystemTimeSource())
        let callers = try FanInBenchmark.register(options.pollingNodes, at: hubAgain)
        let head = try hubAgain.read { () throws(ReplicaError) in try hubAgain.replica.headSequence() }
        try hubAgain.close()
        try daemons[.supreme]!.start()
        let polling = await FanInBenchmark.poll(
            callers, hub: network.hub.url, after: head, concurrency: options.pollingConcurrency,
            seconds: options.pollingSeconds, hubPID: daemons[.supreme]!.processIdentifier ?? 0)
        let latency =
            "p50 " + Format.milliseconds(polling.p50) + ", p99 " + Format.milliseconds(polling.p99)
            + (polling.failures > 0 ? ", \(polling.failures) failed" : "")
        say("d. the reference: nginx return 200 under wrk …")
        let nginx = options.nginxScript.map {
            NginxReference.requestsPerSecond(
                script: $0, port: options.basePort + 40, seconds: min(options.pollingSeconds, 10),
                connections: options.pollingConcurrency, scratch: folder.appendingPathComponent("nginx"))
        }
        // No growth: at most 5 % (and 2 MB) above the memory once warm.
        let steady = polling.warmRSS.flatMap { warm in polling.endRSS.map { $0 <= warm + warm / 20 + (2 << 20) } }
        table.add(
            "d. 持续轮询 sustained \(Int(options.pollingSeconds)) s: 503 busy, hub RSS",
            "\(polling.busy) × 503, RSS " + Format.megabytes(polling.warmRSS) + " → "
                + Format.megabytes(polling.endRSS),
            reference: "\(polling.failures) failed in all", target: "no 503, no growth (15 min)",
            met: options.pollingSeconds >= 900 ? polling.busy == 0 && steady == true : nil)
        switch nginx {
        case .success(let reference)?:
            let ratio = polling.requestsPerSecond / reference
            table.add(
                "d. 空轮询 idle polls/s, \(options.pollingNodes) nodes, \(options.pollingConcurrency) at once",
                Format.number(polling.requestsPerSecond) + " req/s (\(latency))",
                reference: "nginx return 200, wrk " + Format.number(reference) + " req/s",
                ratio: Format.number(ratio, decimals: 2), target: "≥ 0.50", met: ratio >= 0.5)
        case .failure(let unavailable)?:
            table.add(
                "d. 空轮询 idle polls/s, \(options.pollingNodes) nodes, \(options.pollingConcurrency) at once",
                Format.number(polling.requestsPerSecond) + " req/s (\(latency))",
                reference: "nginx/wrk not measured: \(unavailable.reason)", target: "≥ 0.50 × nginx")
        case nil:
            table.add(
                "d. 空轮询 idle polls/s, \(options.pollingNodes) nodes, \(options.pollingConcurrency) at once",
                Format.number(polling.requestsPerSecond) + " req/s (\(latency))", target: "≥ 0.50 × nginx")
        }
        let held = await FanInBenchmark.holdLongPolls(
            callers, count: options.heldLongPolls, hub: network.hub.url, after: head, wait: 20,
            hubPID: daemons[.supreme]!.processIdentifier ?? 0)
        table.add(
            "d. 长轮询 \(options.heldLongPolls) idle long-polls held: hub RSS", Format.megabytes(held.rss),
            reference: held.answeredEarly > 0 ? "\(held.answeredEarly) answered early" : "all held",
            target: "< 200 MB", met: held.rss.map { $0 < 200 << 20 && held.answeredEarly == 0 })
        for process in daemons.values { process.stop() }

        if options.documentMegabytes > 0 {
            let documents = try await DocumentBenchmark.run(
                folder: folder.appendingPathComponent("documents"), executable: executable, reference: reference,
                basePort: options.basePort + 20, megabytes: options.documentMegabytes, say: say)
            let rate = Double(documents.size) / documents.transferSeconds
            let raw = Double(documents.size) / documents.rawSeconds
            table.add(
                "g. 材料传输 \(options.documentMegabytes) MiB A → hub → B",
                Format.number(rate / Double(1 << 20), decimals: 1) + " MiB/s"
                    + String(format: " (%.2f s)", documents.transferSeconds),
                reference: "raw loopback TCP " + Format.number(raw / Double(1 << 20), decimals: 1) + " MiB/s",
                ratio: Format.number(rate / raw, decimals: 2), target: "≥ 0.50", met: rate / raw >= 0.5)
            let resentChunks = Double(documents.resentBytes) / Double(DocumentStore.chunkSize)
            table.add(
                "g. 断点续传 resume after a kill at 50 %: sent again",
                Format.number(resentChunks, decimals: 2) + " chunks",
                reference: "\(documents.resentBytes) B", target: "< 2 chunks", met: resentChunks < 2)
            for name in ["A", "hub", "B"] {
                let growth = documents.rssGrowth[name] ?? 0
                table.add(
                    "g. 传输内存 peak RSS growth, \(name)", Format.megabytes(growth), target: "< 64 MiB",
                    met: growth < 64 << 20)
            }
        }
        return table
    }
}
