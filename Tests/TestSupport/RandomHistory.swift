import Entrustment
import Workload

/// The seedable generator of the workload model (SplitMix64), so that a failing property test
/// can be replayed from its seed.
public typealias SeededGenerator = SeededRandom

/// Random histories of one matter acted on by several nodes that see each other's events only
/// when they sync: concurrent branches, acts the fold must supersede, concurrent edits,
/// acknowledgements, merges. Every act is legal where it is made (each node checks it against
/// its own view with ``Admission``), as a real node's would be.
public enum RandomHistory {
    /// The nodes taking part (粤0106 runs two, so that it can complete twice or complete and
    /// return concurrently) and the acts each may try.
    static let actors: [(court: String, node: String, acts: [EventKind])] = [
        ("京0105", "京0105.node", [.withdraw, .urge, .close, .edit, .acknowledge]),
        ("粤0106", "粤0106.a", [.sign, .start, .complete, .return, .edit, .acknowledge]),
        ("粤0106", "粤0106.b", [.sign, .start, .complete, .return, .edit]),
        ("京03", "京03.node", [.urge, .supervise]),
        ("最高法", "最高法.hub", [.urge, .supervise, .acknowledge]),
    ]

    /// ``actors`` who also attach documents and ask for supplements (补办).
    static let documentActors: [(court: String, node: String, acts: [EventKind])] = actors.map { actor in
        switch actor.court {
        case "京0105": (actor.court, actor.node, actor.acts + [.attach, .attach])
        case "粤0106": (actor.court, actor.node, actor.acts + [.attach, .requestSupplement])
        default: actor
        }
    }

    /// Actors who ask for and decide extensions (延期) among the other acts: 粤0106 on two
    /// nodes (so that requests can be concurrent), the entrusting court, 粤01 (a superior of the
    /// entrusted court) and the hub decide; 京03 is a superior of the entrusting court only, so its
    /// decisions are refused and never made. Returns and withdrawals are rarer, so that matters
    /// stay open long enough to be extended.
    static let extensionActors: [(court: String, node: String, acts: [EventKind])] = [
        (
            "京0105", "京0105.node",
            [.withdraw, .edit, .acknowledge, .decideExtension, .decideExtension, .decideExtension]
        ),
        ("粤0106", "粤0106.a", [.sign, .start, .complete, .requestExtension, .requestExtension, .acknowledge]),
        ("粤0106", "粤0106.b", [.sign, .start, .complete, .return, .requestExtension, .requestExtension]),
        ("粤01", "粤01.node", [.urge, .supervise, .decideExtension]),
        ("京03", "京03.node", [.urge, .decideExtension]),
        ("最高法", "最高法.hub", [.urge, .decideExtension, .decideExtension, .acknowledge]),
    ]

    /// Every event of a random history of `steps` steps; with `documents`, the parties also
    /// attach documents and ask for supplements; with `extensions`, they ask for and decide
    /// extensions.
    public static func events(seed: UInt64, steps: Int = 24, documents: Bool = false, extensions: Bool = false)
        -> [Event]
    {
        let actors = extensions ? extensionActors : documents ? documentActors : actors
        var rng = SeededGenerator(seed: seed)
        let create = Fixtures.create(at: HybridTimestamp(wall: 1_795_000_000_000, counter: 0))
        var views: [[Event]] = actors.map { _ in [create] }
        var all: [Event] = [create]
        var clocks = actors.map { _ in HybridLogicalClock(last: create.timestamp) }
        var wall: Int64 = 1_795_000_000_000
        for _ in 0..<steps {
            let who = Int.random(in: 0..<actors.count, using: &rng)
            if Int.random(in: 0..<3, using: &rng) == 0 {
                // Sync: `who` learns everything another node knows.
                let other = Int.random(in: 0..<actors.count, using: &rng)
                let known = Set(views[who].map(\.id))
                views[who] += views[other].filter { !known.contains($0.id) }
                for event in views[who] { clocks[who].observe(event.timestamp, now: Timestamp(milliseconds: wall)) }
                continue
            }
            wall += Int64.random(in: 0...60_000, using: &rng)
            let view = MatterFold.fold(views[who], directory: Fixtures.directory)!
            let action = randomAction(actors[who].acts.randomElement(using: &rng)!, on: view, at: wall, using: &rng)
            guard let action else { continue }
            let event = try! Event(
                suite: .ed25519, matterID: create.matterID, author: Fixtures.code(actors[who].court),
                origin: Fixtures.node(actors[who].node),
                timestamp: clocks[who].tick(now: Timestamp(milliseconds: wall)),
                parents: MatterFold.heads(of: views[who]), action: action
            ).testSigned()
            guard
                (try? Admission.check(
                    event, history: views[who], directory: Fixtures.directory, calendars: Fixtures.calendars)) != nil
            else {
                continue
            }
            views[who].append(event)
            all.append(event)
        }
        return all
    }

