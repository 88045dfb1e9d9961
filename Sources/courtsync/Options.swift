import ArgumentParser
import Entrustment
import Foundation
import Node
import SyncEngine

/// `--json`, which every command takes.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON document instead of a table.")
    var json = false
}

/// `--data-dir`, or `COURTSYNC_DATA_DIR`.
struct NodeOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "The node's data directory (or set COURTSYNC_DATA_DIR).")
    var dataDir: String?

    /// The data directory, from the option or the environment.
    func dataDirectory() throws(NodeError) -> URL {
        if let dataDir, !dataDir.isEmpty { return URL(fileURLWithPath: dataDir) }
        if let fromEnvironment = ProcessInfo.processInfo.environment["COURTSYNC_DATA_DIR"], !fromEnvironment.isEmpty {
            return URL(fileURLWithPath: fromEnvironment)
        }
        throw NodeError(code: "missingDataDir", "no data directory: pass --data-dir or set COURTSYNC_DATA_DIR")
    }

    /// What this node accepts as a document (`node.json` limits; the defaults without one).
    func documentLimits() -> DocumentStore.Limits {
        guard let directory = try? dataDirectory(), let config = try? NodeConfig.load(from: directory) else {
            return DocumentStore.Limits()
        }
        return config.limits.documentLimits
    }

    /// Opens the node, runs `body`, and closes the node whatever happens. Matters whose request
    /// for supplement lapsed are settled first (视为撤回), so that what is shown is current.
    func withNode<T>(_ body: (CourtNode) throws -> T) throws -> T {
        let directory = try dataDirectory()
        let node = try CourtNode(dataDirectory: directory, time: .fromEnvironment(dataDirectory: directory))
        try? node.settleLapsedSupplements()
        do {
            let result = try body(node)
            try node.close()
            return result
        } catch {
            try? node.close()
            throw error
        }
    }
}
