import Entrustment
import Replica

/// A matter as the CLI prints it in JSON: RFC 3339 times, `null` where not yet set. The times
/// are those its events record; the deadlines, 期限内 and 超期 are those that count, after the
/// honest-time rules (`counted` has the counted times, `lateReports` the acts the hub witnessed
/// late).
struct MatterView: Encodable {
    /// An act the hub witnessed late (迟报).
    struct LateView: Encodable {
        var event: String
        var kind: String
        var kindName: String
        var recordedAt: String
        var witnessedAt: String
        var delayDays: Double
        var accepted: Bool
    }

    /// The times that count.
    struct CountedView: Encodable {
        var sentAt: String
        var receivedAt: String?
        var signedAt: String?
        var completedAt: String?
        var returnedAt: String?
        var withdrawnAt: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(sentAt, forKey: .sentAt)
            try c.encode(receivedAt, forKey: .receivedAt)
            try c.encode(signedAt, forKey: .signedAt)
            try c.encode(completedAt, forKey: .completedAt)
            try c.encode(returnedAt, forKey: .returnedAt)
            try c.encode(withdrawnAt, forKey: .withdrawnAt)
        }
    }

    /// A document attached to the matter (材料).
    struct DocumentView: Encodable {
        var hash: String
        var kind: String
        var kindName: String
        var fileName: String
        var mediaType: String
        var size: Int
        var court: String
        var attachedAt: String
        var note: String
        /// Whether the bytes are stored on this node (else still coming).
        var here: Bool
    }

    /// A request for more time (延期申请) and the decision that stands on it.
    struct ExtensionView: Encodable {
        var event: String
        var requestedBy: String
        var requestedAt: String
        var days: Int
        var reason: String
        var status: String
        var statusName: String
        var decisionEvent: String?
        var decidedBy: String?
        var decidedAt: String?
        var verdict: String?
        var decisionNote: String?

        init(_ r: ExtensionRequest) {
            event = r.event.hex
            requestedBy = r.court.rawValue
            requestedAt = r.requestedAt.rfc3339
            days = r.days
            reason = r.reason
            status = r.status.rawValue
            statusName = r.status.chineseName
            decisionEvent = r.decision?.event.hex
            decidedBy = r.decision?.court.rawValue
            decidedAt = r.decision?.at.rfc3339
            verdict = r.decision?.verdict.rawValue
            decisionNote = r.decision?.note
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(event, forKey: .event)
            try c.encode(requestedBy, forKey: .requestedBy)
            try c.encode(requestedAt, forKey: .requestedAt)
            try c.encode(days, forKey: .days)
            try c.encode(reason, forKey: .reason)
            try c.encode(status, forKey: .status)
            try c.encode(statusName, forKey: .statusName)
            try c.encode(decisionEvent, forKey: .decisionEvent)
            try c.encode(decidedBy, forKey: .decidedBy)
            try c.encode(decidedAt, forKey: .decidedAt)
            try c.encode(verdict, forKey: .verdict)
            try c.encode(decisionNote, forKey: .decisionNote)
        }

        enum CodingKeys: String, CodingKey {
            case event, requestedBy, requestedAt, days, reason, status, statusName, decisionEvent, decidedBy, decidedAt
            case verdict, decisionNote
        }
    }

    /// The latest request for supplement (补办).
    struct SupplementView: Encodable {
        var requestedBy: String
        var requestedAt: String
        var kinds: [String]
        var kindNames: [String]
        var note: String
        var due: String
        var answeredAt: String?
        /// `open`, `answered` (补齐) or `lapsed` (逾期未补, 视为撤回).
        var status: String
    }

    var id: String
    var caseNumber: String
    var entrustingCourt: String
    var entrustingCourtName: String?
    var entrustedCourt: String
    var entrustedCourtName: String?
    var kind: String
    var kindName: String
    var state: String
    var stateName: String
    var urgent: Bool
    var applicant: String?
    var debtor: String?
    var debtorId: String?
    var measureExpires: String?
    var note: String?
    var sentAt: String
    var receivedAt: String?
    var signedAt: String?
    var startedAt: String?
    var completedAt: String?
    var returnedAt: String?
    var withdrawnAt: String?
    var closedAt: String?
    var signDueDate: String
    var dueDate: String
    var dueProvisional: Bool
    var signDueProvisional: Bool
    var calendarVersion: Int
    var signDueAt: String
    var dueAt: String
    var overdue: Bool
    var onTime: Bool?
    var signedOnTime: Bool?
    var outcome: String?
    var feedback: String?
    var returnReason: String?
    var urgeCount: Int
    var supervised: Bool
    var heads: [String]
    var eventCount: Int
    var superseded: [String]
    var contactPerson: String?
    var contactPhone: String?
    var openConflicts: Int
    var conflicts: [ConflictView]
    var digest: String
    var counted: CountedView
    var lateReports: [LateView]
    var documents: [DocumentView]
    /// 材料待补: the kinds required for this matter kind that are not attached yet.
    var missingDocuments: [String]
    var supplement: SupplementView?
    /// 视为撤回: withdrawn because a request for supplement lapsed unanswered.
    var deemedWithdrawn: Bool
    /// 延期申请, in the order made.
    var extensions: [ExtensionView]
    /// 延期后办理期限 (the last day), when an approved extension counts.
    var extendedDueDate: String?
    /// Its last second, as ``dueAt``.
    var extendedDueAt: String?
    /// 超期, against the extended deadline.
    var overdueExtended: Bool
    /// 期限内办结, against the extended deadline.
    var onTimeExtended: Bool?

    /// The view of `m`, with `timing` (the times and deadlines that count; the matter's own
    /// claims if `nil`) and its late reports.
    init(
        _ m: Matter, timing: MatterTiming?, lateReports: [LateReport], now: Timestamp, directory: CourtDirectory,
        documentsHere: Set<String> = []
    ) {
        let timing =
            timing
            ?? MatterTiming(
                m,
                counted: CountedTimes(
                    sentAt: m.sentAt, receivedAt: m.receivedAt, signedAt: m.signedAt, completedAt: m.completedAt,
                    returnedAt: m.returnedAt, withdrawnAt: m.withdrawnAt,
                    deadlines: MatterDeadlines(signDue: m.request.signDue, due: m.request.due, provisional: false),
                    lateReports: []))
        id = m.id.rawValue
        caseNumber = m.request.caseNumber.description
        entrustingCourt = m.entrustingCourt.rawValue
        entrustingCourtName = directory[m.entrustingCourt]?.name
        entrustedCourt = m.entrustedCourt.rawValue
        entrustedCourtName = directory[m.entrustedCourt]?.name
        kind = m.request.kind.id
        kindName = m.request.kind.chineseName
        state = m.state.rawValue
        stateName = m.state.chineseName
        urgent = m.request.urgent
        applicant = m.request.applicant
        debtor = m.request.debtor
        debtorId = m.request.debtorID
        measureExpires = m.request.measureExpires?.description
        note = m.note
        sentAt = m.sentAt.rfc3339
        receivedAt = m.receivedAt?.rfc3339
        signedAt = m.signedAt?.rfc3339
        startedAt = m.startedAt?.rfc3339
        completedAt = m.completedAt?.rfc3339
        returnedAt = m.returnedAt?.rfc3339
        withdrawnAt = m.withdrawnAt?.rfc3339
        closedAt = m.closedAt?.rfc3339
        signDueDate = timing.signDue.description
        dueDate = timing.due.description
        dueProvisional = timing.dueProvisional
        signDueProvisional = timing.signDueProvisional
        calendarVersion = m.request.effectiveCalendarVersion
        let signDueEnd = DeadlinePolicy.end(of: timing.signDue)
        signDueAt = Self.lastSecond(signDueEnd)
        dueAt = Self.lastSecond(timing.dueAt)
        overdue = timing.isOverdue(at: now)
        onTime = timing.onTime
        signedOnTime = timing.signedAt.map { $0 < signDueEnd }
        outcome = m.outcome?.rawValue
        feedback = m.feedback
        returnReason = m.returnReason?.rawValue
        urgeCount = m.urgeCount
        supervised = m.supervised
        heads = m.heads.map(\.hex)
        eventCount = m.eventCount
        superseded = m.superseded.map(\.hex)
        contactPerson = m.contactPerson
        contactPhone = m.contactPhone
        openConflicts = m.openConflicts.count
        conflicts = m.conflicts.map(ConflictView.init)
        digest = MatterDigest.of(m).hex
        counted = CountedView(
            sentAt: timing.sentAt.rfc3339, receivedAt: timing.receivedAt?.rfc3339, signedAt: timing.signedAt?.rfc3339,
            completedAt: timing.completedAt?.rfc3339, returnedAt: timing.returnedAt?.rfc3339,
            withdrawnAt: timing.withdrawnAt?.rfc3339)
        documents = m.documents.map {
            DocumentView(
                hash: $0.reference.hash.hex, kind: $0.reference.kind.rawValue, kindName: $0.reference.kind.chineseName,
                fileName: $0.reference.fileName, mediaType: $0.reference.mediaType.rawValue, size: $0.reference.size,
                court: $0.court.rawValue, attachedAt: $0.at.rfc3339, note: $0.note,
                here: documentsHere.contains($0.reference.hash.hex))
        }
        missingDocuments = m.missingDocuments.map(\.rawValue)
        deemedWithdrawn = m.deemedWithdrawn
        extensions = m.extensions.map(ExtensionView.init)
        extendedDueDate = timing.extendedDue?.description
        extendedDueAt = timing.extendedDue.map { Self.lastSecond(DeadlinePolicy.end(of: $0)) }
        overdueExtended = timing.isOverdueExtended(at: now)
        onTimeExtended = timing.onTimeExtended
        supplement = m.supplement.map { s in
            SupplementView(
                requestedBy: s.court.rawValue, requestedAt: s.requestedAt.rfc3339, kinds: s.kinds.map(\.rawValue),
                kindNames: s.kinds.map(\.chineseName), note: s.note, due: s.due.description,
                answeredAt: s.answeredAt?.rfc3339,
                status: s.answeredAt != nil ? "answered" : (s.lapsesAt <= now ? "lapsed" : "open"))
        }
        self.lateReports = lateReports.map {
            LateView(
                event: $0.event.hex, kind: $0.kind.rawValue, kindName: $0.kind.chineseName,
                recordedAt: $0.recordedAt.rfc3339, witnessedAt: $0.witnessedAt.rfc3339,
                delayDays: Double($0.delayMilliseconds) / 86_400_000, accepted: $0.acceptance != nil)
        }
    }

    /// A deadline ends at 24:00 CST of its last day; shown as that day's last second
    /// (`2026-12-23T23:59:59+08:00`) so that the date part is the last day.
    static func lastSecond(_ end: Timestamp) -> String { end.adding(milliseconds: -1000).rfc3339 }

    func encode(to encoder: any Encoder) throws {
        // Encode every key, with `null` for absent values, so tools see a stable shape.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(caseNumber, forKey: .caseNumber)
        try c.encode(entrustingCourt, forKey: .entrustingCourt)
        try c.encode(entrustingCourtName, forKey: .entrustingCourtName)
        try c.encode(entrustedCourt, forKey: .entrustedCourt)
        try c.encode(entrustedCourtName, forKey: .entrustedCourtName)
        try c.encode(kind, forKey: .kind)
        try c.encode(kindName, forKey: .kindName)
        try c.encode(state, forKey: .state)
        try c.encode(stateName, forKey: .stateName)
        try c.encode(urgent, forKey: .urgent)
        try c.encode(applicant, forKey: .applicant)
        try c.encode(debtor, forKey: .debtor)
        try c.encode(debtorId, forKey: .debtorId)
        try c.encode(measureExpires, forKey: .measureExpires)
        try c.encode(note, forKey: .note)
        try c.encode(sentAt, forKey: .sentAt)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encode(signedAt, forKey: .signedAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(returnedAt, forKey: .returnedAt)
        try c.encode(withdrawnAt, forKey: .withdrawnAt)
        try c.encode(closedAt, forKey: .closedAt)
        try c.encode(signDueDate, forKey: .signDueDate)
        try c.encode(dueDate, forKey: .dueDate)
        try c.encode(dueProvisional, forKey: .dueProvisional)
        try c.encode(signDueProvisional, forKey: .signDueProvisional)
        try c.encode(calendarVersion, forKey: .calendarVersion)
        try c.encode(signDueAt, forKey: .signDueAt)
        try c.encode(dueAt, forKey: .dueAt)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(onTime, forKey: .onTime)
        try c.encode(signedOnTime, forKey: .signedOnTime)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(feedback, forKey: .feedback)
        try c.encode(returnReason, forKey: .returnReason)
        try c.encode(urgeCount, forKey: .urgeCount)
        try c.encode(supervised, forKey: .supervised)
        try c.encode(heads, forKey: .heads)
        try c.encode(eventCount, forKey: .eventCount)
        try c.encode(superseded, forKey: .superseded)
        try c.encode(contactPerson, forKey: .contactPerson)
        try c.encode(contactPhone, forKey: .contactPhone)
        try c.encode(openConflicts, forKey: .openConflicts)
        try c.encode(conflicts, forKey: .conflicts)
        try c.encode(digest, forKey: .digest)
        try c.encode(counted, forKey: .counted)
        try c.encode(lateReports, forKey: .lateReports)
        try c.encode(documents, forKey: .documents)
        try c.encode(missingDocuments, forKey: .missingDocuments)
        try c.encode(supplement, forKey: .supplement)
        try c.encode(deemedWithdrawn, forKey: .deemedWithdrawn)
        try c.encode(extensions, forKey: .extensions)
        try c.encode(extendedDueDate, forKey: .extendedDueDate)
        try c.encode(extendedDueAt, forKey: .extendedDueAt)
        try c.encode(overdueExtended, forKey: .overdueExtended)
        try c.encode(onTimeExtended, forKey: .onTimeExtended)
    }

    enum CodingKeys: String, CodingKey {
        case id, caseNumber, entrustingCourt, entrustingCourtName, entrustedCourt, entrustedCourtName, kind, kindName
        case state, stateName, urgent, applicant, debtor, debtorId, measureExpires, note, sentAt, receivedAt, signedAt,
            startedAt
        case completedAt, returnedAt, withdrawnAt, closedAt, signDueDate, dueDate, dueProvisional, signDueProvisional,
            calendarVersion
        case signDueAt, dueAt, overdue, onTime
        case signedOnTime, outcome, feedback, returnReason, urgeCount, supervised, heads, eventCount, superseded
        case contactPerson, contactPhone, openConflicts, conflicts, digest, counted, lateReports
        case documents, missingDocuments, supplement, deemedWithdrawn
        case extensions, extendedDueDate, extendedDueAt, overdueExtended, onTimeExtended
    }
}

/// An event as `matter show --json` prints it.
struct EventView: Encodable {
    var id: String
    var sequence: Int64
    var kind: String
    var kindName: String
    var author: String
    var origin: String
    var recordedAt: String
    var hlc: String
    var storedAt: String
    var parents: [String]

    init(_ stored: StoredEvent) {
        let e = stored.event
        id = e.id.hex
        sequence = stored.sequence
        kind = e.kind.rawValue
        kindName = e.kind.chineseName
        author = e.author.rawValue
        origin = e.origin.rawValue
        recordedAt = e.recordedAt.rfc3339
        hlc = e.timestamp.description
        storedAt = stored.storedAt.rfc3339
        parents = e.parents.map(\.hex)
    }
}
