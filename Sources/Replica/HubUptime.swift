import Entrustment
import GRDB

/// When the hub served (its daemon ran): the log from which a witness states how long the hub was
/// down since an act, so that the hub's own outages never count against a court (`docs/indicators.md`).
///
/// The daemon records a run when it starts and keeps its end current every
/// ``heartbeatMilliseconds``; the gaps between runs are the downtime. When the witness is not made
/// by the running daemon itself, a gap still open (no run alive within three heartbeats, e.g. hub
/// staff importing a change file with the daemon stopped) counts until now.
public enum HubUptime {
    /// One run of the hub's daemon.
    public struct Run: Sendable, Hashable {
        public var startedAt: Int64
        public var aliveAt: Int64

        public init(startedAt: Int64, aliveAt: Int64) {
            self.startedAt = startedAt
            self.aliveAt = aliveAt
        }
    }

    /// The runs logged in the replica.
    static func runs(in db: Database) throws -> [Run] {
        try Row.fetchAll(db, sql: "SELECT started_at_ms, alive_at_ms FROM hub_uptime").map {
            Run(startedAt: $0["started_at_ms"], aliveAt: $0["alive_at_ms"])
        }
    }

    /// How often a running hub marks itself alive.
    public static let heartbeatMilliseconds: Int64 = 15_000

    /// The milliseconds of `[from, to]` during which no run was alive, after the first run began
    /// (before it, there was no hub to be down). `serving`: the caller is the running daemon, so
    /// the hub is up now whatever the last heartbeat says.
    public static func downtime(from: Timestamp, to: Timestamp, runs: [Run], serving: Bool) -> Int64 {
        let runs = runs.sorted { $0.startedAt < $1.startedAt }
        guard from < to, let first = runs.first else { return 0 }
        var gaps: [(Int64, Int64)] = []
        var covered = first.aliveAt
        for run in runs.dropFirst() {
            if run.startedAt > covered { gaps.append((covered, run.startedAt)) }
            covered = max(covered, run.aliveAt)
        }
        if !serving, to.milliseconds - covered > 3 * heartbeatMilliseconds { gaps.append((covered, to.milliseconds)) }
        return gaps.reduce(0) { total, gap in
            total + max(0, min(gap.1, to.milliseconds) - max(gap.0, from.milliseconds))
        }
    }
}
