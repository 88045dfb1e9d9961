import Foundation
import Replica
import TestSupport
import Testing

/// Kills at the named moments of the sync path (`docs/reliability.md`): the daemon is run with
/// `COURTSYNC_CRASH_AT`, so it SIGKILLs itself exactly there, every time, instead of wherever a
/// random kill happens to land. For each point the table says what the file must show right
/// after the crash (the transaction was whole or absent; the cursor did not run ahead of what
/// the other side stored), and then, restarted, the network must settle with every acknowledged
/// act once everywhere.
@Suite("kills at named crash points", .serialized)
struct CrashPointTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var point: CrashPoint
        /// The node that crashes: 京0105 sends the matter, the hub relays it, 粤0106 pulls it.
        var victim: String
        /// Right after the crash: whether the hub holds the matter 京0105 sent, whether 粤0106
        /// does, and whether 京0105 still counts it in its push backlog (unacknowledged).
        var hubHolds: Bool
        var receiverHolds: Bool
        var senderBacklog: Bool
        var testDescription: String { "\(point.rawValue) at \(victim)" }
    }

    static let cases: [Case] = [
        // The pull is rolled back whole: 粤0106 holds nothing of it and pulls it again.
        Case(point: .pullApplied, victim: "粤0106", hubHolds: true, receiverHolds: false, senderBacklog: false),
        // The pull and its cursor committed together: the matter is there.
        Case(point: .pullCommitted, victim: "粤0106", hubHolds: true, receiverHolds: true, senderBacklog: false),
        // Nothing left the sender.
        Case(point: .pushEncoded, victim: "京0105", hubHolds: false, receiverHolds: false, senderBacklog: true),
        // Between the hub's storing and the sender's cursor: the hub holds it, the sender will
        // send it again.
        Case(point: .pushAcknowledged, victim: "京0105", hubHolds: true, receiverHolds: false, senderBacklog: true),
        // The hub's transaction is rolled back whole; the sender never heard back.
        Case(point: .receiveApplied, victim: "最高法", hubHolds: false, receiverHolds: false, senderBacklog: true),
        // The hub committed and died before answering: stored once, sent again.
        Case(point: .receiveCommitted, victim: "最高法", hubHolds: true, receiverHolds: false, senderBacklog: true),
    ]

    @Test(
        "a kill at the crash point leaves a whole state, and the network settles with nothing lost or doubled",
        arguments: cases)
    func killAt(_ crash: Case) async throws {
        let courts = ["京0105", "粤0106"]
        let net = try DaemonNetwork(courts)
        let armed = CommandRunner(
            environment: net.cli.environment.merging([CrashPoint.environmentKey: crash.point.rawValue]) { $1 })
        for (court, daemon) in net.daemons { try daemon.start(runner: court == crash.victim ? armed : net.cli) }
        var acknowledged: Set<AcknowledgedAct> = []
        func create(_ number: Int, from: String, to: String) throws -> String {
            let result = try net.run([
                "matter", "create", "--documents-later", "--data-dir", net.dir(from), "--case",
                "（2026）\(from)执\(number)号", "--to", to,
                "--kind", "deposit:freeze", "--json",
            ])
            let id = try #require(result.json["id"] as? String, "\(result.stderr)")
            acknowledged.insert(AcknowledgedAct(matter: id, kind: "create"))
            return id
        }

        let first = try create(1, from: "京0105", to: "粤0106")
        let victim = try #require(net.daemons[crash.victim])
        #expect(
            try await eventually(within: 30) { !victim.isRunning },
            "\(crash): the daemon did not reach the point\n\(net.logs())")
        #expect(
            victim.log.contains("reached \(crash.point.rawValue), killing this process"), "\(victim.log.suffix(2000))")

        // The state the crash left, read from the files. The victim is down, but the others go on:
        // 粤0106 is not checked once the hub holds the matter and runs (it may have pulled it).
        let hubHeld = try net.matters("最高法")[first] != nil
        #expect(hubHeld == crash.hubHolds, "\(crash): the hub")
        if crash.victim != "京0105" || !crash.hubHolds {
            let held = try net.matters("粤0106")[first] != nil
            #expect(held == crash.receiverHolds, "\(crash): 粤0106")
        }
        if crash.victim == "粤0106" {
            // The pull cursor covers the matter's event exactly when the event is stored.
            let sequence = try net.count(
                "最高法", "SELECT arrival_seq FROM events WHERE matter_id = '\(first)' AND kind = 'create'")
            let pulled = try net.count("粤0106", "SELECT pulled_through FROM links WHERE court = '最高法'")
            #expect(
                (pulled >= sequence) == crash.receiverHolds, "\(crash): pulled through \(pulled), event \(sequence)")
        }
        if crash.victim == "京0105" {
            let backlog = try net.pushBacklog("京0105") ?? 0
            #expect((backlog > 0) == crash.senderBacklog, "\(crash): 京0105's backlog is \(backlog)")
        }
        for node in ["最高法"] + courts {
            #expect(try CrashTests.sqlite(net.dir(node), "PRAGMA integrity_check") == "ok", "\(crash): \(node)")
        }

        // Acts go on while the victim is down, then it comes back without the crash point.
        _ = try create(2, from: "粤0106", to: "京0105")
        _ = try create(3, from: "京0105", to: "粤0106")
        try victim.start(runner: net.cli)
        #expect(try await eventually(within: 30) { try net.matters("粤0106")[first] == "sent" }, "\(net.logs())")
        let signed = try net.run(["matter", "sign", "--data-dir", net.dir("粤0106"), first])
        #expect(signed.status == 0, "\(signed.stderr)")
        acknowledged.insert(AcknowledgedAct(matter: first, kind: "sign"))

        try await net.expectSettled(courts: courts, acknowledged: acknowledged, context: "\(crash)")
        #expect(try net.matters("京0105")[first] == "signed")
    }
}
