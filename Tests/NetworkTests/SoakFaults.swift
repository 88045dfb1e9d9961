import Bench
import Demo
import Entrustment
import Foundation
import Node
import TestSupport
import Workload

/// A court's simulated clock that is off by an offset, which can change (a clock that jumps).
/// The workload's clerk at that court stamps acts with it; its daemon reads the same clock from
/// its `clock.json`.
final class OffsetClock: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var clock: AcceleratedClock

    /// `network`'s clock, `offset` milliseconds off.
    init(_ network: AcceleratedClock, offset: Int64) throws {
        clock = try Self.shifted(network, by: offset)
    }

    /// The clock as it stands (what `clock.json` must hold).
    var current: AcceleratedClock { lock.withLock { clock } }

    func now() -> Timestamp { current.instant(atReal: SystemTimeSource().now()) }

    /// Moves the clock by `milliseconds` (back when negative) and returns it as it now stands.
    func move(by milliseconds: Int64) throws -> AcceleratedClock {
        try lock.withLock {
            clock = try Self.shifted(clock, by: milliseconds)
            return clock
        }
    }

    private static func shifted(_ clock: AcceleratedClock, by milliseconds: Int64) throws -> AcceleratedClock {
        try AcceleratedClock(
            simulatedStart: clock.simulatedStart.adding(milliseconds: milliseconds), realStart: clock.realStart,
            rate: clock.rate)
    }
}

/// Random faults on a running demo network, from a seed: daemons of `courts` (and the hub, until
/// `hubKillsUntil`) killed with SIGKILL and restarted a few seconds later, network faults on the
/// paths of the courts behind a ``FaultProxy``, and full disks on the courts whose data directory
/// is a ``SizedFilesystem``. Each fault heals after a random while; ``stop()`` heals whatever is
/// still broken.
final class FaultInjector: @unchecked Sendable {
    /// How many faults of each kind were injected.
    struct Tally: CustomStringConvertible {
        var courtKills = 0, hubKills = 0, pathFaults = 0, fullDisks = 0, clockJumps = 0
        var description: String {
            "进程被杀 kills \(courtKills) courts + \(hubKills) hub, 网络故障 path faults \(pathFaults), 磁盘满 full disks \(fullDisks), 时钟回拨 clock jumps \(clockJumps)"
        }
    }

    private let fleet: DaemonFleet
    private let hub: CourtCode
    private let courts: [CourtCode]
    private let proxies: [CourtCode: FaultProxy]
    private let disks: [CourtCode: SizedFilesystem]
    private let hubKillsUntil: Date
    private let lock = NSLock()
    private var random: SeededRandom
    private var heals: [(at: Date, court: CourtCode, heal: () throws -> Void)] = []
    private var broken: Set<CourtCode> = []
    private var tally = Tally()
    private var errors: [String] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(
        fleet: DaemonFleet, hub: CourtCode, courts: [CourtCode], proxies: [CourtCode: FaultProxy],
        disks: [CourtCode: SizedFilesystem], hubKillsUntil: Date, seed: UInt64
    ) {
        self.fleet = fleet
        self.hub = hub
        self.courts = courts
        self.proxies = proxies
        self.disks = disks
        self.hubKillsUntil = hubKillsUntil
        random = SeededRandom(seed: seed)
    }

    /// Injects a fault every 1–4 s (on its own thread) until ``stop()``.
    func start() {
        Thread.detachNewThread { [self] in
            var next = Date()
            while lock.withLock({ running }) {
                if Date() >= next {
                    inject()
                    next = Date().addingTimeInterval(lock.withLock { Double.random(in: 1...4, using: &random) })
                }
                healDue(all: false)
                // The injector's clock tick on its own thread: it waits for the time of the next
                // fault or heal, not for a condition.
                Thread.sleep(forTimeInterval: 0.05)
            }
            finished.signal()
        }
    }

