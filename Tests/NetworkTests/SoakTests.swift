import Demo
import Entrustment
import Foundation
import Node
import SyncEngine
import TestSupport
import Testing
import Workload

/// The soak (`docs/reliability.md`): court nodes and the hub as real daemons on an accelerated
/// clock, the demo's workload driven through them while a ``FaultInjector`` kills daemons (the
/// hub too), breaks the paths of the courts behind a ``FaultProxy``, fills the disks of the courts
/// on a ``SizedFilesystem`` (when this machine can mount one), with clocks up to 10 minutes off
/// and one that jumps back 15 minutes halfway. When the faults stop, every court's replica must
/// equal the hub's view of it, every acknowledged act must be at the hub exactly once, nothing may
/// sit in a quarantine or be refused, every file must be sound; memory is sampled throughout.
///
/// An opt-in run: it needs the machine to itself (run beside the rest of the suite on 2 cores,
/// its daemons fall minutes behind the accelerated clock and the workload finds matters "never
/// arrived"), so it runs only when `COURTSYNC_SOAK_MINUTES` is set:
/// `COURTSYNC_SOAK_MINUTES=2 swift test --filter SoakTests` (50 courts, 2 minutes), or 30 for
/// the long one; `COURTSYNC_SOAK_COURTS` sets the network's size and `COURTSYNC_TEST_SEED` (the
/// seed of every random test, ``TestSeed``) replays a run. `.ci/run` runs it after the suite when
/// `COURTSYNC_SOAK_MINUTES` is set.
@Suite(
    "soak", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["COURTSYNC_SOAK_MINUTES"] != nil,
        "opt-in: set COURTSYNC_SOAK_MINUTES (README, \"Faults and the soak\")"))
