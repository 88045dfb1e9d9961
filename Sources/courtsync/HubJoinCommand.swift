import ArgumentParser
import Entrustment
import Foundation
import Node
import SyncEngine

/// `courtsync hub join`: another process of a hub on PostgreSQL, in a new data directory.
struct HubJoinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "新增指挥中心进程 — make another process of a hub kept in PostgreSQL, in a new data directory.",
        discussion: """
            For a hub on PostgreSQL (courtsync hub migrate, or init --store): copies the hub's node.key and node.json from --from (the first hub's data directory; its daemon may keep running) and builds the new process's replica from the database alone. Then run `courtsync serve --data-dir NEW --listen HOST:PORT`, and list its URL in the courts' node.json. See docs/postgres.md.
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "The data directory of a process of the hub (its key and node.json are copied).")
    var from: String
    @Option(name: .long, help: "Where the new process listens, HOST:PORT (default: the copied node.json's).")
    var listen: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            let hub = URL(fileURLWithPath: from)
            var config = try NodeConfig.load(from: hub)
            guard config.role == .hub, let store = config.store else {
                throw NodeError(
                    code: "notShared",
                    "\(from) is not a hub kept in PostgreSQL: move it first with `courtsync hub migrate --to postgres://…`"
                )
            }
            if let listen {
                config.listen = listen
                _ = try config.listenAddress
            }
            let version = try CourtNode.joinStore(dataDirectory: dataDirectory, hub: hub, binding: store.binding)
            try config.save(to: dataDirectory)
            if output.json {
                struct JoinView: Encodable {
                    var dataDir: String
                    var store: String
                    var version: Int64
                    var listen: String
                }
                printJSON(
                    JoinView(dataDir: dataDirectory.path, store: store.url, version: version, listen: config.listen))
            } else {
                print(
                    renderFields([
                        ("数据目录", dataDirectory.path),
                        ("数据库", "PostgreSQL \(store.url)（第 \(version) 版）"),
                        ("监听地址", config.listen),
                        ("下一步", "courtsync serve --data-dir \(dataDirectory.path)"),
                    ]))
            }
        }
    }
}
