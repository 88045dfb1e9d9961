import Entrustment
import Foundation
import GRDB
import Node

/// c. Propagation: a matter sent at court A (written into A's replica, as `courtsync matter
/// create` does) until it is stored at court B, through both daemons and the hub, with long-poll.
/// The delay is B's storage time minus A's sending time: both read the same machine clock.
enum PropagationBenchmark {
    /// Sends `count` matters from `from` to `to`, one every `interval` seconds, waits until `to`
    /// holds them all, and returns each matter's delay in seconds.
    static func run(from: URL, to: URL, toCourt: CourtCode, count: Int, interval: Double) async throws -> [Double] {
        let sender = try CourtNode(dataDirectory: from, time: SystemTimeSource())
        defer { try? sender.close() }
        for index in 1...count {
            _ = try sender.createMatter(
                MatterDraft(
                    caseNumber: "（2026）\(sender.identity.court)执\(index)号", entrustedCourt: toCourt.rawValue,
                    kind: "deposit:freeze", debtor: "某贸易有限公司"))
            try await Task.sleep(for: .milliseconds(Int64(interval * 1000)))
        }
        let receiver = try DatabaseQueue(
            path: CourtNode.replicaPath(in: to),
            configuration: {
                var c = Configuration(); c.readonly = true; return c
            }())
        let deadline = Date().addingTimeInterval(60)
        while try await receiver.read({ try Int.fetchOne($0, sql: "SELECT count(*) FROM matters") ?? 0 }) < count {
            guard Date() < deadline else {
                throw NodeError(code: "benchFailed", "the matters did not all arrive in 60 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        let arrived = try await receiver.read { db in
            try Row.fetchAll(db, sql: "SELECT id, sent_at, first_stored_at FROM matters").map { row in
                let sent = try Timestamp(rfc3339: row["sent_at"])
                let stored = try Timestamp(rfc3339: row["first_stored_at"])
                return Double(stored.milliseconds - sent.milliseconds) / 1000
            }
        }
        return arrived
    }
}
