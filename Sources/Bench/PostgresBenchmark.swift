import Entrustment
import Foundation
import Logging
import Node
import PostgresNIO
import PostgresStore
import Replica
import SyncEngine
import SyncProtocol

/// h. The hub on PostgreSQL (`docs/postgres.md`): the same change sets as (a) pushed through the
/// whole pipeline into a hub whose replica is kept in a PostgreSQL store, with one process and
/// with two (each half of the matters pushed to its own process at once), beside PostgreSQL's own
/// insert of the same rows the same way (the store's ceiling on this machine). Each run gets a
/// database of its own on `server`, dropped afterwards.
enum PostgresBenchmark {
    struct Result {
        var oneProcess: Double
        var twoProcesses: Double
        var rawInsert: Double
    }

    /// `hub` is a fresh hub's data directory, copied for each run; `server` a role that may create
    /// databases.
    static func run(
        bulk: BenchEvents, batch: Int, hub: URL, sender: CourtNode, server: PostgresLocation, passwordFile: String?,
        scratch: URL
    ) async throws -> Result {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let admin = try PostgresPool(
            location: server, passwordFile: passwordFile, maximumConnections: 2, logger: logger)
        return try await withThrowingTaskGroup(of: Result?.self) { group in
            group.addTask {
                await admin.run()
                return nil
            }
            defer { group.cancelAll() }
            func database(_ name: String) async throws -> SharedStoreBinding {
                try await admin.withConnection { connection in
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name)"), logger: logger)
                    try await connection.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
                }
                var location = server
                location.database = name
                return SharedStoreBinding(location: location.description, passwordFile: passwordFile)
            }
            func drop(_ name: String) async {
                _ = try? await admin.withConnection { connection in
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
                }
            }
            let names = ["courtsync_bench_one", "courtsync_bench_two", "courtsync_bench_raw"]
            do {
                let result = try await measure(database: database)
                for name in names { await drop(name) }
                return result
            } catch {
                for name in names { await drop(name) }
                throw error
            }
        }
        func measure(database: (String) async throws -> SharedStoreBinding) async throws -> Result {
            // One process.
            let one = try await database("courtsync_bench_one")
            let single = try copyHub(hub, to: scratch.appendingPathComponent("pg-hub-1"), store: one)
            let oneSeconds = try await push(
                [try bulk.changeSets(of: batch, sender: sender)], into: [single], sender, logger)
            try single.close()

            // Two processes, half of the matters each, at once.
            let two = try await database("courtsync_bench_two")
            let first = try copyHub(hub, to: scratch.appendingPathComponent("pg-hub-2a"), store: two)
            let secondDirectory = scratch.appendingPathComponent("pg-hub-2b")
            _ = try CourtNode.joinStore(dataDirectory: secondDirectory, hub: first.dataDirectory, binding: two)
            let second = try CourtNode(dataDirectory: secondDirectory, time: SystemTimeSource())
            let halves = [0, 1].map { half in
                let events = bulk.events.filter { $0.matterID.sequence % 2 == half }
                return BenchEvents(events: events, matters: Set(events.map(\.matterID)).count)
            }
            let twoSeconds = try await push(
                try halves.map { try $0.changeSets(of: batch, sender: sender) }, into: [first, second], sender, logger)
            try first.close()
            try second.close()

            let raw = try await rawInsert(
                bulk.events, batch: batch, database: try await database("courtsync_bench_raw"), logger: logger)
            let count = Double(bulk.events.count)
            return Result(oneProcess: count / oneSeconds, twoProcesses: count / twoSeconds, rawInsert: count / raw)
        }
    }

    /// A copy of the fresh hub in `directory`, moved into `store`.
    private static func copyHub(_ hub: URL, to directory: URL, store: SharedStoreBinding) throws -> CourtNode {
        try FileManager.default.copyItem(at: hub, to: directory)
        for leftover in ["daemon.json", "daemon.lock", "serve.log"] {
            try? FileManager.default.removeItem(at: directory.appendingPathComponent(leftover))
        }
        let node = try CourtNode(dataDirectory: directory, time: SystemTimeSource())
        let moved = try node.moveToStore(store)
        guard moved.verified else { throw NodeError(code: "benchFailed", "the store does not hold the hub's copy") }
        return node
    }

    /// Seconds to push each list of sets into its hub process, all lists at once.
    private static func push(
        _ lists: [[[UInt8]]], into hubs: [CourtNode], _ sender: CourtNode, _ logger: Logger
    ) async throws -> Double {
        let requester = Requester(court: sender.identity.court, node: sender.identity.node)
        let responders = hubs.map { hub in
            SyncResponder(
                node: hub, config: NodeConfig(role: .hub, court: CourtCode.supreme.rawValue),
                notifier: ChangeNotifier(), logger: logger)
        }
        let expected = try lists.flatMap { $0 }.reduce(0) {
            $0 + (try ChangeSetCodec.decode($1, suite: .ed25519).events.count)
        }
        var stored = 0
        let seconds = try await Stopwatch.time {
            stored = try await withThrowingTaskGroup(of: Int.self) { group in
                for (sets, responder) in zip(lists, responders) {
                    group.addTask {
                        var stored = 0
                        for set in sets { stored += try await responder.push(from: requester, body: set).stored }
                        return stored
                    }
                }
                return try await group.reduce(0, +)
            }
        }
        guard stored == expected else {
            throw NodeError(code: "benchFailed", "the hub processes stored \(stored) of \(expected) events")
        }
        return seconds
    }

    /// Seconds for PostgreSQL to insert the events' rows, `batch` a statement, each batch its own
    /// transaction, the same way the store writes them (JSON through `jsonb_populate_recordset`).
    private static func rawInsert(
        _ events: [Event], batch: Int, database: SharedStoreBinding, logger: Logger
    ) async throws -> Double {
        let store = try PostgresSharedStore.open(database, logger: logger)
        defer { store.close() }
        let table = MirroredTable(
            name: "raw_events",
            columns: [
                .init(name: "arrival_seq", type: .integer), .init(name: "id", type: .text),
                .init(name: "matter_id", type: .text), .init(name: "encoded", type: .blob),
                .init(name: "signature", type: .blob),
            ],
            primaryKey: ["arrival_seq"])
        try store.prepare([table], schema: "bench")
        return try await Blocking.run {
            try Stopwatch.time {
                var sequence: Int64 = 0
                var version: Int64 = 0
                for start in stride(from: 0, to: events.count, by: batch) {
                    let rows = events[start..<min(events.count, start + batch)].map { event -> [StoredValue] in
                        sequence += 1
                        return [
                            .integer(sequence), .text(event.id.hex), .text(event.matterID.rawValue),
                            .blob(event.encoded), .blob(event.signature ?? []),
                        ]
                    }
                    version = try store.lock() + 1
                    try store.put(rows, into: table, version: version)
                    try store.commit(version: version, tables: [table.name])
                }
            }
        }
    }
}