    static func randomAction(
        _ kind: EventKind, on view: Matter, at wall: Int64, using rng: inout SeededGenerator
    ) -> EventAction? {
        switch kind {
        case .complete: return .complete(outcome: Outcome.allCases.randomElement(using: &rng)!, feedback: "反馈\(wall)")
        case .return: return .return(reason: .assetNotFound, feedback: "退回\(wall)")
        case .sign: return .sign(note: "")
        case .start: return .start(note: "")
        case .withdraw: return .withdraw(note: "")
        case .urge: return .urge(note: "催\(wall)")
        case .supervise: return .supervise(note: "")
        case .close: return .close(note: "")
        case .edit:
            let field = DescriptiveField.allCases.randomElement(using: &rng)!
            let value =
                field == .contactPhone
                ? "010-\(wall % 100_000_000)" : ["张三", "李四", "王五", ""].randomElement(using: &rng)!
            return .edit(field: field, value: value)
        case .acknowledge:
            guard let open = view.openConflicts.randomElement(using: &rng) else { return nil }
            return .acknowledge(conflict: open.id, note: "已核实")
        case .attach:
            let kinds: [DocumentKind] = [.entrustmentLetter, .judgment, .supplement, .receipt, .actRecord, .other]
            let kind = kinds.randomElement(using: &rng)!
            let content = Array("document \(wall) \(kind.rawValue)".utf8)
            return .attach(
                document: DocumentReference(
                    hash: DocumentHash(of: content, suite: .ed25519), kind: kind, fileName: "\(kind.rawValue).pdf",
                    mediaType: .pdf,
                    size: content.count),
                note: "")
        case .requestSupplement:
            guard
                let due = try? Fixtures.calendars.supplementDue(
                    requestedOn: Timestamp(milliseconds: wall).chinaDate, version: view.request.effectiveCalendarVersion
                )
            else { return nil }
            return .requestSupplement(kinds: [.judgment, .supplement], note: "缺材料", due: due)
        case .requestExtension:
            return .requestExtension(days: Int.random(in: 1...20, using: &rng), reason: "拍卖程序未完成\(wall)")
        case .decideExtension:
            guard let pending = view.pendingExtension else { return nil }
            return .decideExtension(
                request: pending.event, verdict: ExtensionVerdict.allCases.randomElement(using: &rng)!, note: "")
        case .create, .acceptLate: return nil
        }
    }

    /// The events in a random order in which every event comes after its parents.
    public static func causalShuffle(_ events: [Event], seed: UInt64) -> [Event] {
        var rng = SeededGenerator(seed: seed)
        var remaining = events.shuffled(using: &rng)
        var delivered: Set<EventID> = []
        var out: [Event] = []
        while !remaining.isEmpty {
            let index = remaining.firstIndex { $0.parents.allSatisfy(delivered.contains) }!
            let event = remaining.remove(at: index)
            delivered.insert(event.id)
            out.append(event)
        }
        return out
    }
}
