import ArgumentParser
import Bench
import Foundation
import PostgresStore
import Node

/// `courtsync bench`: the performance figures of `docs/performance.md`, each beside its
/// reference measured in the same run.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "性能基准 — measure apply throughput, wire size, propagation, hub fan-in, memory and bootstrap.",
        discussion: """
            Build in release mode first (swift build -c release); a debug build measures the debugger's build. Creates a hub and five court nodes in a scratch folder, makes signed events, and prints a table: each figure beside its reference (the signature ceiling, a raw SQLite append, JSON with zlib) and the target of docs/performance.md.
            """)

    @Option(name: .long, help: "Folder for the scratch nodes (must be new or empty; default: a new temporary folder).")
    var dir: String?
    @Option(name: .long, help: "Events the hub applies and holds, and a new court catches up with.") var events =
        100_002
    @Option(name: .long, help: "Matters sent A → B for the propagation figure.") var matters = 1_000
    @Option(name: .long, help: "Nodes registered at the hub and polling.") var nodes = 1_000
    @Option(name: .long, help: "Idle long-polls held at once.") var longPolls = 3_500
    @Option(name: .long, help: "Seconds of polling.") var pollSeconds = 5.0
    @Option(name: .long, help: "Size of the documents sent A → hub → B, in MiB (0: skip).") var documentMib = 100
    @Option(name: .long, help: "The hub's port; nodes take the next five.") var port = 7700
    @Option(
        name: .long,
        help:
            "Also measure the hub on PostgreSQL (h): a server whose role may create databases, postgres://USER@HOST:PORT/postgres (the bench makes and drops its own databases)."
    ) var store: String?
    @Option(
        name: .customLong("store-password-file"), help: "The passfile with --store's password (default: PGPASSFILE).")
    var storePasswordFile: String?
    @Flag(name: .long, help: "Print the table as JSON.") var json = false

    func validate() throws {
        guard events >= 3, events <= 10_000_000 else {
            throw ValidationError("--events must be between 3 and 10,000,000")
        }
        guard matters >= 1, matters <= 100_000 else { throw ValidationError("--matters must be between 1 and 100,000") }
        guard nodes >= 1, nodes <= 20_000 else { throw ValidationError("--nodes must be between 1 and 20,000") }
        guard longPolls >= 0, longPolls <= 20_000 else {
            throw ValidationError("--long-polls must be between 0 and 20,000")
        }
        guard pollSeconds > 0, pollSeconds <= 3_600 else {
            throw ValidationError("--poll-seconds must be between 0 and 3600")
        }
        guard (1...65_000).contains(port) else { throw ValidationError("--port must be between 1 and 65000") }
        guard (0...1_024).contains(documentMib) else {
            throw ValidationError("--document-mib must be between 0 and 1024")
        }
    }

    func run() async throws {
        try await reportingAsync(json: json) {
            let folder =
                dir.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                    "courtsync-bench-\(String(UInt32.random(in: 0...UInt32.max), radix: 36))")
            if let contents = try? FileManager.default.contentsOfDirectory(atPath: folder.path), !contents.isEmpty {
                throw NodeError(code: "invalidArgument", "--dir \(folder.path) is not empty: give a new folder")
            }
            var options = BenchRunner.Options()
            options.events = events
            options.propagationMatters = matters
            options.pollingNodes = nodes
            options.heldLongPolls = longPolls
            options.pollingSeconds = pollSeconds
            options.basePort = port
            options.documentMegabytes = documentMib
            do {
                options.store = try store.map { try PostgresLocation($0) }
            } catch {
                throw NodeError(code: "invalidArgument", "--store: \(error)")
            }
            options.storePasswordFile = storePasswordFile
            options.nginxScript = try ReferenceData.locateFolder().appendingPathComponent("bench/nginx-wrk.sh")
            let quiet = json
            let runner = BenchRunner(
                options: options, folder: folder, reference: try ReferenceData(folder: ReferenceData.locateFolder()),
                executable: try DemoCommand.executable(),
                say: { line in if !quiet { FileHandle.standardError.write(Data("\(line)\n".utf8)) } })
            let table = try await runner.run()
            if json {
                printJSON(table.rows)
                return
            }
            #if DEBUG
                print("注意 / note: a debug build — build with -c release for figures worth quoting")
            #endif
            var text = TextTable(headers: ["figure", "value", "reference (same run)", "ratio", "target", "met"])
            for row in table.rows {
                text.append([
                    row.name, row.value, row.reference, row.ratio, row.target, row.met.map { $0 ? "yes" : "NO" } ?? "",
                ])
            }
            print(text.rendered)
            print(
                "machine: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB; scratch: \(folder.path)"
            )
        }
    }
}
