/// Folds a matter's events into its state, deterministically.
///
/// The events are put in a topological order of their parent links, ties broken by
/// (HLC timestamp, event id). Events whose author has no right to them are skipped (receivers
/// never store one). The state-changing acts are then settled by the ``Precedence`` table:
/// an act superseded by a concurrent act that stands changes nothing and is recorded as a
/// ``Conflict``; the acts that stand form a legal path through the ``Lifecycle`` table, and the
/// furthest of them is the state. Urges and supervision are counted, descriptive fields are
/// last-writer-wins registers, and acknowledgements attach to their conflicts. Nothing depends on
/// the order the events arrived in; `docs/conflicts.md` explains every rule.
public enum MatterFold {
    /// The matter these events make, or `nil` if there is no `create` among them.
    ///
    /// Parents outside the set are ignored; callers hold events back until their parents arrive.
    public static func fold(_ events: some Collection<Event>, directory: CourtDirectory) -> Matter? {
        foldWithActs(events, directory: directory)?.matter
    }

    /// ``fold(_:directory:)``, and which events the matter's times come from.
    public static func foldWithActs(
        _ events: some Collection<Event>, directory: CourtDirectory
    ) -> (matter: Matter, acts: MatterActs)? {
        let ordered = order(events)
        guard let create = ordered.first(where: { $0.kind == .create && $0.matterID.court == $0.author }),
            case .create(let request) = create.action
        else { return nil }
        var matter = Matter(
            id: create.matterID, request: request, entrustingCourt: create.author, state: .sent,
            sentAt: create.recordedAt, note: request.note, lastActivityAt: create.recordedAt)
        var graph = EventGraph(ordered)
        var transitions: [Event] = []
        var edits: [DescriptiveField: [Event]] = [:]
        var acknowledgements: [EventID: Event] = [:]
        var acts = MatterActs(standing: [.create: create.id])
        var requests: [Event] = []
        var extensionRequests: [Event] = []
        var extensionDecisions: [Event] = []
        var roles: [CourtCode: Set<Role>] = [:]
        for event in ordered where event.id != create.id {
            let held = roles[event.author] ?? matter.roles(of: event.author, in: directory)
            roles[event.author] = held
            guard Lifecycle.permits(event.kind, for: held) else { continue }
            matter.lastActivityAt = max(matter.lastActivityAt, event.recordedAt)
            switch event.action {
            case .create: continue
            case .urge: matter.urgeCount += 1
            case .supervise: matter.supervised = true
            case .edit(let field, _): edits[field, default: []].append(event)
            case .acknowledge(let conflict, _):
                if acknowledgements[conflict] == nil { acknowledgements[conflict] = event }
            case .acceptLate(let accepted, let note):
                if acts.acceptedLate[accepted] == nil {
                    acts.acceptedLate[accepted] = LateAcceptance(event: event.id, at: event.recordedAt, note: note)
                }
            case .attach(let document, let note):
                guard !document.kind.attachedBy.isDisjoint(with: held) else { continue }
                matter.documents.append(
                    AttachedDocument(
                        event: event.id, court: event.author, at: event.recordedAt, reference: document, note: note))
            case .requestSupplement: requests.append(event)
            case .requestExtension: extensionRequests.append(event)
            case .decideExtension:
                guard ExtensionRules.mayDecide(event.author, on: matter, in: directory) else { continue }
                extensionDecisions.append(event)
            case .sign, .start, .complete, .return, .withdraw, .close: transitions.append(event)
            }
        }
        var conflicts = settle(transitions, graph: &graph, into: &matter, acts: &acts)
        matter.supplement = settleSupplement(requests, graph: &graph, matter: matter)
        let extensions = settleExtensions(extensionRequests, extensionDecisions, graph: &graph, matter: matter)
        matter.extensions = extensions.settled
        conflicts += extensions.conflicts
        conflicts += resolveEdits(edits, graph: &graph, into: &matter)
        for index in conflicts.indices {
            guard let ack = acknowledgements[conflicts[index].id], case .acknowledge(_, let note) = ack.action
            else { continue }
            conflicts[index].acknowledgement = Conflict.Acknowledgement(
                event: ack.id, court: ack.author, at: ack.recordedAt, note: note)
        }
        matter.conflicts = conflicts.sorted { ($0.superseded.recordedAt, $0.id) < ($1.superseded.recordedAt, $1.id) }
        matter.heads = heads(of: events)
        matter.eventCount = ordered.count
        return (matter, acts)
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

    /// Settles the state-changing acts: each, in ``Precedence/settlingOrder``, stands unless an
    /// act that already stands and is concurrent with it supersedes it. Applies the acts that
    /// stand to `matter` and returns a conflict for each superseded one, naming the strongest
    /// act that superseded it.
    private static func settle(
        _ transitions: [Event], graph: inout EventGraph, into matter: inout Matter, acts: inout MatterActs
    ) -> [Conflict] {
        var standing: [Event] = []
        var conflicts: [Conflict] = []
        for event in transitions.sorted(by: Precedence.settlesBefore) {
            let winner = standing.first {
                Precedence.rule($0, supersedes: event) != nil && graph.areConcurrent($0.id, event.id)
            }
            if let winner {
                conflicts.append(
                    Conflict(
                        matterID: matter.id, rule: Precedence.rule(winner, supersedes: event)!,
                        winner: EventSummary(winner), superseded: EventSummary(event)))
            } else {
                standing.append(event)
            }
        }
        var reached: Set<EventKind> = []
        for event in standing.sorted(by: precedes) where reached.insert(event.kind).inserted {
            let at = event.recordedAt
            acts.standing[event.kind] = event.id
            switch event.action {
            case .sign: matter.signedAt = at
            case .start: matter.startedAt = at
            case .complete(let outcome, let feedback):
                matter.completedAt = at
                matter.outcome = outcome
                matter.feedback = feedback
            case .return(let reason, let feedback, _):
                matter.returnedAt = at
                matter.returnReason = reason
                if matter.feedback == nil { matter.feedback = feedback }
            case .withdraw: matter.withdrawnAt = at
            case .close: matter.closedAt = at
            case .create, .urge, .supervise, .edit, .acknowledge, .acceptLate, .attach, .requestSupplement,
                .requestExtension, .decideExtension:
                break
            }
        }
        matter.state = furthestState(reached)
        matter.receivedAt = transitions.compactMap(\.action.receivedAt).min()
        return conflicts
    }

    /// The request for supplement that decides the matter: of the requests not answered, the
    /// one that lapses first (so that a later, concurrent request cannot undo a lapse); if every
    /// request was answered, the last in fold order. A request is answered when the entrusting
    /// court attached every kind it asks for, in events that follow it (it is in their causal
    /// past) and were recorded before it lapsed.
    private static func settleSupplement(
        _ requests: [Event], graph: inout EventGraph, matter: Matter
    ) -> SupplementRequest? {
        var settled: [SupplementRequest] = []
        for event in requests {
            guard case .requestSupplement(let kinds, let note, let due) = event.action else { continue }
            var request = SupplementRequest(
                event: event.id, court: event.author, requestedAt: event.recordedAt, kinds: kinds, note: note, due: due)
            var answered: [DocumentKind: Timestamp] = [:]
            for document in matter.documents
            where document.court == matter.entrustingCourt && kinds.contains(document.reference.kind)
                && document.at < request.lapsesAt && graph.ancestors(of: document.event).contains(event.id)
            {
                answered[document.reference.kind] = min(answered[document.reference.kind] ?? document.at, document.at)
            }
            if answered.count == kinds.count { request.answeredAt = answered.values.max() }
            settled.append(request)
        }
        let open = settled.filter { $0.answeredAt == nil }
        return open.min { ($0.lapsesAt, $0.event) < ($1.lapsesAt, $1.event) } ?? settled.last
    }

    /// Settles the requests for more time and their decisions. Of concurrent requests the earlier
    /// (HLC, id) stands (one open request per matter); the decisions on a request that does not
    /// stand change nothing. Of concurrent decisions on one request a refusal stands against an
    /// approval, then the earlier (HLC, id) stands (`docs/conflicts.md`).
    private static func settleExtensions(
        _ requests: [Event], _ decisions: [Event], graph: inout EventGraph, matter: Matter
    ) -> (settled: [ExtensionRequest], conflicts: [Conflict]) {
        var standing: [Event] = []
        var conflicts: [Conflict] = []
        for event in requests.sorted(by: precedes) {
            if let winner = standing.first(where: { graph.areConcurrent($0.id, event.id) }) {
                conflicts.append(
                    Conflict(
                        matterID: matter.id, rule: .earlierExtensionRequest, winner: EventSummary(winner),
                        superseded: EventSummary(event)))
            } else {
                standing.append(event)
            }
        }
        var byRequest: [EventID: [Event]] = [:]
        for event in decisions {
            guard case .decideExtension(let request, _, _) = event.action else { continue }
            byRequest[request, default: []].append(event)
        }
        var settled: [ExtensionRequest] = []
        for event in standing {
            guard case .requestExtension(let days, let reason) = event.action else { continue }
            var request = ExtensionRequest(
                event: event.id, court: event.author, requestedAt: event.recordedAt, days: days, reason: reason)
            let ranked = (byRequest[event.id] ?? []).sorted { a, b in
                (verdictRank(a), a.timestamp, a.id) < (verdictRank(b), b.timestamp, b.id)
            }
            if let winner = ranked.first, case .decideExtension(_, let verdict, let note) = winner.action {
                request.decision = ExtensionDecision(
                    event: winner.id, court: winner.author, at: winner.recordedAt, verdict: verdict, note: note)
                for loser in ranked.dropFirst() where graph.areConcurrent(winner.id, loser.id) {
                    conflicts.append(
                        Conflict(
                            matterID: matter.id,
                            rule: verdictRank(winner) < verdictRank(loser) ? .refusalOverApproval : .earlierDuplicate,
                            winner: EventSummary(winner), superseded: EventSummary(loser)))
                }
            }
            settled.append(request)
        }
        return (settled, conflicts)
    }

    /// A refusal ranks before an approval.
    private static func verdictRank(_ decision: Event) -> Int {
        guard case .decideExtension(_, let verdict, _) = decision.action else { return 2 }
        return verdict == .refuse ? 0 : 1
    }

    /// The state the acts that stand lead to. They form a legal path (each was legal where it
    /// was made, and concurrent acts that could not both stand were settled), so the furthest
    /// along is where the matter is.
    private static func furthestState(_ reached: Set<EventKind>) -> MatterState {
        if reached.contains(.close) { return .closed }
        if reached.contains(.complete) { return .completed }
        if reached.contains(.return) { return .returned }
        if reached.contains(.withdraw) { return .withdrawn }
        if reached.contains(.start) { return .inProgress }
        if reached.contains(.sign) { return .signed }
        return .sent
    }

    /// Sets each descriptive field to its last write and returns a conflict for each concurrent
    /// write that was lost: an edit concurrent with the winning one, not itself overwritten by a
    /// later edit its author made, with a different value.
    private static func resolveEdits(
        _ edits: [DescriptiveField: [Event]], graph: inout EventGraph, into matter: inout Matter
    ) -> [Conflict] {
        var conflicts: [Conflict] = []
        for field in DescriptiveField.allCases {
            guard let writes = edits[field], let winner = writes.max(by: { Precedence.writtenAfter($1, $0) }),
                case .edit(_, let value) = winner.action
            else { continue }
            let stored: String? = value.isEmpty ? nil : value
            switch field {
            case .contactPerson: matter.contactPerson = stored
            case .contactPhone: matter.contactPhone = stored
            case .note: matter.note = stored
            }
            let overwritten = Set(writes.flatMap { graph.ancestors(of: $0.id) })
            for write in writes where write.id != winner.id && !overwritten.contains(write.id) {
                guard case .edit(_, let lost) = write.action, lost != value, graph.areConcurrent(write.id, winner.id)
                else { continue }
                conflicts.append(
                    Conflict(
                        matterID: matter.id, rule: .lastWriterWins, winner: EventSummary(winner),
                        superseded: EventSummary(write)))
            }
        }
        return conflicts
    }
}