    /// Stops injecting, heals every fault still in force and returns the tally and any error met.
    func stop() -> (Tally, [String]) {
        let wasRunning = lock.withLock {
            defer { running = false }
            return running
        }
        if wasRunning { finished.wait() }
        healDue(all: true)
        return lock.withLock { (tally, errors) }
    }

    /// Records a clock jump (done by the caller, which owns the clocks).
    func countClockJump() { lock.withLock { tally.clockJumps += 1 } }

    private func inject() {
        lock.lock()
        defer { lock.unlock() }
        let roll = Double.random(in: 0..<1, using: &random)
        let healthy = courts.filter { !broken.contains($0) }
        do {
            if roll < 0.1, !broken.contains(hub), Date() < hubKillsUntil {
                if kill(hub) { tally.hubKills += 1 }
            } else if roll < 0.45, let victim = healthy.randomElement(using: &random) {
                if kill(victim) { tally.courtKills += 1 }
            } else if roll < 0.8, let victim = healthy.filter({ proxies[$0] != nil }).randomElement(using: &random) {
                breakPath(of: victim)
                tally.pathFaults += 1
            } else if let victim = healthy.filter({ disks[$0] != nil }).randomElement(using: &random) {
                try fillDisk(of: victim)
                tally.fullDisks += 1
            }
        } catch {
            errors.append("\(error)")
        }
    }

    /// Kills the victim's daemon, if it runs, and schedules its restart; says whether it did.
    private func kill(_ victim: CourtCode) -> Bool {
        guard fleet.crash(victim) else { return false }
        broken.insert(victim)
        schedule(victim, after: Double.random(in: 0.3...4, using: &random)) { [fleet] in try fleet.recover(victim) }
        return true
    }

    private func breakPath(of victim: CourtCode) {
        let proxy = proxies[victim]!
        let faults: [FaultProxy.Fault] = [
            .blackhole, .drop, .answersLost(requestPrefix: "POST /v1/changes"), .answersLost(requestPrefix: ""),
            .resetRequestAfter(bytes: Int.random(in: 50...2_000, using: &random)),
            .resetRequestBodyAfter(bytes: Int.random(in: 1...400, using: &random)),
            .truncateAnswerAfter(bytes: Int.random(in: 20...600, using: &random)),
            .truncateAnswerBodyAfter(bytes: Int.random(in: 1...400, using: &random)),
            .delay(seconds: Double.random(in: 0.1...1, using: &random)),
        ]
        proxy.fault = faults.randomElement(using: &random)!
        broken.insert(victim)
        schedule(victim, after: Double.random(in: 2...12, using: &random)) { proxy.fault = .none }
    }

    private func fillDisk(of victim: CourtCode) throws {
        let disk = disks[victim]!
        try fleet.setDiskFull(victim, true)
        try disk.fill()
        broken.insert(victim)
        schedule(victim, after: Double.random(in: 2...10, using: &random)) { [fleet] in
            try disk.free()
            try fleet.setDiskFull(victim, false)
        }
    }

    private func schedule(_ court: CourtCode, after seconds: Double, heal: @escaping () throws -> Void) {
        heals.append((Date().addingTimeInterval(seconds), court, heal))
    }

    private func healDue(all: Bool) {
        lock.lock()
        defer { lock.unlock() }
        let now = Date()
        let due = heals.filter { all || $0.at <= now }
        heals.removeAll { all || $0.at <= now }
        for fault in due {
            do { try fault.heal() } catch { errors.append("healing \(fault.court): \(error)") }
            broken.remove(fault.court)
        }
    }
}

/// The resident memory of the network's processes, sampled over a run.
final class MemoryLog: @unchecked Sendable {
    /// One reading, in megabytes. A figure is nil when no process of its kind ran at that moment
    /// (the hub killed and not yet restarted).
    struct Sample {
        var seconds: Double
        var hub: Double?
        /// The courts never killed: one process each for the whole run.
        var steadyMedian: Double?
        var steadyMax: Double?
        /// Every court daemon running at that moment.
        var courtMedian: Double?
        /// This process: the clerks' nodes of every court, in the test.
        var runner: Double?
    }

