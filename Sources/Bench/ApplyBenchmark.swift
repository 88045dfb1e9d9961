import Entrustment
import Foundation
import Logging
import Node
import SyncEngine

/// a. Apply throughput at the hub: compressed change sets through the whole push pipeline
/// (decompress, decode, verify signatures, authorise, store, fold, index) of a real
/// ``SyncResponder`` on a real replica, against the raw append of the same rows.
enum ApplyBenchmark {
    struct Result {
        var eventsPerSecond: Double
        var duplicatesPerSecond: Double
        var rawPerSecond: Double
        var stored: Int
    }

    /// Pushes `sets` (made by `sender`) into `hub`, then pushes them again (all duplicates), and
    /// appends `events` raw into a scratch file in `scratch`.
    static func run(
        sets: [[UInt8]], events: [Event], batch: Int, hub: CourtNode, hubConfig: NodeConfig, sender: CourtNode,
        scratch: URL
    ) async throws -> Result {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let responder = SyncResponder(node: hub, config: hubConfig, notifier: ChangeNotifier(), logger: logger)
        let requester = Requester(court: sender.identity.court, node: sender.identity.node)
        var stored = 0
        let first = try await Stopwatch.time {
            for set in sets { stored += try await responder.push(from: requester, body: set).stored }
        }
        guard stored == events.count else {
            throw NodeError(code: "benchFailed", "the hub stored \(stored) of \(events.count) events")
        }
        let again = try await Stopwatch.time {
            for set in sets { _ = try await responder.push(from: requester, body: set) }
        }
        let raw = try RawAppend.seconds(events, batch: batch, path: scratch.appendingPathComponent("raw.sqlite").path)
        let count = Double(events.count)
        return Result(
            eventsPerSecond: count / first, duplicatesPerSecond: count / again, rawPerSecond: count / raw,
            stored: stored)
    }
}
