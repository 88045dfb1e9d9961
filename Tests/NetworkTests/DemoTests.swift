import Entrustment
import Foundation
import Testing
import TestSupport

/// `courtsync demo` end to end: real daemons on an accelerated clock, the workload driven
/// through them, every replica equal to the hub's view, and the hub's figures counting every
/// matter the run sent.
@Suite(.serialized) struct DemoTests {
    @Test func aShortDemoConvergesAndReports() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let dir = folder.path("demo")
        let runner = CommandRunner()
        let run = try runner.run([
            "demo", "--dir", dir.path, "--courts", "5", "--days", "8", "--seconds", "10", "--seed", "3",
            "--port", "\(FreePort.block(count: 6))", "--exit",
        ])
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(run.stdout.contains("一致") && !run.stdout.contains("不一致"))
        #expect(run.stdout.contains("/dashboard"))

        // The last progress line's 委托 count is what the hub holds and reports.
        let progress = run.stdout.split(separator: "\n").last { $0.hasPrefix("第") }
        let sent = try #require(
            progress.flatMap { line in
                line.split(separator: " ").drop { $0 != "委托" }.dropFirst().first.flatMap { Int($0) }
            })
        #expect(sent > 20)
        let hub = dir.appendingPathComponent("hub").path
        let report = try runner.run(["report", "--data-dir", hub, "--format", "json"])
        let total = try #require(report.json["total"] as? [String: Any])
        #expect(total["sent"] as? Int == sent)
        let matters = try runner.run(["matter", "list", "--data-dir", hub, "--json"])
        #expect(matters.status == 0)

        // Every matter was sent within the simulated days, which end now.
        let list = matters.json["matters"] as? [[String: Any]] ?? []
        let now = Timestamp(milliseconds: Int64(Date().timeIntervalSince1970 * 1000))
        for matter in list {
            let sentAt = try Timestamp(rfc3339: try #require(matter["sentAt"] as? String))
            #expect(sentAt <= now && sentAt > now.adding(milliseconds: -9 * 86_400_000))
        }
        #expect(list.count == sent)

        // A second run into the same folder is refused and changes nothing.
        let again = try runner.run(["demo", "--dir", dir.path, "--exit"])
        #expect(again.status != 0 && again.stderr.contains("not empty"))
    }
}
