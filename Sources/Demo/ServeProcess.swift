import Foundation
import Node
import Synchronization

/// A `courtsync serve` process on a data directory; its log goes to `DATA_DIR/serve.log`.
public final class ServeProcess: Sendable {
    /// The node's data directory.
    public let dataDirectory: URL
    private let executable: URL
    private let arguments: [String]
    private let environment: [String: String]
    /// The process last started, if any.
    private let process = Mutex<Process?>(nil)

    /// A daemon run by `executable` (a `courtsync` binary) with the extra `arguments` after
    /// `serve --data-dir …`, in the current environment plus `environment`.
    public init(
        executable: URL, dataDirectory: URL, arguments: [String] = [], environment: [String: String] = [:]
    ) {
        self.executable = executable
        self.dataDirectory = dataDirectory
        self.arguments = arguments
        self.environment = environment
    }

    /// The log file.
    public var logFile: URL { dataDirectory.appendingPathComponent("serve.log") }

    /// Starts the daemon and waits (up to `timeout` seconds) until its `daemon.json` names it:
    /// it is serving.
    public func start(timeout: Double = 30) throws(NodeError) {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--data-dir", dataDirectory.path] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "COURTSYNC_NOW")
        for (key, value) in self.environment { environment[key] = value }
        process.environment = environment
        do {
            if !FileManager.default.fileExists(atPath: logFile.path) {
                _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: logFile)
            handle.seekToEndOfFile()
            process.standardError = handle
            process.standardOutput = handle
            process.standardInput = FileHandle.nullDevice
            defer { try? handle.close() }  // the child has its own copy; ours would leak one per start
            try process.run()
        } catch {
            throw NodeError(code: "serveFailed", "cannot start \(executable.path) serve: \(error)")
        }
        self.process.withLock { $0 = process }
        let record = dataDirectory.appendingPathComponent("daemon.json")
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let data = try? Data(contentsOf: record),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                json["pid"] as? Int == Int(process.processIdentifier)
            {
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        kill()
        throw NodeError(
            code: "serveFailed", "courtsync serve did not start for \(dataDirectory.path): see \(logFile.path)")
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop() -> Int32 {
        guard let process = self.process.withLock({ $0 }) else { return 0 }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGKILL (a crash) and waits for the process to go.
    public func kill() {
        guard let process = self.process.withLock({ $0 }), process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Whether the process runs.
    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    /// The process id, while it runs.
    public var processIdentifier: Int32? {
        process.withLock { $0.flatMap { $0.isRunning ? $0.processIdentifier : nil } }
    }

    /// What the daemon logged.
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    deinit { kill() }
}
