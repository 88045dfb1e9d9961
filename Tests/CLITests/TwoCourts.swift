import Foundation
import TestSupport

/// Two court nodes (京0105 and 粤0106) in temporary data directories, driven through the real
/// `courtsync` binary, with a reference folder holding the shipped court directory and a fixture
/// calendar (2025 National Day: Oct 1–8, working Sun Sep 28 and Sat Oct 11).
struct TwoCourts {
    let temp: TemporaryDirectory
    let cli: CommandRunner
    let beijing: String
    let guangzhou: String
    /// The hub's data directory: it registers both courts and signs the directory they install.
    let hub: String

    init() throws {
        temp = try TemporaryDirectory()
        let reference = temp.path("Nodes")
        try FileManager.default.createDirectory(at: reference, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.nodesFolder.appendingPathComponent("courts.json"),
            to: reference.appendingPathComponent("courts.json"))
        let holidays = (1...8).map { #"{"date": "2025-10-0\#($0)", "name": "国庆节、中秋节"}"# }.joined(separator: ", ")
        let calendar = """
            {"years": [{"year": 2025, "status": "official", "holidays": [\(holidays)],
              "workdays": [{"date": "2025-09-28", "name": "调休上班"}, {"date": "2025-10-11", "name": "调休上班"}]}]}
            """
        try Data(calendar.utf8).write(to: reference.appendingPathComponent("calendar.json"))
        cli = CommandRunner(environment: ["COURTSYNC_NODES_DIR": reference.path])
        beijing = temp.path("bj").path
        guangzhou = temp.path("gz").path
        hub = temp.path("hub").path
    }

    /// Runs `courtsync` at a given time (RFC 3339).
    func run(_ arguments: [String], at now: String) throws -> CommandRunner.Result {
        try cli.run(arguments, environment: ["COURTSYNC_NOW": now])
    }

    /// Runs a command that must succeed and print JSON; returns the document.
    func json(_ arguments: [String], at now: String) throws -> [String: Any] {
        let result = try run(arguments + ["--json"], at: now)
        guard result.status == 0 else {
            throw Failure("courtsync \(arguments.joined(separator: " ")) failed: \(result.stderr)")
        }
        return result.json
    }

    /// Initialises the hub and both courts (pinning the hub's key), registers the courts through
    /// request files, has the hub approve them, and installs the signed directory on both.
    func initialise(at: String = "2025-09-01T09:00:00+08:00") throws {
        _ = try json(["init", "--data-dir", hub, "--role", "hub"], at: at)
        let hubKey = try json(["hub", "key", "--data-dir", hub], at: at)["publicKey"] as! String
        for (dir, court) in [(beijing, "京0105"), (guangzhou, "粤0106")] {
            _ = try json(["init", "--data-dir", dir, "--court", court, "--hub-key", hubKey], at: at)
            let request = temp.path("register-\(UUID().uuidString).json").path
            _ = try json(["register", "--data-dir", dir, "--file", request], at: at)
            _ = try json(["hub", "pending", "--data-dir", hub, "--import", request], at: at)
            _ = try json(["hub", "approve", "--data-dir", hub, court], at: at)
        }
        let directory = temp.path("directory.json").path
        _ = try json(["hub", "directory", "--data-dir", hub, "--out", directory], at: at)
        for dir in [beijing, guangzhou] {
            _ = try json(["directory", "--data-dir", dir, "--import", directory], at: at)
        }
    }

    /// Carries everything `from` holds to `to` through a change file.
    func carry(from: String, to: String, forCourt: String, at now: String) throws -> [String: Any] {
        let file = temp.path("change-\(UUID().uuidString).csync").path
        _ = try json(["export", "--data-dir", from, "--out", file, "--for", forCourt], at: now)
        return try json(["import", "--data-dir", to, file], at: now)
    }

    func replicaBytes(_ dataDir: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: dataDir).appendingPathComponent("replica.sqlite"))
    }

    func remove() { temp.remove() }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
