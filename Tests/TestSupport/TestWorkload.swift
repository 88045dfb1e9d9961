import Entrustment
import Foundation
import Node

/// Fills a node's replica quickly, in-process, for tests that need a backlog.
public enum TestWorkload {
    /// Sends `count` 冻结银行存款 matters from the node's court to 粤0106 (or 京0105 if it is 粤0106).
    public static func createMatters(dataDirectory: URL, count: Int) throws {
        let node = try CourtNode(dataDirectory: dataDirectory, time: SystemTimeSource())
        defer { try? node.close() }
        let to = node.identity.court.rawValue == "粤0106" ? "京0105" : "粤0106"
        for sequence in 1...count {
            _ = try node.createMatter(
                MatterDraft(
                    caseNumber: "（2026）\(node.identity.court)执\(sequence)号", entrustedCourt: to, kind: "deposit:freeze")
            )
        }
    }
}
