import Bench
import Demo
import Entrustment
import Foundation
import Node
import Replica
import TestSupport
import Testing

/// A kill during a schema migration (`docs/reliability.md`). A hub replica holding 4,500 signed
/// events is turned back into the shape the build before schema v5 left (no `received_at`, no
/// `node_contacts`, no v5 indexes, every matter awaiting a refold). Then `courtsync` opens it and
/// is SIGKILLed at random moments while it migrates and refolds, again and again, with a printed
/// seed. After every kill the file is sound and in one of the three states a whole transaction
/// leaves; once an open completes, every matter and the audit trail are as they were before.
///
/// The seed comes from ``TestSeed`` (`COURTSYNC_TEST_SEED` replays a run). The default suite kills
/// four times (two opens of each kind); `COURTSYNC_KILL_ROUNDS=N` sets how many (an opt-in long
/// run, a separate step of `.ci/run`).
@Suite("kill during migration", .serialized)
struct MigrationCrashTests {
    /// How far an interrupted open got, read from the file.
    enum Stage: String, CaseIterable {
        case notMigrated = "not migrated"
        case refoldPending = "migrated, refold pending"
        case done = "migrated and refolded"
    }

    @Test("SIGKILL while migrating and refolding leaves a sound file, whole steps only, and loses nothing")
    func killDuringMigration() async throws {
        let seed = try TestSeed.draw(for: "MigrationCrashTests.killDuringMigration")
        let rounds = try KillRounds.count(default: 4)
        var random = SeededGenerator(seed: seed)
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hub = try Self.hub(in: folder, matters: 1_500)
        let cli = Self.cli
        func digest() throws -> String {
            try cli.run(["digest", "--data-dir", hub, "--json"]).json["digest"] as? String ?? "?"
        }
        let matters =
            "SELECT group_concat(id || ':' || digest || ':' || coalesce(received_at, ''), ' ') FROM (SELECT * FROM matters ORDER BY id)"
        let before = (digest: try digest(), matters: try CrashTests.sqlite(hub, matters))
        let events = try CrashTests.sqlite(hub, "SELECT count(*) FROM events")
        #expect(events == "4500")
        #expect(try CrashTests.sqlite(hub, "SELECT count(DISTINCT received_at) FROM matters") != "0")

        try Self.downgrade(hub)
        #expect(try Self.stage(hub) == .notMigrated)
        // How long an uninterrupted open takes, on a copy: the kills fall inside it.
        let copy = folder.path("copy").path
        try FileManager.default.copyItem(atPath: hub, toPath: copy)
        let started = Date()
        #expect(try cli.run(["matter", "list", "--data-dir", copy, "--json"]).status == 0)
        let whole = Date().timeIntervalSince(started)
        #expect(try Self.stage(copy) == .done)
        // And an open with nothing to migrate: half the kills fall within this span, where the
        // schema migration runs.
        let plainStart = Date()
        #expect(try cli.run(["matter", "list", "--data-dir", copy, "--json"]).status == 0)
        let plain = Date().timeIntervalSince(plainStart)

        // Even rounds start from the old schema and kill within the span of a plain open, where
        // the migration runs; odd rounds reopen the file where the last kill left it and kill at
        // any moment of a whole open. An open that got to the end is checked against the original.
        var seen: [Stage: Int] = [:]
        for round in 0..<rounds {
            if round.isMultiple(of: 2), try Self.stage(hub) != .notMigrated { try Self.downgrade(hub) }
            let process = Process()
            process.executableURL = cli.executable
            process.arguments = ["matter", "list", "--data-dir", hub, "--json"]
            process.environment = ProcessInfo.processInfo.environment.merging(cli.environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The random moment of the kill is what this test varies: a wait for nothing.
            let moment = Double.random(in: 0...(round.isMultiple(of: 2) ? plain : whole), using: &random)
            try await Task.sleep(for: .milliseconds(Int64(moment * 1000)))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let stage = try Self.stage(hub)
            seen[stage, default: 0] += 1
            let integrity = try CrashTests.sqlite(hub, "PRAGMA integrity_check")
            #expect(integrity == "ok", "seed \(seed), round \(round) (\(stage.rawValue)): \(integrity)")
            if stage == .done {
                #expect(try CrashTests.sqlite(hub, matters) == before.matters, "seed \(seed), round \(round)")
            }
        }

        // An open that is let finish completes the migration and the refold: nothing lost.
        let finished = try cli.run(["matter", "list", "--data-dir", hub, "--json"])
        #expect(finished.status == 0, "seed \(seed): \(finished.stderr)")
        #expect(try Self.stage(hub) == .done)
        #expect(try CrashTests.sqlite(hub, "SELECT count(*) FROM events") == events)
        #expect(try CrashTests.sqlite(hub, matters) == before.matters, "seed \(seed)")
        #expect(try digest() == before.digest, "seed \(seed)")
        #expect(try CrashTests.sqlite(hub, "PRAGMA integrity_check") == "ok")
        let audit = try cli.run(["audit", "verify", "--data-dir", hub])
        #expect(audit.status == 0, "seed \(seed): \(audit.stdout)")
        print(
            "kill during migration: seed \(seed), \(rounds) kills within \(String(format: "%.2f", plain)) s or "
                + "\(String(format: "%.2f", whole)) s; "
                + Stage.allCases.map { "\($0.rawValue): \(seen[$0, default: 0])" }.joined(separator: ", "))
    }

    @Test(
        "a kill at each crash point of an open leaves the step before it whole",
        arguments: [
            (CrashPoint.migrationApplied, Stage.notMigrated), (.migrationCommitted, .refoldPending),
            (.refoldApplied, .refoldPending),
        ])
    func killAtCrashPoint(_ point: CrashPoint, leaves expected: Stage) throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let hub = try Self.hub(in: folder, matters: 200)
        let cli = Self.cli
        let matters = "SELECT group_concat(id || ':' || digest, ' ') FROM (SELECT * FROM matters ORDER BY id)"
        let before = try CrashTests.sqlite(hub, matters)
        try Self.downgrade(hub)

        let armed = CommandRunner(
            environment: cli.environment.merging([CrashPoint.environmentKey: point.rawValue]) { $1 })
        let killed = try armed.run(["matter", "list", "--data-dir", hub, "--json"])
        #expect(killed.status == SIGKILL, "\(point.rawValue): \(killed.status) \(killed.stderr)")
        #expect(killed.stderr.contains("reached \(point.rawValue)"), "\(killed.stderr)")
        #expect(try Self.stage(hub) == expected, "\(point.rawValue)")
        #expect(try CrashTests.sqlite(hub, "PRAGMA integrity_check") == "ok", "\(point.rawValue)")

        let finished = try cli.run(["matter", "list", "--data-dir", hub, "--json"])
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(try Self.stage(hub) == .done)
        #expect(try CrashTests.sqlite(hub, matters) == before, "\(point.rawValue)")
        let audit = try cli.run(["audit", "verify", "--data-dir", hub])
        #expect(audit.status == 0, "\(point.rawValue): \(audit.stdout)")
    }

