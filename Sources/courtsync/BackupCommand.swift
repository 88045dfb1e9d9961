import ArgumentParser
import Entrustment
import Foundation
import Node
import SyncEngine

/// `courtsync backup`: a consistent copy of a node, taken while its daemon runs.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "备份 — copy a node (replica, documents, settings) into one file while its daemon runs.",
        discussion: """
            Takes a consistent copy of the replica with SQLite's online backup (the daemon keeps serving), then adds the documents the copy records as held (DATA_DIR/documents), node.json, clock.json and the TLS certificate and trust roots node.json names inside the data directory. The file is a tar archive (`tar -tvf FILE` lists it) ending with courtsync-backup.json, which lists every entry's size and SHA-256; it appears only when complete and is readable by its owner only.

            The node's private key (node.key, and a TLS private key inside the data directory) is left out unless --include-key: keep the key apart, as the court's CA or security officer requires, and give it to `courtsync restore --key-file`. A backup holding the key lets whoever reads it sign as this court.

            Restore with `courtsync restore --data-dir D FILE` (docs/operations.md). A hub whose replica is kept in PostgreSQL is backed up with pg_dump instead (docs/postgres.md).
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "The backup file to write (must not exist).") var out: String
    @Flag(
        name: .customLong("include-key"),
        help: "Also copy the node's private key (and a TLS key in the data directory).")
    var includeKey = false
    @OptionGroup var output: OutputOptions

    struct View: Encodable {
        var file: String
        var court: String
        var node: String
        var head: Int64
        var events: Int
        var documents: Int
        var bytes: Int64
        var includesKey: Bool
        var missingDocuments: [String]
    }

    func run() throws {
        try reporting(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            let config = try NodeConfig.load(from: dataDirectory)
            if config.store != nil {
                throw NodeError(
                    code: "sharedStore",
                    "this hub's replica is kept in PostgreSQL: back up the database with pg_dump (docs/postgres.md)")
            }
            var files = [NodeConfig.fileName, NodeClockFile.fileName]
            if let tls = config.tls {
                files += [tls.certificate, tls.trustRoots].compactMap { $0 }.filter { !$0.hasPrefix("/") }
                if includeKey, let key = tls.privateKey, !key.hasPrefix("/") { files.append(key) }
            }
            if includeKey {
                files.append(NodeKeyFile.fileName)
                FileHandle.standardError.write(
                    Data(
                        "courtsync: warning: the backup holds the node's private key: whoever reads it can sign as this court. Keep it encrypted and apart.\n"
                            .utf8))
            }
            let target = URL(fileURLWithPath: out)
            let result = try withRawNode(dataDirectory) { court in
                try NodeBackup.write(
                    court, files: files, to: target, includesKey: includeKey, software: SyncWire.software)
            }
            let manifest = result.manifest
            let view = View(
                file: target.path, court: manifest.court, node: manifest.node, head: manifest.head,
                events: manifest.events, documents: manifest.documents,
                bytes: manifest.files.reduce(0) { $0 + $1.size }, includesKey: includeKey,
                missingDocuments: result.missingDocuments)
            if output.json {
                printJSON(view)
            } else {
                print(
                    renderFields([
                        ("备份文件", view.file),
                        ("节点", "\(view.court) \(view.node)"),
                        ("事件", "\(view.events)（到达序号 \(view.head)）"),
                        ("文书", "\(view.documents) 份"),
                        ("大小", DocumentSize.text(Int(view.bytes))),
                        ("私钥", includeKey ? "已包含（请加密另存）" : "未包含：恢复时用 --key-file 提供"),
                    ]))
            }
            if !result.missingDocuments.isEmpty {
                FileHandle.standardError.write(
                    Data(
                        "courtsync: warning: \(result.missingDocuments.count) documents the replica records were not on disk and are not in the backup (`courtsync audit verify` lists them)\n"
                            .utf8))
            }
        }
    }
}

/// Opens the node in `dataDirectory` without the writes `NodeOptions.withNode` makes first
/// (settling lapsed supplements): for commands that must only read it.
func withRawNode<T>(_ dataDirectory: URL, _ body: (CourtNode) throws -> T) throws -> T {
    let node = try CourtNode(dataDirectory: dataDirectory, time: .fromEnvironment(dataDirectory: dataDirectory))
    defer { try? node.close() }
    return try body(node)
}
