import Foundation
#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
import Monitoring
import SyncEngine
import TestSupport
import Testing

/// The hub's monitoring side as hub staff meet it: real daemons syncing over HTTP, then the CLI
/// report, `/api/v1`, `/metrics` (checked by `promtool`) and the dashboard (loaded in headless
/// Chromium) must all show the same figures, to holders of a staff token only.
@Suite("the hub's reports, API, metrics and dashboard", .serialized)
struct DashboardTests {
    @Test("CLI report, /api/v1, /metrics and the page agree; promtool accepts /metrics; the page has no console errors")
    func agree() async throws {
        let net = try DaemonNetwork(["京0105", "粤0106"])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        let bj = net.dir("京0105")
        let gz = net.dir("粤0106")
        let hub = net.dir("最高法")
        func create(_ number: Int, extra: [String] = [], environment: [String: String] = [:]) throws -> String {
            let result = try net.cli.run(
                [
                    "matter", "create", "--documents-later", "--data-dir", bj, "--case", "（2026）京0105执\(number)号",
                    "--to", "粤0106",
                    "--kind", "deposit:freeze", "--json",
                ] + extra, environment: environment)
            return try #require(result.json["id"] as? String, "\(result.stderr)")
        }
        // Sent "on 2026-01-05" (its deadline is long past), then two sent now.
        let overdue = try create(
            1, extra: ["--debtor", "广州某贸易有限公司", "--debtor-id", "91440101MA5C1234XY", "--note", "冻结工行账户"],
            environment: ["COURTSYNC_NOW": "2026-01-05T09:00:00+08:00"])
        let completed = try create(2)
        let returned = try create(3)
        #expect(try await eventually { try net.matters("粤0106").count == 3 }, "\(net.logs())")
        for arguments in [
            ["sign", overdue], ["sign", completed], ["complete", completed, "--outcome", "full"],
            ["return", returned, "--reason", "notInJurisdiction"],
        ] {
            let result = try net.run(["matter", arguments[0], "--data-dir", gz] + arguments.dropFirst())
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(
            try await eventually {
                try net.matters("最高法") == [overdue: "signed", completed: "completed", returned: "returned"]
            }, "\(net.logs())")
        // The overdue matter's create reached the hub eleven months after its recorded sending: a
        // late report (迟报), counted at the hub's witness until hub staff accept it.
        let late = try net.run(["report", "late", "--data-dir", hub, "--format", "json"]).json
        let lateReports = try #require(late["reports"] as? [[String: Any]])
        #expect(lateReports.map { $0["matter"] as? String } == [overdue], "\(lateReports)")
        let lateEvent = try #require(lateReports.first?["event"] as? String)
        let accepted = try net.run(["hub", "accept-late", "--data-dir", hub, lateEvent, "--note", "补录历史委托，已核实"])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        let token = try #require(
            try net.run(["token", "create", "--data-dir", hub, "--name", "看板测试", "--json"]).json["token"] as? String)
        let scraper = try #require(
            try net.run(["token", "create", "--data-dir", hub, "--name", "prometheus", "--scope", "metrics", "--json"])
                .json["token"] as? String)