    static let cli = CommandRunner(environment: ["COURTSYNC_NODES_DIR": Fixtures.nodesFolder.path])

    /// A hub and two courts on disk in `folder`; the hub's replica holds `matters` matters.
    /// Returns the hub's data directory.
    static func hub(in folder: TemporaryDirectory, matters: Int) throws -> String {
        let network = try DemoNetwork.create(
            in: folder.url, courts: [Fixtures.code("京0105"), Fixtures.code("粤0106")],
            basePort: FreePort.block(count: 3), reference: ReferenceData(folder: Fixtures.nodesFolder), clock: nil,
            suite: .ed25519)
        try fill(network, matters: matters)
        return network.hub.dataDirectory.path
    }

    /// Stores `matters` matters sent 京0105 → 粤0106, signed and completed, at the hub.
    static func fill(_ network: DemoNetwork, matters: Int) throws {
        func node(_ member: DemoNetwork.Member) throws -> CourtNode {
            try CourtNode(dataDirectory: member.dataDirectory, time: SystemTimeSource())
        }
        let (hub, from, to) = (try node(network.hub), try node(network.courts[0]), try node(network.courts[1]))
        defer { for each in [hub, from, to] { try? each.close() } }
        let now = SystemTimeSource().now()
        let bulk = try BenchEvents.make(
            matters: matters, from: from, to: to, start: now.adding(milliseconds: -30 * 86_400_000), spacing: 60_000)
        let report = try hub.replica.write { transaction in
            try transaction.append(bulk.events, origin: .remote, now: now)
        }
        guard report.stored == bulk.events.count else {
            throw DaemonError(message: "the hub stored \(report.stored) of \(bulk.events.count) events")
        }
    }

    /// Turns a current replica back into what the build before schema v5 left, with every matter
    /// awaiting a refold (as after a change of the fold rules).
    static func downgrade(_ dataDirectory: String) throws {
        let sql = """
            BEGIN;
            DROP INDEX matters_by_sent; DROP INDEX events_by_stored; DROP INDEX events_by_origin;
            DROP TABLE node_contacts;
            ALTER TABLE matters DROP COLUMN received_at;
            DELETE FROM grdb_migrations WHERE identifier = 'v5-monitoring';
            UPDATE matters SET digest = '';
            COMMIT;
            """
        let output = try CrashTests.sqlite(dataDirectory, sql)
        guard output.isEmpty else { throw DaemonError(message: "downgrade: \(output)") }
    }

    /// The stage a replica is at. Anything between two stages (a half-made schema, some matters
    /// refolded and others not) fails the test.
    static func stage(_ dataDirectory: String) throws -> Stage {
        let row = try CrashTests.sqlite(
            dataDirectory,
            """
            SELECT (SELECT count(*) FROM grdb_migrations WHERE identifier = 'v5-monitoring')
                || ',' || (SELECT count(*) FROM sqlite_master WHERE name IN ('node_contacts', 'matters_by_sent',
                    'events_by_stored', 'events_by_origin'))
                || ',' || (SELECT count(*) FROM pragma_table_info('matters') WHERE name = 'received_at')
                || ',' || (SELECT count(*) FROM matters WHERE digest = '')
                || ',' || (SELECT count(*) FROM matters)
            """)
        let parts = row.split(separator: ",").compactMap { Int($0) }
        guard parts.count == 5 else { throw DaemonError(message: "cannot read the stage: \(row)") }
        let (migration, objects, column, stale, total) = (parts[0], parts[1], parts[2], parts[3], parts[4])
        switch (migration, objects, column, stale) {
        case (0, 0, 0, total): return .notMigrated
        case (1, 4, 1, total): return .refoldPending
        case (1, 4, 1, 0): return .done
        default: throw DaemonError(message: "a half-done step: \(row) (v5, objects, column, stale, matters)")
        }
    }
}
