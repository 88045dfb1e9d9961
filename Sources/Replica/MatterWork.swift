import Entrustment

/// One matter's events as a write transaction sees them, and their fold, computed only when
/// asked for and again only after an event is added.
struct MatterWork {
    /// The events held, in arrival order.
    private(set) var history: [Event]
    private var byID: [EventID: Event]
    private var folded: (matter: Matter, acts: MatterActs)??

    init(history: [Event]) {
        self.history = history
        byID = Dictionary(history.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The entrusting and entrusted courts, fixed by the matter's `create` (`nil` until held).
    var parties: (entrusting: CourtCode, entrusted: CourtCode)? {
        for event in history {
            if case .create(let request) = event.action { return (event.author, request.entrustedCourt) }
        }
        return nil
    }

    /// The held event with that id.
    func event(_ id: EventID) -> Event? { byID[id] }

    /// Adds a stored event.
    mutating func add(_ event: Event) {
        history.append(event)
        byID[event.id] = event
        folded = nil
    }

    /// The matter folded from every event held (`nil` if none).
    mutating func current(directory: CourtDirectory) -> Matter? { currentWithActs(directory: directory)?.matter }

    /// The matter folded from every event held and which events its times come from.
    mutating func currentWithActs(directory: CourtDirectory) -> (matter: Matter, acts: MatterActs)? {
        if let folded { return folded }
        let result = MatterFold.foldWithActs(history, directory: directory)
        folded = .some(result)
        return result
    }

    /// The causal past of `event` (its parents and their ancestors among the events held) and
    /// the matter as it stood there: the fold of that past.
    mutating func past(of event: Event, directory: CourtDirectory) -> (events: [Event], matter: Matter?) {
        let past = EventGraph.causalPast(of: event, in: byID)
        let matter =
            past.count == history.count ? current(directory: directory) : MatterFold.fold(past, directory: directory)
        return (past, matter)
    }
}