        // Both courts have called the hub, made events it stored, and pulled everything.
        func latency() throws -> [String: [String: Any]] {
            let nodes =
                try net.run(["report", "latency", "--data-dir", hub, "--format", "json"]).json["nodes"]
                as? [[String: Any]] ?? []
            return Dictionary(uniqueKeysWithValues: nodes.map { ($0["court"] as! String, $0) })
        }
        #expect(
            try await eventually {
                let nodes = try latency()
                return ["京0105", "粤0106"].allSatisfy { nodes[$0]?["backlog"] as? Int == 0 }
            }, "\(net.logs())")
        let nodes = try latency()
        for court in ["京0105", "粤0106"] {
            let node = try #require(nodes[court])
            #expect(node["stale"] as? Bool == false)
            #expect(node["lastContactAt"] is String)
            #expect((node["events"] as? Int ?? 0) > 0)
            let lags = ["p50Seconds", "p90Seconds", "p99Seconds", "maxSeconds"].compactMap { node[$0] as? Double }
            #expect(lags.count == 4 && lags == lags.sorted() && lags[0] >= 0, "\(node)")
        }

        // The CLI report and /api/v1 hold the same rows.
        let report = try net.run(["report", "--data-dir", hub, "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let api = try await Self.get(net.url("最高法") + "/api/v1/indicators?by=court", token: token)
        for key in ["rows", "total", "dimension"] {
            #expect(try Self.canonical(report.json[key]) == Self.canonical(api[key]), "\(key)")
        }
        let total = try #require(api["total"] as? [String: Any])
        #expect(total["sent"] as? Int == 3)
        #expect(total["completionRate"] as? Double == 0.5)
        #expect(total["onTimeRate"] as? Double == 1)
        #expect(total["overdueOpen"] as? Int == 1)
        let overdueAPI = try await Self.get(net.url("最高法") + "/api/v1/overdue", token: token)
        #expect((overdueAPI["matters"] as? [[String: Any]])?.map { $0["id"] as? String } == [overdue])

        // /metrics: valid exposition, the same figures.
        let exposition = try await Self.text(net.url("最高法") + "/metrics", token: scraper)
        let promtool = try Self.promtool(exposition)
        #expect(promtool.status == 0, "promtool: \(promtool.output)")
        let metrics = Self.samples(exposition)
        #expect(metrics["courtsync_matters_sent"] == 3)
        #expect(metrics["courtsync_on_time_rate"] == total["onTimeRate"] as? Double)
        #expect(metrics["courtsync_completion_rate"] == total["completionRate"] as? Double)
        #expect(metrics["courtsync_overdue_open"] == 1)
        #expect(metrics[#"courtsync_court_overdue_open{court="粤0106"}"#] == 1)
        #expect(metrics[#"courtsync_court_matters_sent{court="京0105"}"#] == 3)
        let mean = try #require(total["meanDays"] as? Double)
        #expect(abs((metrics["courtsync_completion_time_mean_seconds"] ?? -1) - mean * 86_400) < 1e-6)
        #expect((metrics[#"courtsync_events_stored_total{via="push"}"#] ?? 0) >= 7)
        #expect((metrics[#"courtsync_sync_requests_total{endpoint="pull"}"#] ?? 0) >= 2)

        // The page: rendered without a console message, showing the same figures as the CLI table.
        let page = try HeadlessChromium.load(net.url("最高法") + "/dashboard#token=" + token)
        #expect(page.console.isEmpty, "\(page.console)")
        #expect(page.dom.contains(#"data-state="ready""#), "\(page.dom.prefix(2000))")
        #expect(Self.figure("onTimeRate", in: page.dom) == Figures.percent(total["onTimeRate"] as? Double))
        #expect(Self.figure("meanDays", in: page.dom) == Figures.days(mean))
        #expect(Self.figure("completionRate", in: page.dom) == "50.00%")
        #expect(Self.figure("overdueOpen", in: page.dom) == "1")
        #expect(Self.figure("staleNodes", in: page.dom) == "0")
        let table = try net.run(["report", "--data-dir", hub]).stdout
        let gzLine = try #require(table.split(separator: "\n").first { $0.hasPrefix("粤0106") }.map(String.init))
        let rows = try #require(api["rows"] as? [[String: Any]])
        let gzRow = try #require(rows.first { $0["key"] as? String == "粤0106" })
        for (field, text) in [
            ("onTimeRate", Figures.percent(gzRow["onTimeRate"] as? Double)),
            ("completionRate", Figures.percent(gzRow["completionRate"] as? Double)),
            ("meanDays", Figures.days(gzRow["meanDays"] as? Double)),
            ("received", "3"),
        ] {
            #expect(Self.cell(court: "粤0106", field: field, in: page.dom) == text, "\(field)")
            #expect(gzLine.contains(text), "\(field): \(gzLine)")
        }
        #expect(page.dom.contains(#"data-matter="\#(overdue)""#))
        // Each node's protocol version and software, for hub staff during a rolling upgrade.
        #expect(page.dom.contains(#"data-field="protocol""#) && page.dom.contains(SyncWire.software))
        #expect(page.dom.contains(#"data-late="\#(lateEvent)""#) && page.dom.contains("已采纳"))
        // The shipped calendar ends with 2026: within 30 days of its end the page says so.
        let calendar = try #require(
            try await Self.get(net.url("最高法") + "/api/v1/dashboard", token: token)["calendar"] as? [String: Any])
        if let daysLeft = calendar["daysLeft"] as? Int, daysLeft <= 30 {
            #expect(page.dom.contains("节假日历仅覆盖至"), "\(calendar)")
        }

        // Without a token the page asks for one and shows no figure.
        let locked = try HeadlessChromium.load(net.url("最高法") + "/dashboard")
        #expect(locked.console.isEmpty, "\(locked.console)")
        #expect(locked.dom.contains(#"data-state="login""#) && !locked.dom.contains(#"data-matter="\#(overdue)""#))

        // A link to one matter opens its timeline.
        let drill = try HeadlessChromium.load(
            net.url("最高法") + "/dashboard#token=" + token + "&matter=" + overdue)
        #expect(drill.console.isEmpty, "\(drill.console)")
        #expect(drill.dom.contains(#"<aside id="drill" class="open" data-matter="\#(overdue)""#))
        #expect(drill.dom.contains(#"data-step="create""#) && drill.dom.contains(#"data-step="sign""#))

        let screenshot = net.folder.path("dashboard.png")
        try HeadlessChromium.screenshot(net.url("最高法") + "/dashboard#token=" + token, to: screenshot)
        #expect((try? Data(contentsOf: screenshot).count) ?? 0 > 10_000)
        if let keep = ProcessInfo.processInfo.environment["COURTSYNC_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: screenshot, to: URL(fileURLWithPath: keep))
        }

        // The figures carry no party's name, identity number or note.
        var bodies = [exposition, page.dom, drill.dom]
        for path in ["/api/v1/dashboard", "/api/v1/overdue", "/api/v1/matters/" + overdue, "/api/v1/indicators"] {
            bodies.append(try Self.canonical(try await Self.get(net.url("最高法") + path, token: token)))
        }
        for body in bodies {
            for secret in ["广州某贸易有限公司", "91440101MA5C1234XY", "冻结工行账户"] {
                #expect(!body.contains(secret), "\(secret)")
            }
        }
        #expect(bodies[3].contains(overdue))

        // Bad queries get a JSON error.
        for (path, code) in [
            ("/api/v1/indicators?by=planet", 400), ("/api/v1/indicators?from=2026-02-30", 400),
            ("/api/v1/matters/nonsense", 400), ("/api/v1/matters/京0105-2026-999999", 404),
            ("/api/v1/trend?months=0", 400), ("/api/v1/trend?months=abc", 400),
            ("/api/v1/indicators?from=2026-03-02&to=2026-03-01", 400),
        ] {
            let (status, body) = try await Self.response(net.url("最高法") + path, token: token)
            #expect(status == code, "\(path)")
            #expect((body["error"] as? [String: Any])?["message"] is String, "\(path)")
        }

        // Only a staff token of the right scope reads the figures; a revoked one no longer does.
        for (path, held, status) in [
            ("/api/v1/dashboard", nil, 401), ("/api/v1/matters/" + overdue, nil, 401), ("/metrics", nil, 401),
            ("/api/v1/dashboard", "cst_" + String(repeating: "0", count: 64), 401),
            ("/api/v1/dashboard", scraper, 401), ("/metrics", token, 200),
        ] as [(String, String?, Int)] {
            let (got, body) = try await Self.response(net.url("最高法") + path, token: held)
            #expect(got == status, "\(path) with \(held ?? "no token")")
            if status == 401 { #expect((body["error"] as? [String: Any])?["code"] as? String == "unauthorized") }
        }
        #expect(try net.run(["token", "revoke", "--data-dir", hub, "看板测试"]).status == 0)
        #expect(try await Self.response(net.url("最高法") + "/api/v1/dashboard", token: token).0 == 401)
    }

    static func response(_ url: String, token: String?) async throws -> (Int, [String: Any]) {
        let (data, status) = try await fetch(url, token: token)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return (status, json)
    }

    static func fetch(_ url: String, token: String?) async throws -> (Data, Int) {
        let encoded = url.addingPercentEncoding(withAllowedCharacters: .urlFragmentAllowed) ?? url
        var request = URLRequest(url: URL(string: encoded)!)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, response) = try await URLSession.shared.data(for: request)
        return (data, (response as! HTTPURLResponse).statusCode)
    }

    static func get(_ url: String, token: String) async throws -> [String: Any] {
        let (status, json) = try await response(url, token: token)
        guard status == 200 else { throw DaemonError(message: "GET \(url): HTTP \(status) \(json)") }
        return json
    }

    static func text(_ url: String, token: String) async throws -> String {
        let (data, status) = try await fetch(url, token: token)
        guard status == 200 else { throw DaemonError(message: "GET \(url): HTTP \(status)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A JSON value with sorted keys, for comparing documents.
    static func canonical(_ value: Any?) throws -> String {
        guard let value else { return "null" }
        return String(
            decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]),
            as: UTF8.self)
    }

    /// `name{labels} value` lines of an exposition.
    static func samples(_ exposition: String) -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in exposition.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    static func promtool(_ exposition: String) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") else {
            return (-1, "promtool is not installed (Debian package prometheus; .ci/run installs it)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/promtool")
        process.arguments = ["check", "metrics"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(exposition.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    /// The text of the first element marked `data-figure="name"`.
    static func figure(_ name: String, in dom: String) -> String? {
        text(after: #"data-figure="\#(name)""#, in: dom[...])
    }

    /// The text of the league table's cell for a court and field.
    static func cell(court: String, field: String, in dom: String) -> String? {
        guard let row = dom.range(of: #"<tr data-court="\#(court)">"#) else { return nil }
        let rest = dom[row.upperBound...]
        let end = rest.range(of: "</tr>")?.lowerBound ?? rest.endIndex
        return text(after: #"data-field="\#(field)""#, in: rest[..<end])
    }

    private static func text(after marker: String, in html: Substring) -> String? {
        guard let found = html.range(of: marker), let open = html[found.upperBound...].firstIndex(of: ">") else {
            return nil
        }
        let content = html[html.index(after: open)...]
        return content.firstIndex(of: "<").map { String(content[..<$0]) }
    }
}
