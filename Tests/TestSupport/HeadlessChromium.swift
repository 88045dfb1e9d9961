import Foundation

/// Debian's `chromium`, headless, as a person's browser: loads a page, runs its script, and gives
/// back the DOM it built, what it printed on the console, or a screenshot.
public enum HeadlessChromium {
    /// What one page load produced.
    public struct Page: Sendable {
        /// The DOM after the script ran (`--dump-dom`).
        public let dom: String
        /// Console messages, uncaught errors and failed loads the browser logged.
        public let console: [String]
    }

    public static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func arguments(width: Int, height: Int) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--window-size=\(width),\(height)", "--virtual-time-budget=8000", "--enable-logging=stderr", "--v=0",
        ]
    }

    /// Loads `url` at a 1366×768 window and returns the DOM and the console.
    public static func load(_ url: String, width: Int = 1366, height: Int = 768) throws -> Page {
        let (out, err) = try run(arguments(width: width, height: height) + ["--dump-dom", url])
        let console = err.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Page(dom: out, console: console)
    }

    /// Saves a screenshot of `url` to `file` (PNG).
    public static func screenshot(_ url: String, to file: URL, width: Int = 1366, height: Int = 768) throws {
        _ = try run(arguments(width: width, height: height) + ["--screenshot=\(file.path)", url])
    }

    private static func run(_ arguments: [String]) throws -> (String, String) {
        guard let executable else {
            throw DaemonError(message: "chromium is not installed (Debian package chromium; .ci/run installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        process.environment = environment
        let (outData, errData) = try CommandRunner.collect(process)
        try? FileManager.default.removeItem(at: home)
        return (String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }
}
