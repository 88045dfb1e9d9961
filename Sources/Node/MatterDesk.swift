import Entrustment
import Replica

/// What a clerk at this court asks for when sending a matter; ids and texts as typed.
public struct MatterDraft: Sendable {
    public var caseNumber: String
    public var entrustedCourt: String
    public var kind: String
    public var urgent: Bool
    public var applicant: String?
    public var debtor: String?
    public var debtorID: String?
    public var measureExpires: String?
    public var note: String?

    public init(
        caseNumber: String, entrustedCourt: String, kind: String, urgent: Bool = false, applicant: String? = nil,
        debtor: String? = nil, debtorID: String? = nil, measureExpires: String? = nil, note: String? = nil
    ) {
        self.caseNumber = caseNumber
        self.entrustedCourt = entrustedCourt
        self.kind = kind
        self.urgent = urgent
        self.applicant = applicant
        self.debtor = debtor
        self.debtorID = debtorID
        self.measureExpires = measureExpires
        self.note = note
    }
}

/// The acts this node's court performs on matters: each becomes one event, checked against the
/// lifecycle table and stored with the matter's new state in one transaction.
extension CourtNode {
    /// 委托: sends a new matter from this court. Deadlines are set now, with the newest version of
    /// the hub's signed calendar (named in the event, so that every receiver checks them), counted
    /// from the day of the matter's 委托时间: the clock reading the event carries (which never goes
    /// back, and may run ahead of the wall clock after a node heard from a faster one), so the
    /// deadlines always follow from the recorded sending. Refused until the node holds the hub's
    /// calendar (it comes with the signed directory).
    public func createMatter(_ draft: MatterDraft) throws(NodeError) -> Matter {
        try createMatter(draft, attaching: [])
    }

