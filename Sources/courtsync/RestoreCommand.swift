import ArgumentParser
import Daemon
import Entrustment
import Foundation
import Node
import SyncEngine

/// `courtsync restore`: puts a node back from a backup file.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "恢复 — put a node back from a `courtsync backup` file.",
        discussion: """
            Unpacks the backup beside DATA_DIR and checks it whole before anything changes: every entry against the manifest's size and SHA-256, SQLite's integrity check, the replica's node, every document against its hash, and the key against the replica. Then the data directory is replaced: it must be empty or absent, or with --force its contents are moved aside to DATA_DIR.replaced-TIMESTAMP (never deleted). Refused while a daemon runs on DATA_DIR.

            The key: the one in the backup (made with --include-key), else --key-file, else the node.key already in DATA_DIR.

            After a restore, start the daemon (or run `courtsync sync`): the node asks the hub for every event it had sent since the backup — its own acts included, which a pull otherwise leaves out — and tells its peers it was restored, so that they send again what it had acknowledged. `courtsync peers` and `courtsync doctor` show the links still catching up.
            """)

    @OptionGroup var node: NodeOptions
    @Argument(help: "The backup file (from `courtsync backup`).") var file: String
    @Option(name: .customLong("key-file"), help: "The node's key (node.key), when the backup does not hold it.")
    var keyFile: String?
    @Flag(name: .long, help: "Restore over a data directory that is not empty (its contents are moved aside).")
    var force = false
    @OptionGroup var output: OutputOptions

    struct View: Encodable {
        var court: String
        var node: String
        var backupCreatedAt: String
        var events: Int
        var documents: Int
        var missingDocuments: Int
        var restoreID: String
        var replacedTo: String?
    }

    func run() throws {
        try reporting(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            // Hold the daemon's lock throughout: no daemon runs now, and none starts mid-restore.
            var lock: Int32 = -1
            if FileManager.default.fileExists(atPath: dataDirectory.path) {
                do throws(NodeError) {
                    lock = try DaemonRecord.lock(dataDirectory)
                } catch {
                    throw NodeError(
                        code: "daemonRunning", "\(error.message): stop it first (systemctl stop courtsync@…)")
                }
            }
            defer { if lock >= 0 { close(lock) } }
            let result = try NodeRestore.restore(
                URL(fileURLWithPath: file), into: dataDirectory, keyFile: keyFile.map { URL(fileURLWithPath: $0) },
                force: force, time: .fromEnvironment(dataDirectory: dataDirectory))
            let manifest = result.manifest
            let view = View(
                court: manifest.court, node: manifest.node, backupCreatedAt: manifest.createdAt,
                events: manifest.events, documents: manifest.documents - result.missingDocuments,
                missingDocuments: result.missingDocuments, restoreID: result.restoreID,
                replacedTo: result.replacedTo?.path)
            if output.json {
                printJSON(view)
                return
            }
            var fields: [(String, String)] = [
                ("节点", "\(view.court) \(view.node)"),
                ("备份时间", view.backupCreatedAt),
                ("事件", "\(view.events)"),
                (
                    "文书",
                    "\(view.documents) 份" + (view.missingDocuments > 0 ? "（缺 \(view.missingDocuments) 份，同步时补取）" : "")
                ),
                ("恢复标识", view.restoreID),
            ]
            if let replaced = view.replacedTo { fields.append(("原目录移至", replaced)) }
            fields.append(("下一步", "启动守护进程或运行 courtsync sync：备份后本院发出的事件将从最高法取回"))
            print(renderFields(fields))
        }
    }
}
