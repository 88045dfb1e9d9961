import Entrustment
import Foundation
import GRDB
import Synchronization

/// A node's SQLite replica (`DATA_DIR/replica.sqlite`): its identity, the court directory and
/// holiday calendar it works with, every event it holds, and the matters folded from them.
///
/// One `DatabasePool` (WAL mode: one writer, concurrent readers) per process. Every write goes
/// through ``write(_:)`` in one transaction, so an append either completes with the matters it
/// touches or leaves the file as it was.
public final class Replica: Sendable {
    /// The database file's name inside a data directory.
    public static let fileName = "replica.sqlite"

    let pool: DatabasePool
    /// Who this node is.
    public let identity: NodeIdentity
    /// The network's signature suite: how events are named and signed, and change sets checked.
    public let suite: SignatureSuite
    /// The id of this replica's latest restore from a backup when it was opened (`nil`: never
    /// restored; a restore happens with no process holding the replica open).
    public let restoreID: String?
    /// The holiday calendar this node was initialised with (`Nodes/calendar.json`): what the hub
    /// publishes as calendar version 1. Deadlines are computed with the hub's signed calendar
    /// (``calendars()``), never with this.
    public let seedCalendar: HolidayCalendar
    /// The deadline policy this node was initialised with: the hub publishes it with version 1.
    public let seedDeadlinePolicy: DeadlinePolicy
    /// The courts and keys in force: from `Nodes/courts.json` at init, then from each signed
    /// directory installed. Reloaded when another process (the CLI beside a daemon) installs one.
    let trust: Mutex<TrustState>
    /// On the hub: signs the witnesses its replica makes.
    /// Boxed: a closure read out of a `Mutex` by `withLock` is re-wrapped in conversion thunks at
    /// every access, which nest until calling it overflows the stack; a class reference is not.
    private let witnessSigning = Mutex<WitnessSigner?>(nil)
    /// Whether this process is the node's running daemon (``markServing()``).
    private let serving = Mutex(false)
    /// Other nodes' requests not yet written to `node_contacts`.
    let contactBuffer = Mutex(ContactBuffer())
    /// The highest arrival sequence committed, as this process knows it (``knownHead``).
    private let committedHead: Atomic<Int64>
    /// The shared store this replica's writes go through, when it is one of a hub's processes.
    let sharing = Mutex<SharedStoreLink?>(nil)

    private init(pool: DatabasePool) throws(ReplicaError) {
        self.pool = pool
        do {
            let loaded = try pool.read { db in try Self.loadSettings(db) }
            (identity, seedCalendar, seedDeadlinePolicy) = loaded
            suite = try pool.read { db in try Self.suite(db) }
            restoreID = try pool.read { db in try Self.restoreID(db) }
            trust = Mutex(try pool.read { db in try TrustState.load(db) })
            committedHead = Atomic(try pool.read { db in try Self.head(db) })
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw ReplicaError(.corrupt, "cannot read the replica's settings: \(Self.describe(error))")
        }
    }

