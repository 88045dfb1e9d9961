import Foundation

/// A `courtsync serve` process on a data directory, its stderr kept in `DATA_DIR/serve.log`.
public final class DaemonProcess: @unchecked Sendable {
    public let dataDirectory: URL
    private var process: Process?

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// Starts the daemon and waits until it has written `daemon.json` (it is serving).
    public func start(runner: CommandRunner = CommandRunner()) throws {
        let process = Process()
        process.executableURL = runner.executable
        process.arguments = ["serve", "--data-dir", dataDirectory.path, "--log-level", "debug"]
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "COURTSYNC_NOW")
        for (key, value) in runner.environment { environment[key] = value }
        process.environment = environment
        let log = dataDirectory.appendingPathComponent("serve.log")
        if !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardError = handle
        process.standardOutput = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        let record = dataDirectory.appendingPathComponent("daemon.json")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if FileManager.default.fileExists(atPath: record.path),
                let data = try? Data(contentsOf: record),
                let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                json["pid"] as? Int == Int(process.processIdentifier)
            {
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw DaemonError(message: "courtsync serve did not start: \(log.path)\n\(self.log)")
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Sends SIGKILL (a crash) and waits for the process to go.
    public func kill() {
        guard let process, process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public var isRunning: Bool { process?.isRunning ?? false }

    /// What the daemon logged.
    public var log: String {
        (try? String(contentsOf: dataDirectory.appendingPathComponent("serve.log"), encoding: .utf8)) ?? ""
    }

    deinit { kill() }
}

public struct DaemonError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
public func eventually(within seconds: Double = 30, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.05)
    }
    return try condition()
}
