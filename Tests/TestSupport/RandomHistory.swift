import Entrustment

/// A small, fast, seedable random number generator (SplitMix64), so that a failing property
/// test can be replayed from its seed.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random histories of one matter acted on by several courts that see each other's events only
/// when they sync: concurrent branches, acts that the fold must supersede, merges.
public enum RandomHistory {
    /// The courts taking part and the acts each may try.
    static let actors: [(court: String, acts: [EventKind])] = [
        ("京0105", [.withdraw, .urge, .close]),
        ("粤0106", [.sign, .start, .complete, .return]),
        ("京03", [.urge, .supervise]),
        ("最高法", [.urge, .supervise]),
    ]

    /// Every event of a random history of `steps` steps.
    public static func events(seed: UInt64, steps: Int = 24) -> [Event] {
        var rng = SeededGenerator(seed: seed)
        let create = Fixtures.create(at: HybridTimestamp(wall: 1_795_000_000_000, counter: 0))
        var views: [[Event]] = actors.map { _ in [create] }
        var all: [Event] = [create]
        var clocks = actors.map { _ in HybridLogicalClock(last: create.timestamp) }
        var wall: Int64 = 1_795_000_000_000
        for _ in 0..<steps {
            let who = Int.random(in: 0..<actors.count, using: &rng)
            if Bool.random(using: &rng) {
                // Sync: `who` learns everything another court knows.
                let other = Int.random(in: 0..<actors.count, using: &rng)
                let known = Set(views[who].map(\.id))
                views[who] += views[other].filter { !known.contains($0.id) }
                for event in views[who] { clocks[who].observe(event.timestamp, now: Timestamp(milliseconds: wall)) }
                continue
            }
            wall += Int64.random(in: 0...60_000, using: &rng)
            let kind = actors[who].acts.randomElement(using: &rng)!
            let action: EventAction =
                switch kind {
                case .complete: .complete(outcome: Outcome.allCases.randomElement(using: &rng)!, feedback: "反馈\(wall)")
                case .return: .return(reason: .assetNotFound, feedback: "退回\(wall)")
                case .sign: .sign(note: "")
                case .start: .start(note: "")
                case .withdraw: .withdraw(note: "")
                case .urge: .urge(note: "催\(wall)")
                case .supervise: .supervise(note: "")
                default: .close(note: "")
                }
            let event = try! Event(
                matterID: create.matterID, author: Fixtures.code(actors[who].court),
                origin: Fixtures.node("\(actors[who].court).node"),
                timestamp: clocks[who].tick(now: Timestamp(milliseconds: wall)),
                parents: MatterFold.heads(of: views[who]), action: action)
            views[who].append(event)
            all.append(event)
        }
        return all
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
