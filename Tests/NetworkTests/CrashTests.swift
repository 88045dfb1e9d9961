import Foundation
import TestSupport
import Testing

/// Crash safety (`docs/reliability.md`): daemons killed with SIGKILL at random moments while
/// matters are created and acted on and change sets are in flight, then restarted. Nothing an
/// operator was told is done may be lost or doubled, every SQLite file stays sound, the audit
/// trail verifies, and the network converges.
///
/// `COURTSYNC_CRASH_SEED` replays a run; `COURTSYNC_CRASH_ROUNDS` (default 8) sets how many kills.
@Suite("crash safety", .serialized)
struct CrashTests {
    /// An act the CLI reported done (exit 0): its event is stored at that court.
    struct Acknowledged: Hashable {
        var matter: String
        var kind: String
    }

    @Test("SIGKILL of a court or the hub at random moments loses nothing acknowledged and doubles nothing")
    func killAtRandom() throws {
        let environment = ProcessInfo.processInfo.environment
        let seed = environment["COURTSYNC_CRASH_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64(1 << 40))
        let rounds = environment["COURTSYNC_CRASH_ROUNDS"].flatMap(Int.init) ?? 8
        var random = SeededGenerator(seed: seed)
        let courts = ["京0105", "粤0106"]
        let net = try DaemonNetwork(courts)
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        var acknowledged: Set<Acknowledged> = []
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
            let restarted = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var restartError: (any Error)?
            Thread.detachNewThread {
                Thread.sleep(forTimeInterval: killAfter)
                daemon.kill()
                Thread.sleep(forTimeInterval: downFor)
                do { try daemon.start(runner: runner) } catch { restartError = error }
                restarted.signal()
            }
            kills.append(victim)
            // A burst of acts: new matters both ways, and the entrusted courts act on what they hold.
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                number += 1
                let from = courts.randomElement(using: &random)!
                let to = courts.first { $0 != from }!
                let result = try net.run([
                    "matter", "create", "--data-dir", net.dir(from), "--case", "（2026）\(from)执\(number)号", "--to", to,
                    "--kind", "deposit:freeze", "--json",
                ])
                #expect(result.status == 0, "seed \(seed): \(result.stderr)")
                if let id = result.json["id"] as? String {
                    acknowledged.insert(Acknowledged(matter: id, kind: "create"))
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
                    if result.status == 0 { acknowledged.insert(Acknowledged(matter: id, kind: verb)) }
                }
            }
            restarted.wait()
            if let restartError { throw restartError }
        }

        // Converged: each court's own digest equals the hub's view of that court's matters.
        func digest(_ arguments: [String]) throws -> String {
            try net.run(["digest"] + arguments + ["--json"]).json["digest"] as? String ?? "?"
        }
        for court in courts {
            let converged = try eventually(within: 60) {
                _ = try net.run(["sync", "--data-dir", net.dir(court)])
                return try digest(["--data-dir", net.dir(court)])
                    == digest(["--data-dir", net.dir("最高法"), "--for", court])
            }
            #expect(converged, "seed \(seed), kills \(kills): \(court) did not converge\n\(net.logs())")
        }
        #expect(
            try digest(["--data-dir", net.dir("京0105")]) == digest(["--data-dir", net.dir("粤0106")]),
            "seed \(seed): both courts are party to every matter")

        // Every acknowledged act is at the hub exactly once; nothing else is.
        for node in ["最高法"] + courts {
            for act in acknowledged {
                let count = try net.count(
                    node, "SELECT count(*) FROM events WHERE matter_id = '\(act.matter)' AND kind = '\(act.kind)'")
                #expect(count == 1, "seed \(seed): \(node) holds \(count) \(act.kind) events of \(act.matter)")
            }
            #expect(try net.count(node, "SELECT count(*) FROM events") == acknowledged.count, "seed \(seed): \(node)")
            #expect(try net.count(node, "SELECT count(*) FROM quarantine") == 0, "seed \(seed): \(node)")
            let integrity = try Self.sqlite(net.dir(node), "PRAGMA integrity_check")
            #expect(integrity == "ok", "seed \(seed): \(node): \(integrity)")
            let audit = try net.run(["audit", "verify", "--data-dir", net.dir(node)])
            #expect(audit.status == 0, "seed \(seed): \(node): \(audit.stdout)")
        }
        // Cursors: nothing left to push, and no cursor beyond what the other side holds.
        for court in courts {
            let peers =
                try net.run(["peers", "--data-dir", net.dir(court), "--json"]).json["peers"] as? [[String: Any]]
            let hub = try #require(peers?.first { $0["court"] as? String == "最高法" })
            #expect(hub["pushBacklog"] as? Int == 0, "seed \(seed): \(court) \(hub)")
            let hubHead = try net.count("最高法", "SELECT coalesce(max(arrival_seq), 0) FROM events")
            let pulled = try net.count(court, "SELECT pulled_through FROM links WHERE court = '最高法'")
            #expect(pulled <= hubHead, "seed \(seed): \(court) pulled through \(pulled) of \(hubHead)")
        }
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
