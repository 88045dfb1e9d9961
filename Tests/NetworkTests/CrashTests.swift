import Foundation
import TestSupport
import Testing

/// Crash safety (`docs/reliability.md`): daemons killed with SIGKILL at random moments while
/// matters are created and acted on and change sets are in flight, then restarted. Nothing an
/// operator was told is done may be lost or doubled, every SQLite file stays sound, the audit
/// trail verifies, and the network converges.
///
/// The seed comes from ``TestSeed`` (`COURTSYNC_TEST_SEED` replays a run). The default suite
/// kills three times; `COURTSYNC_KILL_ROUNDS=N` sets how many (an opt-in long run, a separate
/// step of `.ci/run`).
@Suite("crash safety", .serialized)
struct CrashTests {
    @Test("SIGKILL of a court or the hub at random moments loses nothing acknowledged and doubles nothing")
    func killAtRandom() async throws {
        let seed = try TestSeed.draw(for: "CrashTests.killAtRandom")
        let rounds = try KillRounds.count(default: 3)
        var random = SeededGenerator(seed: seed)
        let courts = ["京0105", "粤0106"]
        let net = try DaemonNetwork(courts)
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        var acknowledged: Set<AcknowledgedAct> = []
        var number = 0
        var kills: [String] = []

        for _ in 0..<rounds {
            // A node is killed at a random moment while the burst below is written and synced,
            // then brought back.
            let victim = (["最高法"] + courts).randomElement(using: &random)!
            let killAfter = Double.random(in: 0...0.6, using: &random)
            let downFor = Double.random(in: 0...0.3, using: &random)
            let daemon = net.daemons[victim]!
            let runner = net.cli
            // The kill lands `killAfter` into the burst below and the node stays down `downFor`:
            // the waits are the random moments under test. Kill and restart block on the process,
            // so they run off the cooperative pool.
            let restart = Task(executorPreference: DedicatedExecutor.shared) {
                try await Task.sleep(for: .milliseconds(Int64(killAfter * 1000)))
                daemon.kill()
                try await Task.sleep(for: .milliseconds(Int64(downFor * 1000)))
                try daemon.start(runner: runner)
            }
            kills.append(victim)
            // A burst of acts: new matters both ways, and the entrusted courts act on what they
            // hold. Should it fail, the restart still ends before the network is torn down.
            let burst = Result { () throws -> Void in
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    number += 1
                    let from = courts.randomElement(using: &random)!
                    let to = courts.first { $0 != from }!
                    let result = try net.run([
                        "matter", "create", "--documents-later", "--data-dir", net.dir(from), "--case",
                        "（2026）\(from)执\(number)号", "--to", to,
                        "--kind", "deposit:freeze", "--json",
                    ])
                    #expect(result.status == 0, "seed \(seed): \(result.stderr)")
                    if let id = result.json["id"] as? String {
                        acknowledged.insert(AcknowledgedAct(matter: id, kind: "create"))
                    }
                }
                for court in courts {
                    for (id, state) in try net.matters(court).sorted(by: { $0.key < $1.key })
                    where !id.hasPrefix(court) && Bool.random(using: &random) {
                        let verb =
                            switch state {
                            case "sent": "sign"
                            case "signed": "complete"
                            default: ""
                            }
                        guard !verb.isEmpty else { continue }
                        let extra = verb == "complete" ? ["--outcome", "full"] : []
                        let result = try net.run(["matter", verb, "--data-dir", net.dir(court), id] + extra)
                        #expect(result.status == 0, "seed \(seed): \(result.stderr)")
                        if result.status == 0 { acknowledged.insert(AcknowledgedAct(matter: id, kind: verb)) }
                    }
                }
            }
            let restarted = await restart.result
            try burst.get()
            try restarted.get()
        }

        try await net.expectSettled(courts: courts, acknowledged: acknowledged, context: "seed \(seed), kills \(kills)")
        #expect(
            try net.digest("京0105") == net.digest("粤0106"), "seed \(seed): both courts are party to every matter")
        print(
            "crash safety: seed \(seed), \(rounds) kills (\(kills.joined(separator: " "))), \(acknowledged.count) acts")
    }

    /// One value from the sqlite3 shell.
    static func sqlite(_ dataDirectory: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [dataDirectory + "/replica.sqlite", sql]
        let (out, _) = try CommandRunner.collect(process)
        return String(decoding: out, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
