/// The checks every replica makes before it stores an event, whoever made it: an event that fails
/// them is refused and never stored.
///
/// An event is judged against the matter as it stood where it was made: the fold of its causal
/// past (its parents and their ancestors, ``EventGraph/causalPast(of:in:)``). The author must hold
/// a role that may do the act, and the act must be legal in that state (a `create` must also be
/// well formed; an `acknowledge` must name a conflict open in that state). This is the same check
/// for a node's own acts and for events from elsewhere, and it does not depend on arrival order;
/// acts that were legal where they were made but conflict with concurrent acts are the fold's
/// business (``MatterFold``).
public enum Admission {
    /// Checks an event against `history`, the events this replica holds of its matter (all of
    /// its parents among them), with the calendar versions `calendars` held here.
    public static func check(
        _ event: Event, history: [Event], directory: CourtDirectory, calendars: CalendarVersions?
    ) throws(DomainError) {
        let byID = Dictionary(history.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let past = EventGraph.causalPast(of: event, in: byID)
        try check(
            event, past: past, before: MatterFold.fold(past, directory: directory), holdsMatter: !history.isEmpty,
            directory: directory, calendars: calendars)
    }

    /// Checks an event against `past`, its causal past (its parents and their ancestors), and
    /// `before`, the fold of it (`nil` for a `create`). `holdsMatter` says whether the replica
    /// holds any event of the matter; `calendars` are the calendar versions held here.
    public static func check(
        _ event: Event, past: [Event], before folded: Matter?, holdsMatter: Bool, directory: CourtDirectory,
        calendars: CalendarVersions?
    ) throws(DomainError) {
        let id = event.id.hex.prefix(12)
        guard directory.contains(event.author) else {
            throw DomainError(.unknownCourt, "event \(id): unknown author court \(event.author)")
        }
        do {
            try FreeText.check(event.action)
        } catch {
            throw DomainError(.invalidField, "event \(id): \(error.message)")
        }
        if case .create(let request) = event.action {
            guard !holdsMatter else {
                throw DomainError(.inconsistentMatter, "event \(id): matter \(event.matterID) already exists")
            }
            guard event.parents.isEmpty else {
                throw DomainError(.malformedEvent, "event \(id): a create event has no parents")
            }
            guard event.matterID.court == event.author else {
                throw DomainError(
                    .forbiddenRole,
                    "event \(id): \(event.author) cannot create matter \(event.matterID), which is numbered by \(event.matterID.court)"
                )
            }
            let sentYear = event.recordedAt.chinaDate.year
            guard event.matterID.year == sentYear else {
                throw DomainError(
                    .invalidField,
                    "event \(id): matter \(event.matterID) is numbered for \(event.matterID.year), but it is sent in \(sentYear)"
                )
            }
            try checkRequest(request, from: event.author, directory: directory)
            try checkDeadlines(request, sentOn: event.recordedAt.chinaDate, calendars: calendars, event: id)
            return
        }
        guard holdsMatter else {
            throw DomainError(.inconsistentMatter, "event \(id): matter \(event.matterID) is unknown here")
        }
        guard !event.parents.isEmpty else {
            throw DomainError(.malformedEvent, "event \(id): only a create event may have no parents")
        }
        guard let folded else {
            throw DomainError(
                .inconsistentMatter, "event \(id): its parents do not lead back to the creation of \(event.matterID)")
        }
        let before = folded.lapsing(at: event.recordedAt)
        let parents = Set(event.parents)
        for parent in past where parents.contains(parent.id) && event.timestamp <= parent.timestamp {
            throw DomainError(
                .backdated,
                "event \(id) is dated \(event.recordedAt.rfc3339), not after its parent \(parent.id.hex.prefix(12)) (\(parent.kind.rawValue), \(parent.recordedAt.rfc3339)): an act cannot precede what it follows"
            )
        }
        if before.deemedWithdrawn {
            guard event.kind == .acknowledge || event.kind == .acceptLate || event.kind == .edit else {
                throw DomainError(
                    .illegalTransition,
                    "cannot \(event.kind.rawValue) (\(event.kind.chineseName)) matter \(event.matterID): the documents asked for on \(before.supplement!.requestedAt.chinaDate) were not supplemented by \(before.supplement!.due), so it is treated as withdrawn (视为撤回) since \(before.supplement!.lapsesAt.rfc3339)"
                )
            }
        }
        let roles = before.roles(of: event.author, in: directory)
        _ = try Lifecycle.transition(event.kind, by: roles, in: before.state)
        if let receivedAt = event.action.receivedAt {
            guard before.sentAt <= receivedAt, receivedAt <= event.recordedAt else {
                throw DomainError(
                    .invalidField,
                    "event \(id): received at \(receivedAt.rfc3339) is not between the sending (\(before.sentAt.rfc3339)) and the act (\(event.recordedAt.rfc3339))"
                )
            }
        }
        switch event.action {
        case .acknowledge(let conflictID, _):
            guard let conflict = before.conflicts.first(where: { $0.id == conflictID }) else {
                throw DomainError(
                    .illegalTransition,
                    "event \(id): matter \(event.matterID) has no conflict \(conflictID.hex.prefix(12)) to acknowledge")
            }
            if let done = conflict.acknowledgement {
                throw DomainError(
                    .illegalTransition,
                    "conflict \(conflictID.hex.prefix(12)) was already acknowledged by \(done.court) at \(done.at.rfc3339)"
                )
            }
        case .attach(let document, _):
            do {
                try document.kind.checkAttach(by: roles)
            } catch {
                throw DomainError(.forbiddenRole, "event \(id): \(error.message)")
            }
        case .requestSupplement(let kinds, _, let due):
            if let kind = kinds.first(where: { !$0.attachedBy.contains(.entrusting) }) {
                throw DomainError(
                    .invalidField,
                    "event \(id): a request for supplement asks the entrusting court for documents it may attach; \(kind.chineseName) (\(kind.rawValue)) is the entrusted court's own"
                )
            }
            if let open = before.supplement, open.isOpen(at: event.recordedAt) {
                throw DomainError(
                    .illegalTransition,
                    "event \(id): matter \(event.matterID) already waits for the documents asked for on \(open.requestedAt.rfc3339) (until \(open.due))"
                )
            }
            try checkSupplementDue(
                due, requestedOn: event.recordedAt.chinaDate, version: before.request.effectiveCalendarVersion,
                calendars: calendars, event: id)
        case .requestExtension(let days, let reason):
            try checkExtensionRequest(
                days: days, reason: reason, at: event.recordedAt, matter: before, calendars: calendars, event: id)
        case .decideExtension(let request, _, _):
            guard ExtensionRules.mayDecide(event.author, on: before, in: directory) else {
                throw DomainError(
                    .forbiddenRole,
                    "event \(id): a request for more time is decided by the entrusting court (\(before.entrustingCourt)), a superior of the entrusted court (\(before.entrustedCourt)) or 最高法; \(event.author) is none of them"
                )
            }
            guard let pending = before.pendingExtension, pending.event == request else {
                let status = before.extensions.first { $0.event == request }?.status
                throw DomainError(
                    .illegalTransition,
                    "event \(id): matter \(event.matterID) has no request for more time \(request.hex.prefix(12)) waiting for a decision\(status.map { " (it is \($0.rawValue), \($0.chineseName))" } ?? "")"
                )
            }
        case .acceptLate(let accepted, _):
            guard past.contains(where: { $0.id == accepted }) else {
                throw DomainError(
                    .illegalTransition,
                    "event \(id): \(accepted.hex.prefix(12)) is not an event of \(event.matterID) that this acceptance follows"
                )
            }
        default:
            break
        }
    }

    /// Checks a request for more time against the matter where it was made and the rules of the
    /// calendar version its `create` names: a reason, no other request open, within the number of
    /// extensions and the days allowed, and made before the deadline in force has passed.
    static func checkExtensionRequest(
        days: Int, reason: String, at time: Timestamp, matter: Matter, calendars: CalendarVersions?,
        event id: Substring
    ) throws(DomainError) {
        guard reason.contains(where: { !$0.isWhitespace }) else {
            throw DomainError(.invalidField, "event \(id): a request for more time must give its reason")
        }
        if let open = matter.pendingExtension {
            throw DomainError(
                .illegalTransition,
                "event \(id): matter \(matter.id) already has a request for more time waiting for a decision (\(open.event.hex.prefix(12)), asked \(open.requestedAt.rfc3339))"
            )
        }
        let version = matter.request.effectiveCalendarVersion
        guard let calendars, calendars.holds(version) else {
            throw DomainError(
                .unknownCalendar,
                "event \(id): the extension rules follow calendar version \(version), which this node does not hold yet"
            )
        }
        let policy = calendars.reference.rules(at: version).deadlines
        let approved = ExtensionRules.approved(matter, under: policy)
        guard approved.count < policy.extensionLimit else {
            throw DomainError(
                .illegalTransition,
                "event \(id): matter \(matter.id) has had \(approved.count) extension(s) approved, the most the hub's rules allow (\(policy.extensionLimit))"
            )
        }
        let used = approved.reduce(0) { $0 + $1.days }
        guard used + days <= policy.extensionDaysLimit else {
            throw DomainError(
                .invalidField,
                "event \(id): \(days) more days would extend matter \(matter.id) by \(used + days) days; the hub's rules allow \(policy.extensionDaysLimit) in all (\(policy.extensionDaysLimit - used) left)"
            )
        }
        let due = try calendars.deadlineInForce(of: matter)
        guard time < DeadlinePolicy.end(of: due) else {
            throw DomainError(
                .illegalTransition,
                "event \(id): the deadline of matter \(matter.id) (\(due)) passed before the request (\(time.rfc3339)): more time can only be asked for before it passes"
            )
        }
    }

    /// Checks that a request for supplement's last day is the one the matter's calendar version
    /// gives for the day it was made. Throws `unknownCalendar` when that version is not held here.
    static func checkSupplementDue(
        _ due: CivilDate, requestedOn: CivilDate, version: Int, calendars: CalendarVersions?, event id: Substring
    ) throws(DomainError) {
        guard let calendars else {
            throw DomainError(
                .unknownCalendar,
                "event \(id): its supplement deadline follows calendar version \(version), and this node holds no signed calendar yet"
            )
        }
        let expected = try calendars.supplementDue(requestedOn: requestedOn, version: version)
        guard due == expected else {
            throw DomainError(
                .invalidField,
                "event \(id): the supplement deadline \(due) is not the one calendar version \(version) gives for a request made on \(requestedOn): \(expected)"
            )
        }
    }

    /// Checks what a `create` asks for: both courts known and different, the case number one of
    /// the entrusting court's own cases, deadlines in order.
    public static func checkRequest(
        _ request: MatterRequest, from entrusting: CourtCode, directory: CourtDirectory
    ) throws(DomainError) {
        _ = try directory.court(entrusting)
        _ = try directory.court(request.entrustedCourt)
        guard request.caseNumber.court == entrusting else {
            throw DomainError(
                .invalidField,
                "case number \(request.caseNumber) is a case of \(request.caseNumber.court), not of \(entrusting), which entrusts the matter"
            )
        }
        guard request.entrustedCourt != entrusting else {
            throw DomainError(.invalidField, "a court cannot entrust a matter to itself (\(entrusting))")
        }
        guard request.entrustedCourt != .supreme else {
            throw DomainError(.invalidField, "matters are entrusted to courts, not to the hub (最高法)")
        }
        guard request.signDue <= request.due else {
            throw DomainError(
                .invalidField, "the signing deadline \(request.signDue) is after the completion deadline \(request.due)"
            )
        }
    }

    /// Checks that a `create`'s deadlines are those its calendar version gives for its kind,
    /// urgency and sending day. Throws `unknownCalendar` when that version is not held here yet.
    ///
    /// A create that names no version was recorded by a build before versions were carried: it is
    /// checked against version 1, and may also carry the completion deadline lengthened to the
    /// signing deadline, as those builds computed it (the deadline that counts is recomputed,
    /// ``HonestTime``).
    static func checkDeadlines(
        _ request: MatterRequest, sentOn: CivilDate, calendars: CalendarVersions?, event id: Substring
    ) throws(DomainError) {
        let version = request.effectiveCalendarVersion
        guard let calendars else {
            throw DomainError(
                .unknownCalendar,
                "event \(id): its deadlines follow calendar version \(version), and this node holds no signed calendar yet: it comes with the hub's signed directory"
            )
        }
        let expected = try calendars.deadlines(
            for: request.kind, urgent: request.urgent, sentOn: sentOn, version: version)
        var accepted = request.signDue == expected.signDue && request.due == expected.due
        if !accepted, request.calendarVersion == nil {
            let legacy = try calendars.legacyDeadlines(for: request.kind, urgent: request.urgent, sentOn: sentOn)
            accepted = request.signDue == legacy.signDue && request.due == legacy.due
        }
        guard accepted else {
            throw DomainError(
                .invalidField,
                "event \(id): deadlines \(request.signDue) / \(request.due) are not those calendar version \(version) gives for \(request.kind.id)\(request.urgent ? " (urgent)" : "") sent on \(sentOn): \(expected.signDue) / \(expected.due)"
            )
        }
    }
}
