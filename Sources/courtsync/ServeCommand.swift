import ArgumentParser
import Daemon
import Foundation
import Logging
import Node

/// `courtsync serve`: runs the node's daemon until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "运行节点守护进程 — run the node: the sync server and scheduler (stop with SIGTERM or Ctrl-C).",
        discussion: """
            Reads DATA_DIR/node.json (written by `courtsync init`): where to listen, the hub (指挥中心) and the peer courts. Logs go to stderr, one line per event, with structured fields; with --log-format json, one JSON object per line (time, level, logger, message and the fields), for journald and log collectors (docs/operations.md).
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .customLong("log-level"), help: "trace, debug, info (default), notice, warning, error or critical.")
    var logLevel: String = "info"
    @Option(name: .customLong("log-format"), help: "text (default) or json: one JSON object per line.")
    var logFormat: String = "text"
    @Option(
        name: .long,
        help:
            "Listen on HOST:PORT instead of node.json's address (several hub processes from copies of one data directory)."
    )
    var listen: String?

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError(
                "--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format must be text or json") }
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "courtsync")
        do {
            try await NodeDaemon.run(dataDirectory: try node.dataDirectory(), listen: listen, logger: logger)
        } catch let error as NodeError {
            if json {
                JSONLogHandler.fatal(error.message)
            } else {
                FileHandle.standardError.write(Data("courtsync: error: \(error.message)\n".utf8))
            }
            throw ExitCode(1)
        }
    }
}
