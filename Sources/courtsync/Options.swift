import ArgumentParser
import Entrustment
import Foundation
import Node

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

    /// Opens the node, runs `body`, and closes the node whatever happens.
    func withNode<T>(_ body: (CourtNode) throws -> T) throws -> T {
        let directory = try dataDirectory()
        let node = try CourtNode(dataDirectory: directory, time: .fromEnvironment(dataDirectory: directory))
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
