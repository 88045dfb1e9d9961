/// Folds a matter's events into its state, deterministically.
///
/// The events are put in a topological order of their parent links, ties broken by
/// (HLC timestamp, event id), so the result depends only on the set of events, never on the order
/// they arrived in. Each event is then checked against the ``Lifecycle`` table: an event whose
/// author has no right to it is skipped (receivers never store one); an event the author's role
/// permits but the state reached does not (a concurrent act) is recorded in
/// ``Matter/superseded`` and changes nothing.
public enum MatterFold {
    /// The matter these events make, or `nil` if there is no `create` among them.
    ///
    /// Parents outside the set are ignored; callers hold events back until their parents arrive.
    public static func fold(_ events: some Collection<Event>, directory: CourtDirectory) -> Matter? {
        var matter: Matter?
        for event in order(events) {
            apply(event, to: &matter, directory: directory)
        }
        if var folded = matter {
            folded.heads = heads(of: events)
            folded.eventCount = events.count
            matter = folded
        }
        return matter
    }

    /// The events in fold order: parents before children, ties by (timestamp, id).
    public static func order(_ events: some Collection<Event>) -> [Event] {
        let byID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var pendingParents: [EventID: Int] = [:]
        var children: [EventID: [EventID]] = [:]
        for event in byID.values {
            let known = event.parents.filter { byID[$0] != nil }
            pendingParents[event.id] = known.count
            for parent in known { children[parent, default: []].append(event.id) }
        }
        var ready = MinHeap(byID.values.filter { pendingParents[$0.id] == 0 }, by: precedes)
        var ordered: [Event] = []
        ordered.reserveCapacity(byID.count)
        while let event = ready.removeMinimum() {
            ordered.append(event)
            for child in children[event.id] ?? [] {
                pendingParents[child]! -= 1
                if pendingParents[child] == 0 { ready.insert(byID[child]!) }
            }
        }
        return ordered
    }

    /// The events no other event in the set names as a parent, ascending by id.
    public static func heads(of events: some Collection<Event>) -> [EventID] {
        let referenced = Set(events.flatMap(\.parents))
        return Set(events.map(\.id)).subtracting(referenced).sorted()
    }

    static func precedes(_ a: Event, _ b: Event) -> Bool {
        (a.timestamp, a.id) < (b.timestamp, b.id)
    }

    static func apply(_ event: Event, to matter: inout Matter?, directory: CourtDirectory) {
        guard var current = matter else {
            if case .create(let request) = event.action, event.matterID.court == event.author {
                matter = Matter(
                    id: event.matterID, request: request, entrustingCourt: event.author, state: .sent,
                    sentAt: event.recordedAt, urgeCount: 0, supervised: false, heads: [], eventCount: 0,
                    superseded: [], lastActivityAt: event.recordedAt)
            }
            return
        }
        let roles = current.roles(of: event.author, in: directory)
        let next: MatterState
        do {
            next = try Lifecycle.transition(event.kind, by: roles, in: current.state)
        } catch {
            if error.code == .illegalTransition { current.superseded.append(event.id) }
            matter = current
            return
        }
        let at = event.recordedAt
        current.state = next
        current.lastActivityAt = max(current.lastActivityAt, at)
        switch event.action {
        case .create: break
        case .sign: current.signedAt = at
        case .start: current.startedAt = at
        case .complete(let outcome, let feedback):
            current.completedAt = at
            current.outcome = outcome
            current.feedback = feedback
        case .return(let reason, let feedback):
            current.returnedAt = at
            current.returnReason = reason
            current.feedback = feedback
        case .withdraw: current.withdrawnAt = at
        case .urge: current.urgeCount += 1
        case .supervise: current.supervised = true
        case .close: current.closedAt = at
        }
        matter = current
    }
}
