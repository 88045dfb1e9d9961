import Foundation
import TestSupport
import Testing

/// An act the CLI reported done (exit 0): its event is stored at that court.
struct AcknowledgedAct: Hashable {
    var matter: String
    var kind: String
}

extension DaemonNetwork {
    /// Checks that the network has settled after a fault: every court's digest equals the hub's
    /// view of its matters (syncing by hand while waiting), every acknowledged act is stored
    /// exactly once at every node and nothing else is, the hub witnessed storing each of them,
    /// nothing sits in a quarantine, every file passes `PRAGMA integrity_check`, `audit verify` is
    /// clean (hub witnesses' signatures included), no court has anything left to push, and no
    /// pull cursor is beyond the hub's head. `context` (a seed, a crash point) heads
    /// every failure.
    func expectSettled(
        courts: [String], acknowledged: Set<AcknowledgedAct>, context: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        for court in courts {
            let converged = try await eventually(within: 60) {
                _ = try run(["sync", "--data-dir", dir(court)])
                return try digest(court) == digest("最高法", for: court)
            }
            #expect(converged, "\(context): \(court) did not converge\n\(logs())", sourceLocation: sourceLocation)
        }
        for node in ["最高法"] + courts {
            for act in acknowledged {
                let held = try count(
                    node, "SELECT count(*) FROM events WHERE matter_id = '\(act.matter)' AND kind = '\(act.kind)'")
                #expect(
                    held == 1, "\(context): \(node) holds \(held) \(act.kind) events of \(act.matter)",
                    sourceLocation: sourceLocation)
            }
            #expect(
                try count(node, "SELECT count(*) FROM events") == acknowledged.count, "\(context): \(node)",
                sourceLocation: sourceLocation)
            #expect(
                try count(node, "SELECT count(*) FROM quarantine") == 0, "\(context): \(node)",
                sourceLocation: sourceLocation)
            if node == "最高法" {
                #expect(
                    try count(node, "SELECT count(*) FROM witnesses WHERE kind = 'stored'") == acknowledged.count,
                    "\(context): every event the hub stores is witnessed once", sourceLocation: sourceLocation)
            }
            let integrity = try CrashTests.sqlite(dir(node), "PRAGMA integrity_check")
            #expect(integrity == "ok", "\(context): \(node): \(integrity)", sourceLocation: sourceLocation)
            let audit = try run(["audit", "verify", "--data-dir", dir(node)])
            #expect(audit.status == 0, "\(context): \(node): \(audit.stdout)", sourceLocation: sourceLocation)
        }
        for court in courts {
            #expect(try pushBacklog(court) == 0, "\(context): \(court)", sourceLocation: sourceLocation)
            let hubHead = try count("最高法", "SELECT head_seq FROM node")
            let pulled = try count(court, "SELECT pulled_through FROM links WHERE court = '最高法'")
            #expect(
                pulled <= hubHead, "\(context): \(court) pulled through \(pulled) of \(hubHead)",
                sourceLocation: sourceLocation)
        }
    }

    /// The events the court has not had acknowledged by the hub (`courtsync peers`).
    func pushBacklog(_ court: String) throws -> Int? {
        let peers = try run(["peers", "--data-dir", dir(court), "--json"]).json["peers"] as? [[String: Any]]
        return peers?.first { $0["court"] as? String == "最高法" }?["pushBacklog"] as? Int
    }
}
