import ArgumentParser
import Daemon
import Foundation
import Node

/// `courtsync doctor`: checks a node as its operator would before calling for help.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract:
            "节点体检 — check the node: settings, key, registration, daemon, links, clock, certificates, disk, calendar, quarantine.",
        discussion: """
            One line per check: ✔ passed, ⚠ warning, ✘ failed, with what to do. Exits 1 if any check failed (warnings do not). Changes nothing; each link gets one hello (reachable, protocol version, and this machine's clock against the remote's). A clock more than 30 s off is a warning, more than 300 s a failure; certificates expiring within 30 days are a warning; less than 4 GiB free is a warning, less than 512 MiB a failure.
            """)

    @OptionGroup var node: NodeOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await reportingAsync(json: output.json) {
            let dataDirectory = try node.dataDirectory()
            let findings = await NodeDoctor.examine(
                dataDirectory, time: try .fromEnvironment(dataDirectory: dataDirectory))
            let failed = findings.contains { $0.status == .failure }
            if output.json {
                struct View: Encodable {
                    var ok: Bool
                    var checks: [NodeDoctor.Finding]
                }
                printJSON(View(ok: !failed, checks: findings))
            } else {
                for finding in findings {
                    let mark = ["ok": "✔", "warning": "⚠", "failure": "✘"][finding.status.rawValue]!
                    print("\(mark) \(finding.check)：\(TerminalText.escape(finding.detail))")
                }
                print(failed ? "体检未通过" : "体检通过")
            }
            if failed { throw ExitCode(1) }
        }
    }
}
