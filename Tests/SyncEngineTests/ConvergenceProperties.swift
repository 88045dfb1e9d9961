import Entrustment
import Foundation
import Node
import Replica
import SyncEngine
import Testing
import TestSupport

/// Property: whatever the courts do while partitioned, and however their events travel (any
/// subset, any order, duplicated, delayed, through the sync protocol or handed over directly),
/// once everyone has exchanged everything every replica holds the same state: equal digests,
/// every conflict exactly once with the same winner and status, nothing left in quarantine.
///
/// Each seed runs 3–5 real nodes (SQLite replicas, the shipped court directory) in one process.
/// A failure names its seed; rerun it with `swift test --filter ConvergenceProperties`, and try
/// another with `COURTSYNC_TEST_SEED=N` (``TestSeed``).
@Suite("convergence under random histories, partitions and deliveries")
struct ConvergenceProperties {
    static let optional = ["京03", "粤01", "最高法"]

    @Test("replicas converge after full exchange", arguments: try TestSeed.table(1...16))
    func converge(seed: UInt64) async throws {
        var rng = SeededGenerator(seed: seed)
        let courts = ["京0105", "粤0106"] + Self.optional.filter { _ in Bool.random(using: &rng) }
        let net = try InProcessNetwork()
        defer { net.remove() }
        for court in courts { try net.add(court) }
        var simulation = Simulation(net: net, courts: courts, seed: seed)
        try simulation.create(from: "京0105", to: "粤0106")
        for step in 0..<100 {
            if step % 10 == 0 { simulation.repartition(using: &rng) }
            switch Int.random(in: 0..<100, using: &rng) {
            case 0..<50: simulation.act(using: &rng)
            case 50..<54:
                try simulation.create(from: Bool.random(using: &rng) ? "京0105" : "粤0106", to: nil)
            case 54..<88: try simulation.send(using: &rng)
            default: await simulation.syncOverProtocol(using: &rng)
            }
            try simulation.deliverDue(using: &rng)
        }
        try simulation.exchangeEverything()
        try simulation.checkConverged()
    }
}

/// The state of one random run.
private struct Simulation {
    let net: InProcessNetwork
    let courts: [String]
    let seed: UInt64
    var step = 0
    var cut: Set<[String]> = []
    var inFlight: [(due: Int, to: String, from: String, events: [Event])] = []
    var created = 0

    init(net: InProcessNetwork, courts: [String], seed: UInt64) {
        self.net = net
        self.courts = courts
        self.seed = seed
    }

    func node(_ court: String) -> CourtNode { net.members[court]!.node }

    /// Cuts a random set of links (both ways) until the next repartition.
    mutating func repartition(using rng: inout SeededGenerator) {
        cut = []
        for a in courts {
            for b in courts where a < b && Bool.random(using: &rng) { cut.insert([a, b]) }
        }
    }

    func isCut(_ a: String, _ b: String) -> Bool { cut.contains([min(a, b), max(a, b)]) }

    mutating func create(from court: String, to: String?) throws {
        guard created < 3 else { return }
        created += 1
        let target = to ?? (court == "京0105" ? "粤0106" : "京0105")
        _ = try node(court).createMatter(
            MatterDraft(
                caseNumber: "（2026）\(court)执\(seed % 10_000)0\(created)号", entrustedCourt: target, kind: "vehicle:seize"
            )
        )
    }

    /// A random act by a random court on a random matter it holds. Acts the court may not do, or
    /// not in the state it sees, are refused by the node exactly as a clerk's would be.
    mutating func act(using rng: inout SeededGenerator) {
        let court = courts.randomElement(using: &rng)!
        let node = self.node(court)
        guard let matter = (try? node.matters(MatterFilter()))?.randomElement(using: &rng) else { return }
        let id = matter.id.rawValue
        let roles = matter.roles(of: node.identity.court, in: node.replica.directory)
        var kinds: [EventKind] = []
        if roles.contains(.entrusted) { kinds += [.sign, .start, .complete, .complete, .return, .edit, .acknowledge] }
        if roles.contains(.entrusting) { kinds += [.withdraw, .urge, .close, .edit, .acknowledge] }
        if roles.contains(.superior) { kinds += [.urge, .supervise] }
        if roles.contains(.hub) { kinds += [.urge, .supervise, .acknowledge] }
        switch kinds.randomElement(using: &rng)! {
        case .sign: _ = try? node.act(on: id, .sign(note: ""))
        case .start: _ = try? node.act(on: id, .start(note: ""))
        case .complete:
            _ = try? node.act(on: id, .complete(outcome: Outcome.allCases.randomElement(using: &rng)!, feedback: "反馈"))
        case .return: _ = try? node.act(on: id, .return(reason: .assetNotFound, feedback: "退回"))
        case .withdraw: _ = try? node.act(on: id, .withdraw(note: "撤回"))
        case .urge: _ = try? node.act(on: id, .urge(note: "催办"))
        case .supervise: _ = try? node.act(on: id, .supervise(note: "督办"))
        case .close: _ = try? node.act(on: id, .close(note: ""))
        case .edit:
            let field = DescriptiveField.allCases.randomElement(using: &rng)!
            let value = field == .contactPhone ? "\(Int.random(in: 100...999, using: &rng))" : "\(court)的\(step)"
            _ = try? node.edit(id, [(field, value)])
        default:
            if let open = matter.openConflicts.randomElement(using: &rng) {
                _ = try? node.acknowledge(conflict: open.id.hex, note: "已核实")
            }
        }
    }

