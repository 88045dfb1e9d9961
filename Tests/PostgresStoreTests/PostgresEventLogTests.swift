import Foundation
import Logging
import PostgresNIO
import PostgresStore
import Synchronization
import Testing

private let log = PostgresEventLog()
private let logger = TestDatabase.logger

private func row(_ id: String, matter: String = "京0105-2026-000001") -> PostgresEventLog.Row {
    PostgresEventLog.Row(
        id: id, matterID: matter, kind: "create", author: "京0105", origin: "node-a", hlcWall: 1_764_000_000_000,
        hlcCounter: 0, recordedAt: "2026-12-03T09:00:00+08:00", parents: "", storedAt: "2026-12-03T09:00:01+08:00",
        encoded: Array("event \(id)".utf8))
}

private func append(_ ids: [String], to database: PostgresPool) async throws -> [Int64] {
    try await database.transaction { try await log.append(ids.map { row($0) }, on: $0, logger: logger) }
}

/// The event log several hub processes append to (`docs/postgres.md`), on a real PostgreSQL
/// cluster, a database per test.
@Suite("the hub's event log on PostgreSQL")
struct PostgresEventLogTests {
    @Test("migrations run once, in order, and a database from a newer courtsync is refused unchanged")
    func migrations() async throws {
        try await TestDatabase.with { database in
            // Two processes starting at once: one applies the steps, the other finds them done.
            async let first = PostgresSchema.migrate(database)
            async let second = PostgresSchema.migrate(database)
            let found = try await [first, second].sorted()
            #expect(found == [0, PostgresSchema.currentVersion])
            #expect(try await PostgresSchema.migrate(database) == PostgresSchema.currentVersion)
            try await database.withConnection {
                try await $0.query("UPDATE courtsync_schema SET version = 99", logger: logger)
            }
            await #expect {
                try await PostgresSchema.migrate(database)
            } throws: { error in
                (error as? PostgresStoreError)?.code == "schemaTooNew"
                    && (error as? PostgresStoreError)?.message.contains("version 99") == true
            }
        }
    }

    @Test("an append stores each new id once, numbered after the head; what the log holds comes back in order")
    func appendDeduplicates() async throws {
        try await TestDatabase.with { database in
            try await PostgresSchema.migrate(database)
            #expect(try await append(["a", "b", "a"], to: database) == [1, 2])
            #expect(try await append(["b", "c"], to: database) == [3])
            #expect(try await append(["c"], to: database) == [])
            let rows = try await database.withConnection {
                try await log.rows(after: 0, limit: 10, on: $0, logger: logger)
            }
            #expect(rows.map(\.sequence) == [1, 2, 3])
            #expect(rows.map(\.row) == ["a", "b", "c"].map { row($0) })
            let after = try await database.withConnection {
                try await log.rows(after: 2, limit: 10, on: $0, logger: logger)
            }
            #expect(after.map(\.row.id) == ["c"])
            #expect(try await database.withConnection { try await log.head(on: $0, logger: logger) } == 3)
        }
    }

    @Test("while one append is uncommitted, another waits for it: a reader never sees a later number before an earlier")
    func commitOrder() async throws {
        try await TestDatabase.with { database in
            try await PostgresSchema.migrate(database)
            let (paused, pause) = AsyncStream.makeStream(of: Void.self)
            let (resumed, resume) = AsyncStream.makeStream(of: Void.self)
            // The first append holds its transaction open after numbering its events.
            async let first: [Int64] = database.transaction { connection in
                let sequences = try await log.append([row("first-1"), row("first-2")], on: connection, logger: logger)
                pause.yield()
                for await _ in resumed { break }
                return sequences
            }
            for await _ in paused { break }
            // A second process appends meanwhile: it must wait on the counter's lock.
            async let second = append(["second-1"], to: database)
            let waiting = try await eventually {
                try await database.withConnection { connection in
                    var count = 0
                    for try await value in try await connection.query(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
                        logger: logger
                    ).decode(Int.self) {
                        count = value
                    }
                    return count == 1
                }
            }
            #expect(waiting, "the second append waits for the first to commit")
            // Meanwhile a reader sees nothing: no number is visible before the ones below it.
            let early = try await database.withConnection {
                try await log.rows(after: 0, limit: 10, on: $0, logger: logger)
            }
            #expect(early.isEmpty)
            resume.yield()
            #expect(try await first == [1, 2])
            #expect(try await second == [3])
        }
    }

    @Test("concurrent appends through two pools never let a reader's cursor skip an event")
    func concurrentAppendsNeverSkip() async throws {
        let seed = UInt64.random(in: 1...UInt64(1 << 40))
        print("concurrentAppendsNeverSkip: seed \(seed)")
        try await TestDatabase.with { database in
            try await PostgresSchema.migrate(database)
            let location = database.location
            let done = Atomic<Bool>(false)
            // The reader: pulls after its cursor as a court does, as fast as it can.
            async let pulled: [String] = {
                var cursor: Int64 = 0
                var ids: [String] = []
                while true {
                    let finished = done.load(ordering: .acquiring)
                    let rows = try await database.withConnection {
                        try await log.rows(after: cursor, limit: 50, on: $0, logger: logger)
                    }
                    for (sequence, row) in rows {
                        #expect(sequence == cursor + 1, "seed \(seed): after \(cursor) came \(sequence)")
                        cursor = sequence
                        ids.append(row.id)
                    }
                    if finished && rows.isEmpty { return ids }
                }
            }()
            // Two writer "processes" (pools of their own), four appenders each, overlapping ids.
            var written: Set<String> = []
            try await withThrowingTaskGroup(of: [String].self) { group in
                for process in 0..<2 {
                    group.addTask {
                        try await TestDatabase.withPool(location) { pool in
                            try await withThrowingTaskGroup(of: [String].self) { appenders in
                                for appender in 0..<4 {
                                    appenders.addTask {
                                        var generator = SplitMix(seed: seed &+ UInt64(process * 4 + appender))
                                        var ids: [String] = []
                                        for _ in 0..<25 {
                                            let batch = (0..<Int(generator.next() % 8 + 1)).map { _ in
                                                "e\(generator.next() % 600)"
                                            }
                                            _ = try await append(batch, to: pool)
                                            ids += batch
                                        }
                                        return ids
                                    }
                                }
                                return try await appenders.reduce(into: []) { $0 += $1 }
                            }
                        }
                    }
                }
                for try await ids in group { written.formUnion(ids) }
            }
            done.store(true, ordering: .releasing)
            let ids = try await pulled
            #expect(ids.count == Set(ids).count, "seed \(seed): an event was pulled twice")
            #expect(Set(ids) == written, "seed \(seed): \(written.subtracting(ids).count) events were skipped")
            #expect(
                try await database.withConnection { try await log.head(on: $0, logger: logger) } == Int64(written.count)
            )
        }
    }

    @Test("a listener hears every process's commits, and after losing its connection reconnects and says so")
    func listenerWakes() async throws {
        try await TestDatabase.with { database in
            try await PostgresSchema.migrate(database)
            let (heard, hear) = AsyncStream.makeStream(of: Int64?.self)
            let listener = PostgresChangeListener(database: database, logger: logger)
            let listening = Task { await listener.run { hear.yield($0) } }
            defer { listening.cancel() }
            let listenerPID = {
                try await database.withConnection { connection in
                    var pid: Int32?
                    for try await value in try await connection.query(
                        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'",
                        logger: logger
                    ).decode(Int32.self) {
                        pid = value
                    }
                    return pid
                }
            }
            #expect(try await eventually { try await listenerPID() != nil })
            var iterator = heard.makeAsyncIterator()
            try await TestDatabase.withPool(database.location) { other in
                _ = try await append(["x", "y"], to: other)
            }
            #expect(await iterator.next() == .some(2))
            // Its connection is cut (as a PostgreSQL restart would): it reconnects and reports.
            let pid = try #require(try await listenerPID())
            try await database.withConnection {
                try await $0.query("SELECT pg_terminate_backend(\(pid))", logger: logger)
            }
            #expect(await iterator.next() == .some(nil), "a change is reported after reconnecting")
            _ = try await append(["z"], to: database)
            #expect(await iterator.next() == .some(3))
        }
    }
}

/// Polls `condition` every 20 ms for up to `seconds`.
func eventually(within seconds: Double = 30, _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

/// A small seeded generator (SplitMix64) for reproducible workloads.
struct SplitMix {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