    /// ``createMatter(_:)`` and, in the same transaction, an `attach` event for each document
    /// (already stored here): the matter is sent with its documents or not at all.
    func createMatter(
        _ draft: MatterDraft, attaching documents: [(DocumentReference, String)]
    ) throws(NodeError) -> Matter {
        let now = time.now()
        let kind: MatterKind
        let caseNumber: CaseNumber
        let entrusted: CourtCode
        let expires: CivilDate?
        do {
            caseNumber = try CaseNumber(parsing: draft.caseNumber)
            entrusted = try CourtCode(draft.entrustedCourt)
            kind = try MatterKind(id: draft.kind)
            expires = try draft.measureExpires.map { text throws(DomainError) in try CivilDate(parsing: text) }
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        let identity = self.identity
        return try write { tx in
            guard let calendars = tx.calendars else {
                throw ReplicaError(
                    .unknownCalendar,
                    "this node holds no signed calendar from the hub yet, so it cannot set deadlines: sync with the hub (courtsync sync) or import its directory (courtsync directory --import)"
                )
            }
            let stamp = tx.tick(now: now)
            let sentOn = stamp.timestamp.chinaDate
            let deadlines = try calendars.deadlines(
                for: kind, urgent: draft.urgent, sentOn: sentOn, version: calendars.version)
            let request = MatterRequest(
                caseNumber: caseNumber, entrustedCourt: entrusted, kind: kind, urgent: draft.urgent,
                applicant: draft.applicant.nonEmpty, debtor: draft.debtor.nonEmpty, debtorID: draft.debtorID.nonEmpty,
                measureExpires: expires, note: draft.note.nonEmpty, signDue: deadlines.signDue, due: deadlines.due,
                calendarVersion: calendars.version)
            try Admission.checkRequest(request, from: identity.court, directory: tx.directory)
            let id = try tx.nextMatterID(court: identity.court, year: sentOn.year)
            let event = try Event(
                suite: replica.suite, matterID: id, author: identity.court, origin: identity.node, timestamp: stamp,
                parents: [],
                action: .create(request)
            ).signed(with: signingKey)
            try tx.append([event], origin: .local, now: now)
            return try appendAttaches(documents, to: id, in: &tx, now: now)
        }
    }

    /// Records an act of this court on an existing matter (签收, 办结反馈, 撤回 …).
    public func act(on matterID: String, _ action: EventAction) throws(NodeError) -> Matter {
        let id = try parseMatterID(matterID)
        let identity = self.identity
        let now = time.now()
        return try write { tx in
            guard let matter = try tx.matter(id) else {
                throw ReplicaError(.unknownMatter, "unknown matter \(id): this replica does not hold it")
            }
            let stamp = tx.tick(now: now)
            let arrival = try Self.arrival(of: matter, firstStoredAt: tx.firstStoredAt(id), actAt: stamp.timestamp)
            let event = try Event(
                suite: replica.suite, matterID: id, author: identity.court, origin: identity.node, timestamp: stamp,
                parents: matter.heads, action: Self.reportingArrival(action, at: arrival)
            ).signed(with: signingKey)
            try tx.append([event], origin: .local, now: now)
            return try tx.matter(id)!
        }
    }

    /// 申请延期: asks for `days` more calendar days, or for the deadline to end on `until` (the
    /// days from the deadline in force to it), with a reason. Every replica checks the request
    /// against the hub's rules (``ExtensionRules``).
    public func requestExtension(
        _ matterID: String, days: Int?, until: CivilDate?, reason: String
    ) throws(NodeError) -> Matter {
        guard (days == nil) != (until == nil) else {
            throw NodeError(code: "invalidArgument", "give either the days (--days) or the new last day (--until)")
        }
        var asked = days ?? 0
        if let until {
            let matter = try self.matter(matterID)
            let replica = self.replica
            guard let calendars = try read({ () throws(ReplicaError) in try replica.calendars() }) else {
                throw NodeError(code: "unknownCalendar", "this node holds no signed calendar from the hub yet")
            }
            let inForce: CivilDate
            do {
                inForce = try calendars.deadlineInForce(of: matter)
            } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
            guard until > inForce else {
                throw NodeError(
                    code: "invalidArgument", "--until \(until) is not after the deadline in force, \(inForce)")
            }
            asked = until.daysSinceEpoch - inForce.daysSinceEpoch
        }
        guard (1...366).contains(asked) else {
            throw NodeError(code: "invalidArgument", "more time is asked for in 1 to 366 days, not \(asked)")
        }
        return try act(on: matterID, .requestExtension(days: asked, reason: reason))
    }

    /// 延期审批: approves or refuses the matter's request for more time that waits for a decision.
    public func decideExtension(_ matterID: String, _ verdict: ExtensionVerdict, note: String) throws(NodeError)
        -> Matter
    {
        let matter = try self.matter(matterID)
        guard let pending = matter.pendingExtension else {
            throw NodeError(
                code: "illegalTransition", "matter \(matter.id) has no request for more time waiting for a decision")
        }
        return try act(on: matterID, .decideExtension(request: pending.event, verdict: verdict, note: note))
    }

    /// When the matter reached this node: when the replica first stored it, kept between the
    /// sending and the act (the sender's clock may run ahead of this node's).
    static func arrival(of matter: Matter, firstStoredAt: Timestamp?, actAt: Timestamp) -> Timestamp {
        min(max(firstStoredAt ?? matter.sentAt, matter.sentAt), actAt)
    }

    /// A `sign` or `return` carries the arrival time unless the caller gave one.
    static func reportingArrival(_ action: EventAction, at arrival: Timestamp) -> EventAction {
        switch action {
        case .sign(let note, nil): .sign(note: note, receivedAt: arrival)
        case .return(let reason, let feedback, nil): .return(reason: reason, feedback: feedback, receivedAt: arrival)
        default: action
        }
    }

    /// 修改信息: sets descriptive fields (the empty string clears one), one `edit` event per field
    /// whose value changes, all in one transaction. Unchanged fields make no event.
    public func edit(_ matterID: String, _ changes: [(DescriptiveField, String)]) throws(NodeError) -> (
        matter: Matter, changed: [DescriptiveField]
    ) {
        let id = try parseMatterID(matterID)
        let identity = self.identity
        let now = time.now()
        return try write { tx in
            guard var matter = try tx.matter(id) else {
                throw ReplicaError(.unknownMatter, "unknown matter \(id): this replica does not hold it")
            }
            var changed: [DescriptiveField] = []
            for (field, value) in changes {
                let current: String? =
                    switch field {
                    case .contactPerson: matter.contactPerson
                    case .contactPhone: matter.contactPhone
                    case .note: matter.note
                    }
                guard (current ?? "") != value else { continue }
                let event = try Event(
                    suite: replica.suite, matterID: id, author: identity.court, origin: identity.node,
                    timestamp: tx.tick(now: now),
                    parents: matter.heads, action: .edit(field: field, value: value)
                ).signed(with: signingKey)
                try tx.append([event], origin: .local, now: now)
                matter = try tx.matter(id)!
                changed.append(field)
            }
            return (matter, changed)
        }
    }

    /// The matter with that id.
    public func matter(_ matterID: String) throws(NodeError) -> Matter {
        let id = try parseMatterID(matterID)
        guard let matter = try read({ () throws(ReplicaError) in try replica.matter(id) }) else {
            throw NodeError(code: "unknownMatter", "unknown matter \(id): this replica does not hold it")
        }
        return matter
    }

    /// The events of a matter, in arrival order.
    public func events(of matter: MatterID) throws(NodeError) -> [StoredEvent] {
        try read { () throws(ReplicaError) in try replica.events(of: matter) }
    }

    /// Matters matching a filter.
    public func matters(_ filter: MatterFilter) throws(NodeError) -> [Matter] {
        try read { () throws(ReplicaError) in try replica.matters(filter) }
    }

    func parseMatterID(_ text: String) throws(NodeError) -> MatterID {
        do {
            return try MatterID(text)
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }
}

extension Optional where Wrapped == String {
    /// `nil` for an absent or empty string.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
