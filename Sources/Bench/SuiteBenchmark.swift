import Demo
import Entrustment
import Foundation
import Node
import SyncEngine

/// i. Another signature suite (the national `sm2`): its verify ceiling and the hub's verified
/// apply rate, measured as (a) measures `ed25519`'s, on a network of that suite made for it.
enum SuiteBenchmark {
    struct Result {
        var ceiling: SignatureCeiling
        /// The hub's signing rate: it signs a storage witness for every event it stores.
        var signing: SigningRate
        var apply: ApplyBenchmark.Result
    }

    /// Makes a hub and the courts `from` and `to` of `suite` in `folder`, `matters` matters
    /// from `from` to `to` (three events each), and measures.
    static func run(
        suite: SignatureSuite, matters: Int, from fromCourt: CourtCode, to toCourt: CourtCode,
        reference: ReferenceData, folder: URL, basePort: Int
    ) async throws -> Result {
        let network = try DemoNetwork.create(
            in: folder, courts: [fromCourt, toCourt], basePort: basePort, reference: reference, clock: nil,
            suite: suite)
        func node(_ court: CourtCode) throws -> CourtNode {
            let member = network.members.first { $0.court == court }!
            return try CourtNode(dataDirectory: member.dataDirectory, time: SystemTimeSource())
        }
        let hub = try node(.supreme)
        let from = try node(fromCourt)
        let to = try node(toCourt)
        defer {
            try? hub.close()
            try? from.close()
            try? to.close()
        }
        let bulk = try BenchEvents.recent(matters: matters, from: from, to: to)
        let ceiling = try bulk.ceiling(of: from)
        let signing = SigningRate.measure(count: min(4_000, bulk.matters)) { hub.sign($0, for: .witness) }
        let batch = 1_000
        let apply = try await ApplyBenchmark.run(
            sets: try bulk.changeSets(of: batch, sender: from), events: bulk.events, batch: batch, hub: hub,
            hubConfig: try NodeConfig.load(from: network.hub.dataDirectory), sender: from, scratch: folder)
        return Result(ceiling: ceiling, signing: signing, apply: apply)
    }
}
