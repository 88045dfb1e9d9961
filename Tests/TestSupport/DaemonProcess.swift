import Demo
import Foundation

/// A `courtsync serve` process on a data directory for a test: the product's ``ServeProcess``
/// run by the test's `courtsync` binary and environment, logging at debug level.
public final class DaemonProcess: @unchecked Sendable {
    public let dataDirectory: URL
    private let lock = NSLock()
    private var serve: ServeProcess?

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// Starts the daemon (with `arguments` after `serve --data-dir D`) and waits until it has
    /// written `daemon.json` (it is serving).
    public func start(runner: CommandRunner = CommandRunner(), arguments: [String] = []) throws {
        let serve = ServeProcess(
            executable: runner.executable, dataDirectory: dataDirectory,
            arguments: ["--log-level", "debug"] + arguments,
            environment: runner.environment)
        lock.withLock { self.serve = serve }
        do {
            try serve.start()
        } catch {
            throw DaemonError(message: "\(error)\n\(serve.log)")
        }
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    public func stop() -> Int32 { lock.withLock { serve }?.stop() ?? 0 }

    /// Sends SIGKILL (a crash) and waits for the process to go.
    public func kill() { lock.withLock { serve }?.kill() }

    public var isRunning: Bool { lock.withLock { serve }?.isRunning ?? false }

    /// The running daemon's process id.
    public var processIdentifier: Int32? { lock.withLock { serve }?.processIdentifier }

    /// What the daemon logged.
    public var log: String {
        (try? String(contentsOf: dataDirectory.appendingPathComponent("serve.log"), encoding: .utf8)) ?? ""
    }
}

public struct DaemonError: Error, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
