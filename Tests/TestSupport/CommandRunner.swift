import Foundation

/// Runs the built `courtsync` binary as a separate process, as an operator would.
public struct CommandRunner: Sendable {
    /// What a run printed and how it ended.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String

        /// stdout parsed as a JSON object.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    /// The `courtsync` executable next to the test bundle.
    public let executable: URL
    /// Environment added to every run.
    public var environment: [String: String]

    public init(environment: [String: String] = [:]) {
        executable = Self.locateExecutable()
        self.environment = environment
    }

    /// Runs `courtsync` with the arguments (and extra environment), waiting for it to exit.
    public func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "COURTSYNC_DATA_DIR")
        env.removeValue(forKey: "COURTSYNC_NOW")
        for (key, value) in environment.merging(extra, uniquingKeysWith: { $1 }) { env[key] = value }
        process.environment = env
        process.standardInput = FileHandle.nullDevice
        let (outData, errData) = try Self.collect(process)
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a `/bin/sh -c` command line (the OpenSSL command line, `sqlite3`), waiting for it to exit.
    public static func shell(_ command: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.standardInput = FileHandle.nullDevice
        let (outData, errData) = try collect(process)
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a configured process to its end and returns what it wrote on stdout and stderr. Both
    /// pipes are read to the end before waiting, so a large output cannot block the child.
    public static func collect(_ process: Process) throws -> (stdout: Data, stderr: Data) {
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (outData, errData)
    }

    private static func locateExecutable() -> URL {
        var candidates: [URL] = []
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent("courtsync"))
        }
        candidates.append(
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "courtsync"))
        candidates.append(Fixtures.repositoryRoot.appendingPathComponent(".build/debug/courtsync"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates.last!
    }
}
