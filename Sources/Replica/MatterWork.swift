import Entrustment

/// One matter's events as a write transaction sees them, and their fold, computed only when
/// asked for and again only after an event is added.
struct MatterWork {
    /// The events held, in arrival order.
    private(set) var history: [Event]
    private var byID: [EventID: Event]
    private var folded: Matter??

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

    /// Adds a stored event.
    mutating func add(_ event: Event) {
        history.append(event)
        byID[event.id] = event
        folded = nil
    }

    /// The matter folded from every event held (`nil` if none).
    mutating func current(directory: CourtDirectory) -> Matter? {
        if let folded { return folded }
        let matter = MatterFold.fold(history, directory: directory)
        folded = .some(matter)
        return matter
    }

    /// The matter as it stood where `event` was made: the fold of its causal past.
    mutating func state(before event: Event, directory: CourtDirectory) -> Matter? {
        let past = EventGraph.causalPast(of: event, in: byID)
        return past.count == history.count ? current(directory: directory) : MatterFold.fold(past, directory: directory)
    }
}