struct SoakTests {
    @Test(
        "50 courts under the demo workload with random kills, broken paths, full disks and skewed clocks converge with nothing lost"
    )
    func soak() async throws {
        let environment = ProcessInfo.processInfo.environment
        let courtCount = environment["COURTSYNC_SOAK_COURTS"].flatMap(Int.init) ?? 50
        let minutes = environment["COURTSYNC_SOAK_MINUTES"].flatMap(Double.init) ?? 2
        let seed = try TestSeed.draw(for: "SoakTests.soak")
        // Two simulated days per real minute (about 2,900 times real speed).
        let days = max(2, Int((minutes * 2).rounded()))
        var random = SeededRandom(seed: seed)
        print("soak: \(courtCount) courts, \(minutes) minutes, \(days) simulated days")

        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let reference = try ReferenceData(folder: Fixtures.nodesFolder)
        let courts = try NetworkShape.courts(count: courtCount, from: reference.directory)
        let roles = courts.shuffled(using: &random)
        let proxied = Array(roles.prefix(max(2, courtCount / 5)))
        let skews: [(CourtCode, Int64)] = zip(
            roles.dropFirst(proxied.count), [600_000, -600_000, 300_000, -300_000, 0]
        ).map { ($0, $1) }
        let jumper = skews.last!.0
        let diskCourts =
            SizedFilesystem.isAvailable ? Array(roles.dropFirst(proxied.count + skews.count).prefix(2)) : []
        // Courts never killed, so that their memory can be read over the whole run.
        let steady = Set(roles.dropFirst(proxied.count + skews.count + 2).prefix(5))

        let networkFolder = folder.path("net")
        var disks: [CourtCode: SizedFilesystem] = [:]
        defer { for disk in disks.values { disk.unmount() } }
        for court in diskCourts {
            disks[court] = try SizedFilesystem(
                at: networkFolder.appendingPathComponent(DemoNetwork.folderName(for: court)), megabytes: 64)
        }

        let wallNow = SystemTimeSource().now()
        let simulatedStart = wallNow.adding(milliseconds: -Int64(days) * 86_400_000)
        let clock = try AcceleratedClock(
            simulatedStart: simulatedStart,
            realStart: wallNow.adding(milliseconds: Int64(10_000 + 1_000 * courtCount)),
            rate: Double(days) * 86_400 / (minutes * 60))
        let plan = WorkloadGenerator.plan(
            courts: courts, start: simulatedStart, days: days, calendar: reference.calendar, seed: seed)
        var sync = DemoNetwork.sync
        sync.localCheckMilliseconds = 100
        sync.backoffInitialSeconds = 0.2
        sync.backoffMaxSeconds = 2
        sync.requestTimeoutSeconds = 5
        sync.longPollSeconds = 3
        let setupStarted = Date()
        let network = try DemoNetwork.create(
            in: networkFolder, courts: courts, basePort: FreePort.block(count: courts.count + 1), reference: reference,
            clock: clock,
            sync: sync, suite: .ed25519)
        func member(_ court: CourtCode) -> DemoNetwork.Member { network.members.first { $0.court == court }! }

        // The courts behind a fault proxy reach the hub through it.
        let hubPort = URL(string: network.hub.url)!.port!
        var proxies: [CourtCode: FaultProxy] = [:]
        defer { for proxy in proxies.values { proxy.stop() } }
        for court in proxied {
            let proxy = try FaultProxy(to: hubPort, capturing: false)
            proxies[court] = proxy
            var config = try NodeConfig.load(from: member(court).dataDirectory)
            config.hubs = ["http://127.0.0.1:\(proxy.port)"]
            try config.save(to: member(court).dataDirectory)
        }
        // Skewed clocks: the clerk's and the daemon's.
        var clocks: [CourtCode: OffsetClock] = [:]
        for (court, offset) in skews {
            let skewed = try OffsetClock(clock, offset: offset)
            clocks[court] = skewed
            try NodeClockFile.write(skewed.current, to: member(court).dataDirectory)
        }
        print(
            "soak: network made in \(String(format: "%.1f", Date().timeIntervalSince(setupStarted))) s; behind proxies \(proxied.map(\.rawValue)), clocks off \(skews.map { "\($0.0) \($0.1 / 60_000) min" }), full disks \(diskCourts.map(\.rawValue))"
        )

        let run = DemoRun(network: network, plan: plan, executable: CommandRunner().executable)
        defer { run.stopAll() }
        try run.startAll()
        // The hub is killed during the first two thirds of the workload; the last third shows its
        // memory under load without restarts.
        let workloadStart = Date(timeIntervalSince1970: Double(clock.realStart.milliseconds) / 1000)
        let injector = FaultInjector(
            fleet: run.fleet, hub: .supreme, courts: courts.filter { !steady.contains($0) }, proxies: proxies,
            disks: disks, hubKillsUntil: workloadStart.addingTimeInterval(minutes * 40), seed: seed)
        let memory = MemoryLog(fleet: run.fleet, hub: .supreme, steady: steady, courts: courts)
        memory.start(every: max(5, minutes * 60 / 30))
        injector.start()
        var stopped = false
        defer { if !stopped { _ = injector.stop(); _ = memory.stop() } }

        // Halfway through, one clock jumps back 15 minutes: the clerk's at once, the daemon's at
        // its restart.
        let jump = Task.detached {
            try await Task.sleep(for: .seconds(minutes * 30))
            let moved = try clocks[jumper]!.move(by: -900_000)
            try NodeClockFile.write(moved, to: member(jumper).dataDirectory)
            try run.fleet.restart(jumper)
            injector.countClockJump()
        }
        defer { jump.cancel() }
        let summary = try await run.drive(timeSources: clocks) { progress in
            let day = (progress.now.milliseconds - simulatedStart.milliseconds) / 86_400_000
            print(
                "soak: day \(day) 委托 \(progress.sent) 签收 \(progress.signed) 办结 \(progress.completed) 退回 \(progress.returned) 撤回 \(progress.withdrawn) 待送达 \(progress.waiting)"
            )
        }
        try await jump.value
        let (tally, faultErrors) = injector.stop()
        stopped = true
        #expect(faultErrors.isEmpty, "seed \(seed): \(faultErrors)")
        let healed = Date()
        let agreements = try await run.awaitAgreement(seconds: 180)
        let converged = Date().timeIntervalSince(healed)
        let samples = memory.stop()
        print(MemoryLog.render(samples))

        // Every replica equals the hub's view of it.
        let disagreeing = agreements.filter { !$0.agrees }.map(\.court.rawValue)
        #expect(disagreeing.isEmpty, "seed \(seed): not converged: \(disagreeing)")
        // Every acknowledged act is at the hub, once.
        let progress = summary.progress
        let hub = network.hub.dataDirectory.path
        for (kind, count) in [
            ("create", progress.sent), ("sign", progress.signed), ("complete", progress.completed),
            ("return", progress.returned), ("withdraw", progress.withdrawn),
        ] {
            let held = try CrashTests.sqlite(hub, "SELECT count(*) FROM events WHERE kind = '\(kind)'")
            #expect(held == "\(count)", "seed \(seed): the hub holds \(held) \(kind) events, \(count) acknowledged")
        }
        #expect(
            !summary.skips.contains { $0.contains("never arrived") }, "seed \(seed): \(summary.skips.prefix(5))")
        // Nothing held back or refused, every file sound, every audit trail intact.
        let cli = CommandRunner(environment: ["COURTSYNC_NODES_DIR": Fixtures.nodesFolder.path])
        for member in network.members {
            let directory = member.dataDirectory.path
            let (quarantined, refused) = (
                try CrashTests.sqlite(directory, "SELECT count(*) FROM quarantine"),
                try CrashTests.sqlite(directory, "SELECT count(*) FROM refusals")
            )
            #expect(quarantined == "0" && refused == "0", "seed \(seed): \(member.court) \(quarantined) \(refused)")
            #expect(try CrashTests.sqlite(directory, "PRAGMA quick_check") == "ok", "seed \(seed): \(member.court)")
        }
        for member in network.members {
            let audit = try cli.run(["audit", "verify", "--data-dir", member.dataDirectory.path])
            #expect(audit.status == 0, "seed \(seed): \(member.court): \(audit.stdout)")
        }
        print(
            "soak: seed \(seed), \(courtCount) courts, \(String(format: "%.1f", summary.seconds)) s driven, "
                + "\(progress.sent) matters, \(progress.signed + progress.completed + progress.returned + progress.withdrawn) further acts, "
                + "\(progress.skipped) skipped (the other side acted first); faults: \(tally); "
                + "converged \(String(format: "%.1f", converged)) s after healing: "
                + "\(agreements.filter(\.agrees).count)/\(agreements.count) replicas equal the hub's view")
    }
}
