import ArgumentParser
import Daemon
import Entrustment
import Foundation
import Node
import SyncEngine

/// `courtsync hub migrate`: moves a hub's SQLite replica into PostgreSQL, checks the copy, and
/// names the store in `node.json`.
struct HubMigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "迁移到 PostgreSQL — move the hub's replica into a PostgreSQL database and check the copy.",
        discussion: """
            Copies every table of the hub's replica into an empty PostgreSQL database (--to postgres://USER@HOST:PORT/DB, no password in the URL; the password from --password-file, else PGPASSFILE, else ~/.pgpass), then rebuilds a replica from the database alone and compares it with the hub's: the digest over every matter, and `audit verify` on both. On success the replica is bound to the database and node.json names it: from then on every write of every hub process goes through it (docs/postgres.md). Stop the hub's daemon first.
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "The PostgreSQL database to move the hub into: postgres://USER@HOST:PORT/DB (empty).")
    var to: String
    @Option(name: .customLong("password-file"), help: "The passfile (libpq's format, mode 0600) with the password.")
    var passwordFile: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            var config = try NodeConfig.load(from: dataDirectory)
            let store = NodeConfig.Store(url: to, passwordFile: passwordFile)
            var candidate = config
            candidate.store = store
            guard config.role == .hub else {
                throw NodeError(
                    code: "notHub", "only the hub's replica moves to PostgreSQL; a court's stays in its data directory")
            }
            try candidate.validateStore()
            if let record = DaemonRecord.running(in: dataDirectory) {
                throw NodeError(
                    code: "daemonRunning",
                    "the hub's daemon is running (pid \(record.pid)): stop it first, so that no write misses the move")
            }
            let moved = try node.withNode { hub in try hub.moveToStore(store.binding) }
            if moved.verified {
                config.store = store
                try config.save(to: dataDirectory)
            }
            if output.json {
                struct MoveView: Encodable {
                    var move: StoreMove
                    var verified: Bool
                }
                printJSON(MoveView(move: moved, verified: moved.verified))
            } else {
                print(
                    renderFields([
                        ("数据库", "PostgreSQL \(moved.store)"),
                        ("已复制", "\(moved.rows) 行（\(moved.matters) 件事项，\(moved.events) 个事件）"),
                        (
                            "摘要",
                            moved.digest == moved.storeDigest
                                ? "一致 \(moved.digest.prefix(16))"
                                : "不一致：本地 \(moved.digest.prefix(16))，数据库 \(moved.storeDigest.prefix(16))"
                        ),
                        (
                            "audit verify",
                            moved.auditFindings + moved.storeAuditFindings == 0
                                ? "两边均通过" : "本地 \(moved.auditFindings) 处、数据库 \(moved.storeAuditFindings) 处问题"
                        ),
                        ("结果", moved.verified ? "迁移完成，node.json 已写入 store" : "核对不一致：副本未改动，仍为本地 SQLite"),
                    ]))
            }
            guard moved.verified else {
                throw NodeError(
                    code: "storeMismatch",
                    "the database does not hold what the hub's replica holds: see docs/postgres.md")
            }
        }
    }
}
