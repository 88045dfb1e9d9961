import Foundation
import TestSupport

/// A hub daemon (`courtsync serve`) on a free port of 127.0.0.1 in a temporary folder, its
/// `limits` merged into node.json; courts initialised beside it with ``dir(_:)`` and ``check(_:)``.
final class HubSetup {
    let folder: TemporaryDirectory
    let cli = CommandRunner(environment: ["COURTSYNC_NODES_DIR": Fixtures.nodesFolder.path])
    let hub: DaemonProcess
    let port = FreePort.next()

    init(limits: [String: Any] = [:]) throws {
        folder = try TemporaryDirectory()
        hub = DaemonProcess(dataDirectory: folder.path("hub"))
        try check(["init", "--data-dir", dir("hub"), "--role", "hub", "--listen", "127.0.0.1:\(port)"])
        if !limits.isEmpty {
            let file = folder.path("hub").appendingPathComponent("node.json")
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
            json["limits"] = (json["limits"] as! [String: Any]).merging(limits) { $1 }
            try JSONSerialization.data(withJSONObject: json).write(to: file)
        }
        try hub.start(runner: cli)
    }

    var url: String { "http://127.0.0.1:\(port)" }
    func dir(_ name: String) -> String { folder.path(name).path }

    /// Initialises a court's node beside the hub (in folder `name`), registers it by file, has
    /// the hub approve it and installs the hub's signed directory there; returns its data directory.
    func approvedCourt(_ court: String, name: String) throws -> URL {
        let hubKey = try check(["hub", "key", "--data-dir", dir("hub")]).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let request = folder.path("register-\(name).json").path
        let directory = folder.path("directory-\(name).json").path
        try check(["init", "--data-dir", dir(name), "--court", court, "--hub", url, "--hub-key", hubKey])
        try check(["register", "--data-dir", dir(name), "--file", request])
        try check(["hub", "pending", "--data-dir", dir("hub"), "--import", request])
        try check(["hub", "approve", "--data-dir", dir("hub"), court])
        try check(["hub", "directory", "--data-dir", dir("hub"), "--out", directory])
        try check(["directory", "--data-dir", dir(name), "--import", directory])
        return folder.path(name)
    }

    @discardableResult
    func check(_ arguments: [String]) throws -> CommandRunner.Result {
        let result = try cli.run(arguments)
        guard result.status == 0 else { throw DaemonError(message: "\(arguments): \(result.stderr)") }
        return result
    }

    deinit {
        hub.kill()
        folder.remove()
    }
}