    /// Puts a random handful of one node's events (old and new, shuffled, some twice) in flight to
    /// another, to arrive 0–4 steps later.
    mutating func send(using rng: inout SeededGenerator) throws {
        let from = courts.randomElement(using: &rng)!
        let to = courts.randomElement(using: &rng)!
        guard from != to, !isCut(from, to) else { return }
        let all = try node(from).replica.events(after: 0).events
        guard !all.isEmpty else { return }
        var picked = (0..<Int.random(in: 1...max(1, all.count), using: &rng)).map { _ in
            all.randomElement(using: &rng)!
        }
        picked.shuffle(using: &rng)
        inFlight.append((step + Int.random(in: 0...4, using: &rng), to, from, picked))
    }

    /// Delivers what has arrived, in random order.
    mutating func deliverDue(using rng: inout SeededGenerator) throws {
        step += 1
        var due = inFlight.filter { $0.due <= step }
        inFlight.removeAll { $0.due <= step }
        due.shuffle(using: &rng)
        for delivery in due { try deliver(delivery.events, to: delivery.to, from: delivery.from) }
    }

    func deliver(_ events: [Event], to court: String, from sender: String) throws {
        let receiver = node(court)
        let now = receiver.time.now()
        _ = try receiver.replica.write { tx in
            try tx.receive(
                events, from: node(sender).identity.node, source: sender, now: now, visibleTo: receiver.identity.court,
                maxClockAhead: ReplicaTransaction.maxClockAhead)
        }
    }

    /// A real sync round (push and pull over the protocol responder) between two linked courts.
    mutating func syncOverProtocol(using rng: inout SeededGenerator) async {
        let a = courts.randomElement(using: &rng)!
        let b = courts.randomElement(using: &rng)!
        guard a != b, !isCut(a, b) else { return }
        await net.sync(a, with: [b])
    }

    /// Heals every partition and hands every node's events to every other node until nothing new
    /// is stored anywhere.
    mutating func exchangeEverything() throws {
        cut = []
        for delivery in inFlight { try deliver(delivery.events, to: delivery.to, from: delivery.from) }
        inFlight = []
        for _ in 0..<8 {
            let before = try courts.map { try node($0).replica.eventCount() }
            for from in courts {
                let events = try node(from).replica.events(after: 0).events
                for to in courts where to != from { try deliver(events, to: to, from: from) }
            }
            if try courts.map({ try node($0).replica.eventCount() }) == before { return }
        }
    }

    func checkConverged() throws {
        let context = "seed \(seed), courts \(courts)"
        var holders: [MatterID: [(String, Matter)]] = [:]
        for court in courts {
            #expect(try node(court).replica.quarantineCount() == 0, "\(context): \(court) has quarantined events")
            for matter in try node(court).matters(MatterFilter()) {
                holders[matter.id, default: []].append((court, matter))
            }
        }
        for (id, held) in holders {
            // Every court that may see the matter holds it.
            let parties = held[0].1
            let entitled = courts.filter {
                !parties.roles(of: Fixtures.code($0), in: node($0).replica.directory).isEmpty
            }
            #expect(held.map(\.0).sorted() == entitled.sorted(), "\(context): \(id) held by \(held.map(\.0))")
            // Every holder folded the same state, conflicts and all.
            let reference = held[0].1
            for (court, matter) in held.dropFirst() {
                #expect(MatterDigest.of(matter) == MatterDigest.of(reference), "\(context): \(id) differs at \(court)")
                #expect(matter.conflicts == reference.conflicts, "\(context): \(id) conflicts differ at \(court)")
            }
            #expect(Set(reference.conflicts.map(\.id)).count == reference.conflicts.count, "\(context): duplicate")
            // The stored state is the fold of the events.
            let events = try node(held[0].0).events(of: id).map(\.event)
            let folded = try #require(MatterFold.fold(events, directory: node(held[0].0).replica.directory))
            #expect(MatterDigest.of(folded) == MatterDigest.of(reference), "\(context): \(id) row is not the fold")
        }
        // The conflict lists every node prints agree with the matters they hold.
        for court in courts {
            let listed = try node(court).conflicts(includeAcknowledged: true).map(\.id).sorted()
            let expected = holders.values.flatMap { $0.filter { $0.0 == court }.flatMap { $0.1.conflicts.map(\.id) } }
            #expect(listed == expected.sorted(), "\(context): \(court) conflict list")
        }
        // The hub's view of each court equals that court's own digest.
        if courts.contains("最高法") {
            for court in courts where court != "最高法" {
                #expect(
                    try node("最高法").digest(visibleTo: court).digest == node(court).digest(visibleTo: nil).digest,
                    "\(context): hub's view of \(court)")
            }
        }
    }
}
