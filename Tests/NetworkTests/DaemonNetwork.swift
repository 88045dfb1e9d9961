import Foundation
import PostgresStore
import TestSupport

/// A hub and courts as real `courtsync serve` processes on 127.0.0.1, each with its own data
/// directory, initialised and enrolled through the CLI as operators do. With `tls`, every node
/// gets a certificate from a test CA (`Nodes/tls-certificates.sh`), serves HTTPS only and
/// reaches the others at `https://` URLs. `prepare` runs on each court's data directory before
/// `init` (to mount a filesystem there, say). With `store`, the hub keeps its replica in that
/// PostgreSQL database (`init --role hub --store`), and ``addHubProcess(_:)`` adds processes.
/// With `suite`, every node is made with `init --suite` (`keyFiles`: a court's own PEM key,
/// `init --key-file`).
final class DaemonNetwork {
    let folder: TemporaryDirectory
    let cli: CommandRunner
    var daemons: [String: DaemonProcess] = [:]
    var ports: [String: Int] = [:]

    /// The URL scheme every node serves.
    let scheme: String
    /// The database this network made for its hub (``TestDatabase/hubOnPostgres``), dropped at the end.
    private var ownStore: PostgresLocation?

    init(
        _ courts: [String], peers: [(String, String)] = [], tls: Bool = false, store: String? = nil,
        suite: String? = nil, keyFiles: [String: String] = [:],
        edit: (String, inout [String: Any]) -> Void = { _, _ in }, prepare: (String, URL) throws -> Void = { _, _ in }
    )
        throws
    {
        folder = try TemporaryDirectory()
        cli = CommandRunner(environment: ["COURTSYNC_NODES_DIR": Fixtures.nodesFolder.path])
        scheme = tls ? "https" : "http"
        var store = store
        if store == nil, TestDatabase.hubOnPostgres {
            let location = try TestDatabase.create()
            ownStore = location
            store = location.description
        }
        for court in ["最高法"] + courts { ports[court] = FreePort.next() }
        let hubURL = "\(scheme)://127.0.0.1:\(ports["最高法"]!)"
        var hubKey = ""
        for court in ["最高法"] + courts {
            try prepare(court, URL(fileURLWithPath: dir(court)))
            var arguments = ["init", "--data-dir", dir(court), "--listen", "127.0.0.1:\(ports[court]!)"]
            arguments += (suite.map { ["--suite", $0] } ?? []) + (keyFiles[court].map { ["--key-file", $0] } ?? [])
            if tls {
                let files = try TestCertificates.issue(
                    ca: folder.path("ca"), dataDirectory: URL(fileURLWithPath: dir(court)))
                arguments += [
                    "--tls-certificate", files.certificate.path, "--tls-key", files.privateKey.path,
                    "--tls-trust-roots", files.trustRoots.path,
                ]
            }
            if court == "最高法" {
                arguments += ["--role", "hub"] + (store.map { ["--store", $0] } ?? [])
            } else {
                arguments += ["--court", court, "--hub", hubURL, "--hub-key", hubKey]
                for (a, b) in peers where a == court || b == court {
                    let other = a == court ? b : a
                    arguments += ["--peer", "\(other)=\(scheme)://127.0.0.1:\(ports[other]!)"]
                }
            }
            let result = try cli.run(arguments)
            guard result.status == 0 else { throw DaemonError(message: result.stderr) }
            if court == "最高法" {
                hubKey =
                    try cli.run(["hub", "key", "--data-dir", dir(court), "--json"]).json["publicKey"] as! String
            }
            let file = URL(fileURLWithPath: dir(court)).appendingPathComponent("node.json")
            var json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
            var sync = json["sync"] as! [String: Any]
            sync["backoffInitialSeconds"] = 0.2
            sync["backoffMaxSeconds"] = 1
            json["sync"] = sync
            edit(court, &json)
            try JSONSerialization.data(withJSONObject: json).write(to: file)
            daemons[court] = DaemonProcess(dataDirectory: URL(fileURLWithPath: dir(court)))
        }
        for court in courts { try enrol(court) }
    }

    /// Registers a court through a request file, has the hub approve it, and installs the hub's
    /// signed directory (with its calendar) at the court, so that the court can send matters
    /// before its daemon first syncs (the daemons fetch later directories by themselves).
    func enrol(_ court: String) throws {
        let request = folder.path("register-\(court).json").path
        let directory = folder.path("directory-\(court).json").path
        for arguments in [
            ["register", "--data-dir", dir(court), "--file", request],
            ["hub", "pending", "--data-dir", dir("最高法"), "--import", request],
            ["hub", "approve", "--data-dir", dir("最高法"), court],
            ["hub", "directory", "--data-dir", dir("最高法"), "--out", directory],
            ["directory", "--data-dir", dir(court), "--import", directory],
        ] {
            let result = try cli.run(arguments)
            guard result.status == 0 else { throw DaemonError(message: result.stderr) }
        }
    }

    /// Another process of a hub on PostgreSQL, `name`, made with `courtsync hub join` (the hub's
    /// key and node.json, a replica rebuilt from the database); start it with `--listen` for an
    /// address of its own.
    func addHubProcess(_ name: String) throws {
        let joined = try cli.run(["hub", "join", "--data-dir", dir(name), "--from", dir("最高法"), "--json"])
        guard joined.status == 0 else { throw DaemonError(message: joined.stderr) }
        daemons[name] = DaemonProcess(dataDirectory: URL(fileURLWithPath: dir(name)))
    }

    func dir(_ court: String) -> String { folder.path(court).path }

    /// The URL the court's daemon serves at.
    func url(_ court: String) -> String { "\(scheme)://127.0.0.1:\(ports[court]!)" }

    /// Rewrites the court's `node.json` (takes effect at the next start or CLI run).
    func editConfig(_ court: String, _ change: (inout [String: Any]) -> Void) throws {
        let file = URL(fileURLWithPath: dir(court)).appendingPathComponent("node.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        change(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: file)
    }

    func run(_ arguments: [String]) throws -> CommandRunner.Result { try cli.run(arguments) }

    /// `matter list --json` ids and states at a court (a failing command is an error, not an
    /// empty list).
    func matters(_ court: String) throws -> [String: String] {
        let result = try cli.run(["matter", "list", "--data-dir", dir(court), "--json"])
        guard result.status == 0, let list = result.json["matters"] as? [[String: Any]] else {
            throw DaemonError(message: "matter list at \(court) failed: \(result.stderr)")
        }
        return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as! String, $0["state"] as! String) })
    }

    /// The court's replica digest, or (with `scope`) the digest of the matters `scope` may see.
    func digest(_ court: String, for scope: String? = nil) throws -> String {
        let result = try cli.run(["digest", "--data-dir", dir(court), "--json"] + (scope.map { ["--for", $0] } ?? []))
        guard result.status == 0, let digest = result.json["digest"] as? String else {
            throw DaemonError(message: "digest at \(court) failed: \(result.stderr)")
        }
        return digest
    }

    /// A number from the court's replica, read with the `sqlite3` shell.
    func count(_ court: String, _ sql: String) throws -> Int {
        let text = try CrashTests.sqlite(dir(court), sql)
        guard let value = Int(text) else { throw DaemonError(message: "\(sql) at \(court): \(text)") }
        return value
    }

    func logs() -> String {
        daemons.map { "== \($0.key)\n\($0.value.log.suffix(3000))" }.joined(separator: "\n")
    }

    deinit {
        for daemon in daemons.values { daemon.kill() }
        if let ownStore { TestDatabase.drop(ownStore) }
        folder.remove()
    }
}
