import Entrustment
import Foundation
import GRDB
import Monitoring
import Node
import Replica
import TestSupport
import Testing

/// The headline indicators computed a second, independent way: plain SQL over the hub's
/// `events` and `witnesses` tables (which act happened when, and when the hub stored it: the
/// late-report rule is applied in SQL), joined to the `matters` row only for what the `create`
/// and `sign` events carry inside their encoded payload (entrusted court, arrival time) and the
/// deadline that counts. The Swift side folds, attributes and aggregates; the SQL side counts events.
@Suite("indicators cross-checked with plain SQL", .serialized)
struct CrossCheckTests {
    static let courts = ["京0105", "粤0106", "沪0115"]

    /// Seven random weeks of work among three courts through an in-process network on a hand-moved
    /// clock: sends, signs, starts, completions, returns and withdrawals (of matters the
    /// entrusted court has not received, so no act conflicts), with syncs at random moments.
    static func workload(seed: UInt64) async throws -> (InProcessNetwork, ManualClock) {
        var random = SeededGenerator(seed: seed)
        let clock = ManualClock(try Timestamp(rfc3339: "2026-03-02T08:00:00+08:00"))
        let network = try InProcessNetwork()
        for court in courts { try network.add(court, time: clock) }
        let kinds = ["deposit:freeze", "documents:serve", "vehicle:seize", "assets:investigate"]
        var cases = 0
        for _ in 0..<80 {
            clock.advance(milliseconds: Int64.random(in: 600_000...(30 * 3_600_000), using: &random))
            let court = courts.randomElement(using: &random)!
            let node = network.members[court]!.node
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                cases += 1
                let to = courts.filter { $0 != court }.randomElement(using: &random)!
                _ = try node.createMatter(
                    MatterDraft(
                        caseNumber: "（2026）\(court)执\(cases)号", entrustedCourt: to,
                        kind: kinds.randomElement(using: &random)!, urgent: Bool.random(using: &random)))
            case 4..<9:
                let mine = try node.matters(MatterFilter()).filter {
                    $0.state.isOpen && $0.entrustedCourt.rawValue == court
                }
                guard let matter = mine.randomElement(using: &random) else { break }
                let action: EventAction =
                    switch (matter.state, Int.random(in: 0..<10, using: &random)) {
                    case (.sent, 0): .return(reason: .documentsIncomplete, feedback: "材料不全")
                    case (.sent, _): .sign(note: "")
                    case (.signed, 0): .return(reason: .assetNotFound, feedback: "")
                    case (.signed, 1...3): .start(note: "")
                    default: .complete(outcome: .full, feedback: "")
                    }
                _ = try node.act(on: matter.id.rawValue, action)
            default:
                let sent = try node.matters(MatterFilter(state: .sent)).filter { $0.entrustingCourt.rawValue == court }
                guard let matter = sent.randomElement(using: &random) else { break }
                let entrusted = network.members[matter.entrustedCourt.rawValue]!.node
                guard try entrusted.matters(MatterFilter()).allSatisfy({ $0.id != matter.id }) else { break }
                _ = try node.act(on: matter.id.rawValue, .withdraw(note: "撤回"))
                try await network.settle([court], with: CourtCode.supreme.rawValue)
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                try await network.settle(courts, with: CourtCode.supreme.rawValue)
            }
        }
        try await network.settle(courts, with: CourtCode.supreme.rawValue)
        return (network, clock)
    }

    /// One court's figures as the SQL computes them.
    struct Expected {
        var sent = 0, received = 0, completed = 0, onTime = 0, returned = 0, withdrawn = 0, overdue = 0
        var meanDays: Double?
        var medianDays: Double?
        var p90Days: Double?
    }

    /// The counted time of every event, by plain SQL from the `events` and `witnesses` tables
    /// (`docs/indicators.md`, honest time): the recorded time, unless the hub stored the event
    /// more than the grace after it (its downtime not counted) or before it: then the stored time;
    /// and never before the matter's `create` counts. (The workload makes no conflicts, so every
    /// act stands.) `t` is a Julian day number.
    static let countedActs = """
        WITH stored AS (SELECT event_id, at, hub_downtime_ms, grace_ms FROM witnesses WHERE kind = 'stored'),
        own AS (
            SELECT e.id, e.matter_id, e.kind,
                CASE
                    WHEN s.event_id IS NULL THEN julianday(e.recorded_at)
                    WHEN (julianday(s.at) - julianday(e.recorded_at)) * 86400000.0 - s.hub_downtime_ms > s.grace_ms
                        THEN julianday(s.at)
                    WHEN julianday(s.at) < julianday(e.recorded_at) THEN julianday(s.at)
                    ELSE julianday(e.recorded_at)
                END AS t
            FROM events e LEFT JOIN stored s ON s.event_id = e.id),
        sent AS (SELECT matter_id, t AS sent_t FROM own WHERE kind = 'create'),
        acts AS (
            SELECT o.id, o.matter_id, o.kind, max(o.t, s.sent_t) AS t, s.sent_t
            FROM own o JOIN sent s ON s.matter_id = o.matter_id),
        received AS (
            SELECT m.id AS matter_id,
                min(max(coalesce(julianday(m.received_at), s.sent_t), s.sent_t),
                    coalesce((SELECT min(a.t) FROM acts a WHERE a.matter_id = m.id
                              AND a.kind IN ('sign', 'return', 'complete')), 1e9)) AS received_t
            FROM matters m JOIN sent s ON s.matter_id = m.id)
        """

    /// The figures by plain SQL; with `period`, only acts counted within it count (each fact at
    /// its own act's counted time), except 超期未办结, which is taken now.
    static func sql(_ path: String, now: Timestamp, period: Range<Timestamp>? = nil) throws -> [String: Expected] {
        let within =
            period.map {
                "AND a.t >= julianday('\($0.lowerBound.rfc3339)') AND a.t < julianday('\($0.upperBound.rfc3339)')"
            } ?? ""
        let queue = try DatabaseQueue(
            path: path,
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }())
        return try queue.read { db in
            var figures: [String: Expected] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    \(countedActs)
                    SELECT m.entrusting_court AS court, sum(a.kind = 'create') AS sent,
                        sum(a.kind = 'withdraw') AS withdrawn
                    FROM acts a JOIN matters m ON m.id = a.matter_id WHERE 1 \(within) GROUP BY 1
                    """)
            {
                figures[row["court"], default: Expected()].sent = row["sent"]
                figures[row["court"], default: Expected()].withdrawn = row["withdrawn"]
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    \(countedActs)
                    SELECT m.entrusted_court AS court,
                        sum(a.kind = 'create') AS received, sum(a.kind = 'complete') AS completed,
                        sum(a.kind = 'return') AS returned,
                        sum(a.kind = 'complete' AND a.t < julianday(m.counted_due, '+1 day', '-8 hours')) AS on_time,
                        avg(CASE WHEN a.kind = 'complete' THEN a.t - r.received_t END) AS mean_days
                    FROM acts a JOIN matters m ON m.id = a.matter_id JOIN received r ON r.matter_id = a.matter_id
                    WHERE 1 \(within) GROUP BY 1
                    """)
            {
                var f = figures[row["court"], default: Expected()]
                f.received = row["received"]
                f.completed = row["completed"]
                f.returned = row["returned"]
                f.onTime = row["on_time"]
                f.meanDays = row["mean_days"]
                figures[row["court"]] = f
            }
            // Median and nearest-rank 90th percentile with window functions.
            for row in try Row.fetchAll(
                db,
                sql: """
                    \(countedActs),
                    d AS (
                        SELECT m.entrusted_court AS court, a.t - r.received_t AS days
                        FROM acts a JOIN matters m ON m.id = a.matter_id JOIN received r ON r.matter_id = a.matter_id
                        WHERE a.kind = 'complete' \(within)),
                    ranked AS (SELECT court, days, row_number() OVER (PARTITION BY court ORDER BY days) AS rn,
                        count(*) OVER (PARTITION BY court) AS n FROM d)
                    SELECT court,
                        avg(CASE WHEN rn IN ((n + 1) / 2, (n + 2) / 2) THEN days END) AS median,
                        max(CASE WHEN rn = CAST(0.9 * n AS INTEGER) + (0.9 * n > CAST(0.9 * n AS INTEGER)) THEN days END) AS p90
                    FROM ranked GROUP BY court
                    """)
            {
                figures[row["court"]]?.medianDays = row["median"]
                figures[row["court"]]?.p90Days = row["p90"]
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT m.entrusted_court AS court, count(*) AS n FROM events c JOIN matters m ON m.id = c.matter_id
                    WHERE c.kind = 'create'
                      AND NOT EXISTS (SELECT 1 FROM events t WHERE t.matter_id = c.matter_id
                                      AND t.kind IN ('complete', 'return', 'withdraw'))
                      AND julianday(?) >= julianday(m.counted_due, '+1 day', '-8 hours')
                    GROUP BY 1
                    """, arguments: [now.rfc3339])
            { figures[row["court"], default: Expected()].overdue = row["n"] }
            return figures
        }
    }

    @Test(
        "by court, every figure equals the SQL's, over everything and over a fortnight",
        arguments: try TestSeed.table([11, 2026, 8_080]))
    func equalsSQL(seed: UInt64) async throws {
        let (network, clock) = try await Self.workload(seed: seed)
        defer { network.remove() }
        // Judge overdue 40 days on, so that some matters are past their deadline.
        clock.advance(milliseconds: 40 * 86_400_000)
        let hub = network.hub.node
        let path = CourtNode.replicaPath(in: network.folder.path("最高法"))
        let monitor = Monitor(replica: hub.replica, now: clock.now())
        let all = try monitor.indicators(by: .court)
        #expect(all.total.sent > 10, "seed \(seed): the workload is too small to mean anything")
        #expect(all.total.completed > 3 && all.total.returned + all.total.withdrawn > 0, "seed \(seed)")
        try Self.compare(all, try Self.sql(path, now: clock.now()), seed: seed)
        let fortnight = ReportPeriod(from: Fixtures.date("2026-03-09"), to: Fixtures.date("2026-03-22"))
        let part = try monitor.indicators(by: .court, period: fortnight)
        #expect(part.total.sent < all.total.sent && part.total.sent > 0, "seed \(seed)")
        try Self.compare(part, try Self.sql(path, now: clock.now(), period: fortnight.instants), seed: seed)
    }

    static func compare(_ report: IndicatorReport, _ expected: [String: Expected], seed: UInt64) throws {
        let counted = expected.filter { $0.value.sent + $0.value.received + $0.value.overdue + $0.value.returned > 0 }
        #expect(Set(counted.keys).isSubset(of: Set(report.rows.map(\.key))), "seed \(seed)")
        for row in report.rows {
            let e = expected[row.key] ?? Expected()
            let mine: [Int] = [
                row.sent, row.received, row.completed, row.completedOnTime, row.returned, row.withdrawn,
                row.overdueOpen,
            ]
            let theirs: [Int] = [e.sent, e.received, e.completed, e.onTime, e.returned, e.withdrawn, e.overdue]
            #expect(mine == theirs, "seed \(seed) \(row.key)")
            let ended = e.completed + e.returned
            #expect(row.completionRate == (ended == 0 ? nil : Double(e.completed) / Double(ended)))
            #expect(row.onTimeRate == (e.completed == 0 ? nil : Double(e.onTime) / Double(e.completed)))
            for (mine, theirs) in [
                (row.meanDays, e.meanDays), (row.medianDays, e.medianDays), (row.p90Days, e.p90Days),
            ] {
                #expect((mine == nil) == (theirs == nil), "seed \(seed) \(row.key)")
                if let mine, let theirs {
                    #expect(abs(mine - theirs) < 1e-7, "seed \(seed) \(row.key): \(mine) vs \(theirs)")
                }
            }
        }
    }
}