    private let fleet: DaemonFleet
    private let hub: CourtCode
    private let steady: Set<CourtCode>
    private let courts: [CourtCode]
    private let lock = NSLock()
    private var samples: [Sample] = []
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    init(fleet: DaemonFleet, hub: CourtCode, steady: Set<CourtCode>, courts: [CourtCode]) {
        self.fleet = fleet
        self.hub = hub
        self.steady = steady
        self.courts = courts
    }

    /// Samples every `seconds` on its own thread until ``stop()``.
    func start(every seconds: Double) {
        let started = Date()
        Thread.detachNewThread { [self] in
            var next = Date()
            while lock.withLock({ running }) {
                if Date() >= next {
                    sample(at: Date().timeIntervalSince(started))
                    next = next.addingTimeInterval(seconds)
                }
                // The sampler's clock tick on its own thread: it waits for the next sample's time.
                Thread.sleep(forTimeInterval: 0.1)
            }
            sample(at: Date().timeIntervalSince(started))
            finished.signal()
        }
    }

    /// Stops sampling (once; later calls return the same samples).
    func stop() -> [Sample] {
        let wasRunning = lock.withLock {
            defer { running = false }
            return running
        }
        if wasRunning { finished.wait() }
        return lock.withLock { samples }
    }

    private func sample(at seconds: Double) {
        func megabytes(_ pid: Int32?) -> Double? {
            pid.flatMap { ResidentMemory.bytes(of: $0) }.map { Double($0) / 1_048_576 }
        }
        func figures(_ courts: [CourtCode]) -> [Double] {
            courts.compactMap { megabytes(fleet.processIdentifier(of: $0)) }.sorted()
        }
        func median(_ figures: [Double]) -> Double? { figures.isEmpty ? nil : figures[figures.count / 2] }
        let steadyFigures = figures(courts.filter(steady.contains))
        let sample = Sample(
            seconds: seconds, hub: megabytes(fleet.processIdentifier(of: hub)), steadyMedian: median(steadyFigures),
            steadyMax: steadyFigures.last, courtMedian: median(figures(courts)),
            runner: ResidentMemory.bytes().map { Double($0) / 1_048_576 })
        lock.withLock { samples.append(sample) }
    }

    /// Columns on a terminal: a Chinese character takes two.
    private static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
    }

    /// The samples as a table, and the growth of each column from its reading at the end of the
    /// first third (once caches have warmed) to its last reading.
    static func render(_ samples: [Sample]) -> String {
        let columns: [(String, KeyPath<Sample, Double?>)] = [
            ("指挥中心 hub MB", \.hub), ("常驻法院中位 steady median MB", \.steadyMedian),
            ("常驻法院最大 steady max MB", \.steadyMax), ("全部法院中位 all courts median MB", \.courtMedian),
            ("驱动 runner MB", \.runner),
        ]
        var lines = ["   秒 s" + columns.map { "   \($0.0)" }.joined()]
        for sample in samples {
            lines.append(
                String(format: "%7.0f", sample.seconds)
                    + columns.map { name, column in
                        let figure = sample[keyPath: column].map { String(format: "%.1f", $0) } ?? "—"
                        return "   " + String(repeating: " ", count: max(0, width(name) - figure.count)) + figure
                    }.joined())
        }
        let growths = columns.compactMap { name, column -> String? in
            let readings = samples.compactMap { sample in sample[keyPath: column].map { (sample.seconds, $0) } }
            guard readings.count >= 3, let last = readings.last else { return nil }
            let base = readings[readings.count / 3]
            return "\(name) "
                + String(
                    format: "%+.0f%% (%.1f → %.1f MB from %.0f s)", (last.1 / base.1 - 1) * 100, base.1, last.1, base.0)
        }
        if !growths.isEmpty { lines.append("增长 growth: " + growths.joined(separator: "; ")) }
        return lines.joined(separator: "\n")
    }
}
