/// The parent links among one matter's events: which event had seen which.
///
/// Two events are concurrent when neither is an ancestor of the other: their authors acted
/// without knowing of each other's act. Parents outside the set are ignored.
public struct EventGraph {
    private let byID: [EventID: Event]
    private var ancestorCache: [EventID: Set<EventID>] = [:]

    /// The graph of `events`.
    public init(_ events: some Sequence<Event>) {
        byID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The strict ancestors of `id` within the set.
    public mutating func ancestors(of id: EventID) -> Set<EventID> {
        if let cached = ancestorCache[id] { return cached }
        let found = Self.closure(of: byID[id]?.parents ?? [], in: byID)
        ancestorCache[id] = found
        return found
    }

    /// Whether `a` and `b` are different events neither of which had seen the other.
    public mutating func areConcurrent(_ a: EventID, _ b: EventID) -> Bool {
        a != b && !ancestors(of: b).contains(a) && !ancestors(of: a).contains(b)
    }

    /// The events the author of `event` had seen, among `history` (keyed by id): its parents and
    /// all their ancestors. This is the matter as it stood where the event was made.
    public static func causalPast(of event: Event, in history: [EventID: Event]) -> [Event] {
        closure(of: event.parents, in: history).map { history[$0]! }
    }

    private static func closure(of roots: [EventID], in byID: [EventID: Event]) -> Set<EventID> {
        var seen: Set<EventID> = []
        var stack = roots.filter { byID[$0] != nil }
        while let next = stack.popLast() {
            guard seen.insert(next).inserted else { continue }
            for parent in byID[next]!.parents where byID[parent] != nil && !seen.contains(parent) {
                stack.append(parent)
            }
        }
        return seen
    }
}
