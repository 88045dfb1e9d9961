import Foundation

/// The reference of the idle-poll figure (d): nginx answering `return 200` on loopback, loaded by
/// wrk with kept-alive connections, started by `Nodes/bench/nginx-wrk.sh` in the same run.
enum NginxReference {
    /// The requests per second wrk measured, or why there is none (nginx or wrk not installed,
    /// the script missing or failing).
    static func requestsPerSecond(
        script: URL, port: Int, seconds: Double, connections: Int, scratch: URL
    ) -> Result<Double, Unavailable> {
        guard FileManager.default.isExecutableFile(atPath: script.path) else {
            return .failure(Unavailable(reason: "\(script.path) is missing"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            script.path, String(port), String(Int(seconds.rounded(.up))), String(connections), scratch.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return .failure(Unavailable(reason: "cannot run \(script.path): \(error)")) }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let last = text.split(separator: "\n").last.map(String.init) ?? "exit \(process.terminationStatus)"
            return .failure(Unavailable(reason: last))
        }
        return parse(text).map { .success($0) } ?? .failure(Unavailable(reason: "wrk printed no Requests/sec"))
    }

    /// The figure of wrk's `Requests/sec:` line.
    static func parse(_ report: String) -> Double? {
        for line in report.split(separator: "\n") where line.hasPrefix("Requests/sec:") {
            return Double(line.dropFirst("Requests/sec:".count).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    /// Why the reference could not be measured.
    struct Unavailable: Error {
        var reason: String
    }
}
