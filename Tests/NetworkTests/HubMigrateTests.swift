import Foundation
import PostgresStore
import TestSupport
import Testing

/// `courtsync hub migrate` moves a working SQLite hub into PostgreSQL; hub staff's tools then
/// read the documented views as a read-only role and find the figures `courtsync report` gives.
@Suite("hub migrate and the analysts' views", .serialized)
struct HubMigrateTests {
    @Test("a SQLite hub moves to PostgreSQL with equal digests; the read-only role's views give report's figures")
    func migrateThenRead() async throws {
        let database = try TestDatabase.create()
        defer { TestDatabase.drop(database) }
        let net = try DaemonNetwork(["京0105", "粤0106"])
        for daemon in net.daemons.values { try daemon.start(runner: net.cli) }
        var ids: [String] = []
        for (n, (from, to)) in [("京0105", "粤0106"), ("粤0106", "京0105"), ("京0105", "粤0106")].enumerated() {
            let created = try net.run([
                "matter", "create", "--documents-later", "--data-dir", net.dir(from), "--case",
                "（2026）\(from)执\(n + 1)号",
                "--to", to, "--kind", "deposit:freeze", "--json",
            ])
            ids.append(try #require(created.json["id"] as? String, "\(created.stderr)"))
            #expect(try await eventually { try net.matters(to)[ids[n]] == "sent" }, "\(net.logs())")
        }
        // 粤0106 signs and completes the first, returns the third; 京0105 signs the second.
        for arguments in [
            ["matter", "sign", "--data-dir", net.dir("粤0106"), ids[0]],
            ["matter", "complete", "--data-dir", net.dir("粤0106"), ids[0], "--outcome", "full"],
            ["matter", "sign", "--data-dir", net.dir("京0105"), ids[1]],
            [
                "matter", "return", "--data-dir", net.dir("粤0106"), ids[2], "--reason", "assetNotFound", "--feedback",
                "查无财产",
            ],
        ] {
            let result = try net.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        #expect(
            try await eventually {
                let hub = try net.matters("最高法")
                return hub[ids[0]] == "completed" && hub[ids[1]] == "signed" && hub[ids[2]] == "returned"
            }, "\(net.logs())")

        // Refused while the daemon runs: a write could miss the move.
        let running = try net.run(["hub", "migrate", "--data-dir", net.dir("最高法"), "--to", database.description])
        #expect(running.status == 1 && running.stderr.contains("daemon is running"), "\(running.stderr)")
        #expect(net.daemons["最高法"]!.stop() == 0)
        let before = try net.digest("最高法")

        let moved = try net.run([
            "hub", "migrate", "--data-dir", net.dir("最高法"), "--to", database.description, "--json",
        ])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(moved.json["verified"] as? Bool == true)
        let move = try #require(moved.json["move"] as? [String: Any])
        #expect(move["digest"] as? String == before && move["storeDigest"] as? String == before)
        #expect(try net.digest("最高法") == before)
        let again = try net.run(["hub", "migrate", "--data-dir", net.dir("最高法"), "--to", database.description])
        #expect(again.status == 1 && again.stderr.contains("already"), "\(again.stderr)")

        // The hub serves from PostgreSQL: a new matter still flows.
        try net.daemons["最高法"]!.start(runner: net.cli)
        let fourth = try net.run([
            "matter", "create", "--documents-later", "--data-dir", net.dir("京0105"), "--case", "（2026）京0105执9号",
            "--to", "粤0106", "--kind", "vehicle:seize", "--json",
        ])
        let fourthID = try #require(fourth.json["id"] as? String)
        #expect(try await eventually { try net.matters("粤0106")[fourthID] == "sent" }, "\(net.logs())")
        #expect(
            try await eventually { Int(try TestDatabase.psql(database, "SELECT count(*) FROM courtsync_matters")) == 4 }
        )

        // The analysts' role, as docs/postgres.md sets it up: the views and nothing else.
        _ = try TestDatabase.psql(
            database,
            """
            DO $$ BEGIN CREATE ROLE courtsync_analyst NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            GRANT USAGE ON SCHEMA public TO courtsync_analyst;
            GRANT SELECT ON courtsync_matters, courtsync_events, courtsync_indicators TO courtsync_analyst;
            """)
        let asAnalyst = { (sql: String) throws -> String in
            try TestDatabase.psql(database, "SET ROLE courtsync_analyst; \(sql)")
        }
        #expect(throws: PostgresStoreError.self) { try asAnalyst("SELECT count(*) FROM replica_events") }
        #expect(Int(try asAnalyst("SELECT count(*) FROM courtsync_events")) ?? 0 >= 7)
        let report = try net.run(["report", "indicators", "--data-dir", net.dir("最高法"), "--format", "json"])
        #expect(report.status == 0, "\(report.stderr)")
        let rows = try #require(report.json["rows"] as? [[String: Any]])
        let fields = [
            "sent", "received", "signed", "completed", "returned", "withdrawn", "completed_on_time",
            "completion_rate", "on_time_rate", "mean_days", "median_days", "p90_days", "mean_sign_lag_days",
            "overdue_open",
        ]
        let keys = [
            "sent", "received", "signed", "completed", "returned", "withdrawn", "completedOnTime", "completionRate",
            "onTimeRate", "meanDays", "medianDays", "p90Days", "meanSignLagDays", "overdueOpen",
        ]
        let viewRows = try asAnalyst(
            "SELECT court, \(fields.map { "coalesce(\($0)::text, 'null')" }.joined(separator: ", ")) FROM courtsync_indicators ORDER BY court"
        ).split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        #expect(viewRows.map { $0[0] } == rows.map { $0["key"] as! String })
        for (row, view) in zip(rows, viewRows) {
            try #require(view.count == keys.count + 1, "\(view)")
            for (index, key) in keys.enumerated() {
                let text = view[index + 1]
                switch row[key] {
                case let number as NSNumber where text != "null":
                    #expect(
                        abs(number.doubleValue - Double(text)!) < 1e-9, "\(row["key"]!) \(key): \(number) vs \(text)")
                default:
                    #expect(
                        row[key] is NSNull && text == "null", "\(row["key"]!) \(key): \(row[key] ?? "-") vs \(text)")
                }
            }
        }
    }
}