    /// Creates a new replica file and records the node's identity, directory, calendar and policy.
    /// `publicKey` is this node's public key (hex) in the network's `suite`; `hubKey` the hub's,
    /// pinned now (`nil` until the first registration if `trustHubOnFirstUse`).
    public static func create(
        at path: String, identity: NodeIdentity, suite: SignatureSuite, directory: CourtDirectory,
        calendar: HolidayCalendar,
        deadlinePolicy: DeadlinePolicy, publicKey: String, hubKey: String?, trustHubOnFirstUse: Bool = false,
        now: Timestamp
    ) throws(ReplicaError) -> Replica {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(.alreadyInitialised, "a replica already exists at \(path)")
        }
        guard directory.contains(identity.court) else {
            throw ReplicaError(.rejectedEvent, "court \(identity.court) is not in the court directory")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator.migrate(pool)
            try pool.write { db in
                let policy = String(decoding: try JSONEncoder().encode(deadlinePolicy), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO node (id, court_code, node_id, created_at, hlc_wall, hlc_counter, deadline_policy,
                            public_key, hub_key, trust_hub_on_first_use, suite)
                        VALUES (1, ?, ?, ?, 0, 0, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        identity.court.rawValue, identity.node.rawValue, now.rfc3339, policy, publicKey, hubKey,
                        trustHubOnFirstUse, suite.rawValue,
                    ])
                try storeDirectory(directory, in: db)
                try storeCalendar(calendar, in: db)
            }
            return try Replica(pool: pool)
        } catch let error as ReplicaError {
            throw error
        } catch {
            try? FileManager.default.removeItem(atPath: path)
            throw ReplicaError(.storage, "cannot create the replica at \(path): \(describe(error))")
        }
    }

    /// Opens an existing replica, applying any pending schema migrations. A replica bound to a
    /// shared store is connected to it with `store` and brought up to its version (refused
    /// without `store`).
    public static func open(at path: String, store: SharedStoreOpener? = nil) throws(ReplicaError) -> Replica {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReplicaError(.notInitialised, "no replica at \(path): run `courtsync init` first")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = Schema.migrator
            if try pool.read({ db in try migrator.hasBeenSuperseded(db) }) {
                let unknown = try pool.read { db in
                    try migrator.appliedIdentifiers(db).subtracting(migrator.migrations).sorted()
                }
                try? pool.close()
                throw ReplicaError(
                    .newerSchema,
                    "the replica at \(path) was upgraded by a newer courtsync (schema \(unknown.joined(separator: ", "))): run that release, or restore the backup taken before the upgrade (docs/operations.md)"
                )
            }
            if try pool.read({ db in try !migrator.hasCompletedMigrations(db) }) {
                try migrator.migrate(pool)
                CrashPoint.migrationCommitted.reached()
            }
            let replica = try Replica(pool: pool)
            do {
                try replica.connectSharedStore(using: store)
            } catch {
                try? replica.close()
                throw error
            }
            try replica.refoldStaleMatters()
            return replica
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw ReplicaError(
                isStorageFailure(error) ? .storage : .corrupt, "cannot open the replica at \(path): \(describe(error))")
        }
    }

    /// Refolds the matters a migration left without a digest (the fold rules changed), in one
    /// transaction. The lookup uses the partial index `matters_stale`, so on an up-to-date replica
    /// it reads nothing; a refold interrupted by a crash is finished at the next open.
    private func refoldStaleMatters() throws {
        let stale = try read { db in try String.fetchAll(db, sql: "SELECT id FROM matters WHERE digest = ''") }
        guard !stale.isEmpty else { return }
        let now = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        try write { transaction in
            for id in stale { try transaction.refold(try MatterID(id), now: now) }
            CrashPoint.refoldApplied.reached()
        }
    }

    /// Makes this the hub's replica: from now on every event it stores is witnessed, signed by
    /// `signer` (``Witness``).
    public func witness(with signer: @escaping WitnessSigning) {
        let box = WitnessSigner(sign: signer)
        witnessSigning.withLock { $0 = box }
    }

    /// The hub's witness signer, if this is the hub's replica.
    var witnessSigner: WitnessSigning? { witnessSigning.withLock { $0 }?.sign }

    /// Records that this process is the node's daemon, serving now: on the hub, its witnesses
    /// then count no downtime up to the present (``HubUptime``).
    public func markServing() { serving.withLock { $0 = true } }

    /// Whether this process is the node's running daemon.
    var isServing: Bool { serving.withLock { $0 } }

    /// Closes the database (checkpointing the WAL into the main file).
    public func close() throws(ReplicaError) {
        sharing.withLock { $0 }?.store.close()
        do {
            try pool.close()
        } catch {
            throw ReplicaError(.storage, "cannot close the replica: \(Self.describe(error))")
        }
    }

    /// Runs `body` in one write transaction: all of it is stored, or none of it.
    public func write<T>(_ body: (inout ReplicaTransaction) throws -> T) throws(ReplicaError) -> T {
        do {
            var head: Int64?
            let result = try pool.write { db in
                try withSharedStore(db) {
                    var transaction = try ReplicaTransaction(db: db, replica: self)
                    let result = try body(&transaction)
                    try transaction.finish()
                    head = transaction.head
                    return result
                }
            }
            if let head { committedHead.max(head, ordering: .relaxed) }
            return result
        } catch {
            throw Self.writeFailure(error)
        }
    }

    /// ``write(_:)`` through GRDB's async API, for callers on Swift's cooperative pool: the task
    /// suspends while GRDB's writer queue runs `body` in one transaction; no thread is held
    /// waiting for the writer meanwhile.
    public func write<T: Sendable>(
        _ body: @escaping @Sendable (inout ReplicaTransaction) throws -> T
    ) async throws(ReplicaError) -> T {
        do {
            let (result, head) = try await pool.write { db in
                try self.withSharedStore(db) {
                    var transaction = try ReplicaTransaction(db: db, replica: self)
                    let result = try body(&transaction)
                    try transaction.finish()
                    return (result, transaction.head)
                }
            }
            committedHead.max(head, ordering: .relaxed)
            return result
        } catch {
            throw Self.writeFailure(error)
        }
    }

    /// What a failed write throws: the replica's own refusal, a domain rule broken, or storage.
    static func writeFailure(_ error: any Error) -> ReplicaError {
        switch error {
        case let error as ReplicaError: error
        case let error as DomainError: ReplicaError(.rejectedEvent, error.message)
        default: ReplicaError(.storage, "the replica could not be written, nothing was stored: \(describe(error))")
        }
    }

    /// The highest arrival sequence committed, without reading the file: kept by every commit of
    /// this process, and by ``refreshKnownHead()`` for commits of other processes (the CLI beside
    /// a daemon). A long-poll whose cursor is there has nothing to read.
    public var knownHead: Int64 { committedHead.load(ordering: .relaxed) }

    /// Reads the head from the file (another process may have committed), keeps it if it is
    /// ahead of ``knownHead``, and returns the file's head.
    @discardableResult
    public func refreshKnownHead() throws(ReplicaError) -> Int64 {
        let head = try read { db in try Self.head(db) }
        committedHead.max(head, ordering: .relaxed)
        return head
    }

    /// Runs `body` with read access to a consistent snapshot.
    func read<T: Sendable>(_ body: (Database) throws -> T) throws(ReplicaError) -> T {
        do {
            return try pool.read(body)
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw ReplicaError(.storage, "the replica could not be read: \(Self.describe(error))")
        }
    }

    /// ``read(_:)`` through GRDB's async API: the task suspends while one of the pool's readers
    /// runs `body` on GRDB's queue.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(ReplicaError) -> T {
        do {
            return try await pool.read(body)
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw ReplicaError(.storage, "the replica could not be read: \(Self.describe(error))")
        }
    }

    static var configuration: Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(10)
        config.label = "CourtSync.Replica"
        // Every commit reaches the disk before it returns: a peer is told "stored" (and advances
        // its cursor) only after this, so an acknowledged event survives a power failure.
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        return config
    }

    /// A user-facing description of a storage error (never a raw `DatabaseError` dump). Failures of
    /// the disk or the file rather than of the data (full, read-only, I/O, cannot open, locked)
    /// say what the operator should do, before SQLite's own words.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        let sqlite = "SQLite error \(error.resultCode.rawValue): \(error.message ?? "\(error.resultCode)")"
        return switch error.resultCode {
        case .SQLITE_FULL:
            "the disk holding the replica is full; free space on it and try again (\(sqlite))"
        case .SQLITE_READONLY:
            "the replica cannot be written: its file or filesystem is read-only; mount it read-write or fix the file's permissions and try again (\(sqlite))"
        case .SQLITE_IOERR:
            "the disk holding the replica reported an I/O error; check the disk and the system log (\(sqlite))"
        case .SQLITE_BUSY:
            "the replica stayed locked by another process (the daemon or another command) for over 10 seconds; try again (\(sqlite))"
        case .SQLITE_CANTOPEN:
            "the replica's files cannot be opened: check that the data directory exists, is writable and its disk has space (\(sqlite))"
        default:
            sqlite
        }
    }

    /// Whether `error` is a failure of the disk or the files (full, read-only, I/O, cannot open,
    /// locked for longer than the busy timeout) rather than damaged data.
    static func isStorageFailure(_ error: any Error) -> Bool {
        guard let error = error as? DatabaseError else { return false }
        return [.SQLITE_FULL, .SQLITE_READONLY, .SQLITE_IOERR, .SQLITE_CANTOPEN, .SQLITE_BUSY].contains(
            error.resultCode)
    }

    /// The suite the `node` row records.
    static func suite(_ db: Database) throws -> SignatureSuite {
        let name = try String.fetchOne(db, sql: "SELECT suite FROM node WHERE id = 1") ?? ""
        guard let suite = SignatureSuite(rawValue: name) else {
            throw ReplicaError(.corrupt, "the replica names an unknown signature suite \"\(name)\"")
        }
        return suite
    }

    static func loadSettings(_ db: Database) throws -> (NodeIdentity, HolidayCalendar, DeadlinePolicy) {
        guard let node = try Row.fetchOne(db, sql: "SELECT court_code, node_id, deadline_policy FROM node WHERE id = 1")
        else {
            throw ReplicaError(.corrupt, "the replica has no node identity")
        }
        let identity = NodeIdentity(court: try CourtCode(node["court_code"]), node: try NodeID(node["node_id"]))
        let policy = try JSONDecoder().decode(DeadlinePolicy.self, from: Data((node["deadline_policy"] as String).utf8))
        var years: [HolidayCalendar.File.Year] = try Row.fetchAll(
            db, sql: "SELECT year, status FROM calendar_years ORDER BY year"
        )
        .map { HolidayCalendar.File.Year(year: $0["year"], status: $0["status"], holidays: [], workdays: []) }
        for row in try Row.fetchAll(db, sql: "SELECT date, is_workday, name FROM calendar_days ORDER BY date") {
            let day = HolidayCalendar.File.Day(date: try CivilDate(parsing: row["date"]), name: row["name"])
            guard let index = years.firstIndex(where: { $0.year == day.date.year }) else { continue }
            if row["is_workday"] as Bool {
                years[index].workdays.append(day)
            } else {
                years[index].holidays.append(day)
            }
        }
        return (identity, try HolidayCalendar(.init(years: years)), policy)
    }

    static func storeDirectory(_ directory: CourtDirectory, in db: Database) throws {
        try db.execute(sql: "UPDATE courts SET parent_code = NULL")
        try db.execute(sql: "DELETE FROM courts")
        // Superiors first, so that the foreign key to the parent holds.
        for court in directory.all.sorted(by: { $0.level < $1.level }) {
            try db.execute(
                sql: "INSERT INTO courts (code, name, level, province, parent_code) VALUES (?, ?, ?, ?, ?)",
                arguments: [
                    court.code.rawValue, court.name, court.level.rawValue, court.code.provinceName,
                    court.parent?.rawValue,
                ])
        }
    }

    private static func storeCalendar(_ calendar: HolidayCalendar, in db: Database) throws {
        for (year, status) in calendar.years {
            try db.execute(sql: "INSERT INTO calendar_years (year, status) VALUES (?, ?)", arguments: [year, status])
        }
        for day in calendar.listedDays {
            try db.execute(
                sql: "INSERT INTO calendar_days (date, is_workday, name) VALUES (?, ?, ?)",
                arguments: [day.date.description, day.isWorkday, day.name])
        }
    }
}
