import Entrustment
import Replica

/// One matter's deadlines, times and events, for the dashboard's drill-down.
public struct MatterTimeline: Sendable, Codable {
    /// One event of the matter.
    public struct Step: Sendable, Codable {
        public var event: String
        public var kind: String
        public var kindName: String
        public var author: String
        public var authorName: String
        public var origin: String
        /// When the author recorded it (its node's clock).
        public var recordedAt: Timestamp
        /// When this node stored it.
        public var storedAt: Timestamp
        /// When the hub first stored it (its witness), if this node holds the witness.
        public var witnessedAt: Timestamp?
        /// 迟报: the hub stored it more than the grace after it was recorded.
        public var late: Bool
        /// 已采纳: hub staff accepted the late report.
        public var lateAccepted: Bool
        /// Superseded by a concurrent act (it stays in the log).
        public var superseded: Bool

        /// Encodes every field, a missing time as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(event, forKey: .event)
            try c.encode(kind, forKey: .kind)
            try c.encode(kindName, forKey: .kindName)
            try c.encode(author, forKey: .author)
            try c.encode(authorName, forKey: .authorName)
            try c.encode(origin, forKey: .origin)
            try c.encode(recordedAt, forKey: .recordedAt)
            try c.encode(storedAt, forKey: .storedAt)
            try c.encode(witnessedAt, forKey: .witnessedAt)
            try c.encode(late, forKey: .late)
            try c.encode(lateAccepted, forKey: .lateAccepted)
            try c.encode(superseded, forKey: .superseded)
        }
    }

    public var id: String
    public var caseNumber: String
    public var entrustingCourt: String
    public var entrustingCourtName: String
    public var entrustedCourt: String
    public var entrustedCourtName: String
    public var kind: String
    public var kindName: String
    public var urgent: Bool
    public var state: String
    public var stateName: String
    public var sentAt: Timestamp
    public var receivedAt: Timestamp?
    public var signedAt: Timestamp?
    public var completedAt: Timestamp?
    public var returnedAt: Timestamp?
    public var withdrawnAt: Timestamp?
    /// 办结结果 and 退回原因, in Chinese.
    public var outcomeName: String?
    public var returnReasonName: String?
    public var signDue: CivilDate
    public var due: CivilDate
    /// 暂定: the completion deadline counts days of a year the hub's calendar does not cover yet.
    public var dueProvisional: Bool
    /// 暂定, for the signing deadline.
    public var signDueProvisional: Bool
    /// When the hub first handed the matter to the entrusted court (送达), if witnessed.
    public var deliveredAt: Timestamp?
    /// 期限内办结: `nil` unless completed.
    public var onTime: Bool?
    /// 延期后办理期限, when an approved extension counts.
    public var extendedDue: CivilDate?
    /// 期限内办结, against the extended deadline; `nil` unless completed.
    public var onTimeExtended: Bool?
    /// 超期未办结, against the extended deadline.
    public var overdueExtended: Bool
    /// 签收用时, 用时 (from receipt) and 用时 from sending, in days.
    public var signLagDays: Double?
    public var completionDays: Double?
    public var completionDaysFromSent: Double?
    /// 超期未办结 at the instant of the request, and by how many days (`nil` unless overdue).
    public var overdue: Bool
    public var daysOverdue: Double?
    /// The events in the order this node stored them.
    public var steps: [Step]
    /// 材料: the documents attached (names, kinds, sizes, who, when; never their content).
    public var documents: [Document]
    /// 补办: the latest request for supplementary documents, if any, and 视为撤回.
    public var supplement: Supplement?

    /// A document attached to the matter.
    public struct Document: Sendable, Codable {
        public var hash: String
        public var kind: String
        public var kindName: String
        public var fileName: String
        public var mediaType: String
        public var size: Int
        public var court: String
        public var courtName: String
        public var attachedAt: Timestamp
    }

    /// A request for supplement as the drill-down shows it.
    public struct Supplement: Sendable, Codable {
        public var requestedAt: Timestamp
        public var kindNames: [String]
        public var due: CivilDate
        public var answeredAt: Timestamp?
        public var deemedWithdrawn: Bool
    }

    /// Encodes every field, a missing time or figure as `null`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(caseNumber, forKey: .caseNumber)
        try c.encode(entrustingCourt, forKey: .entrustingCourt)
        try c.encode(entrustingCourtName, forKey: .entrustingCourtName)
        try c.encode(entrustedCourt, forKey: .entrustedCourt)
        try c.encode(entrustedCourtName, forKey: .entrustedCourtName)
        try c.encode(kind, forKey: .kind)
        try c.encode(kindName, forKey: .kindName)
        try c.encode(urgent, forKey: .urgent)
        try c.encode(state, forKey: .state)
        try c.encode(stateName, forKey: .stateName)
        try c.encode(sentAt, forKey: .sentAt)
        try c.encode(receivedAt, forKey: .receivedAt)
        try c.encode(signedAt, forKey: .signedAt)
        try c.encode(completedAt, forKey: .completedAt)
        try c.encode(returnedAt, forKey: .returnedAt)
        try c.encode(withdrawnAt, forKey: .withdrawnAt)
        try c.encode(outcomeName, forKey: .outcomeName)
        try c.encode(returnReasonName, forKey: .returnReasonName)
        try c.encode(signDue, forKey: .signDue)
        try c.encode(due, forKey: .due)
        try c.encode(dueProvisional, forKey: .dueProvisional)
        try c.encode(signDueProvisional, forKey: .signDueProvisional)
        try c.encode(deliveredAt, forKey: .deliveredAt)
        try c.encode(onTime, forKey: .onTime)
        try c.encode(signLagDays, forKey: .signLagDays)
        try c.encode(completionDays, forKey: .completionDays)
        try c.encode(completionDaysFromSent, forKey: .completionDaysFromSent)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(daysOverdue, forKey: .daysOverdue)
        try c.encode(extendedDue, forKey: .extendedDue)
        try c.encode(onTimeExtended, forKey: .onTimeExtended)
        try c.encode(overdueExtended, forKey: .overdueExtended)
        try c.encode(steps, forKey: .steps)
        try c.encode(documents, forKey: .documents)
        try c.encode(supplement, forKey: .supplement)
    }

    /// The timeline of `matter`: the times that count (`timing`), its stored events and the
    /// hub's witnesses of them, and its late reports.
    public init(
        _ matter: Matter, timing: MatterTiming, events: [StoredEvent], witnesses: [Witness], lateReports: [LateReport],
        now: Timestamp, directory: CourtDirectory
    ) {
        func name(_ court: CourtCode) -> String { directory[court]?.name ?? court.rawValue }
        id = matter.id.rawValue
        caseNumber = matter.request.caseNumber.description
        entrustingCourt = matter.entrustingCourt.rawValue
        entrustingCourtName = name(matter.entrustingCourt)
        entrustedCourt = matter.entrustedCourt.rawValue
        entrustedCourtName = name(matter.entrustedCourt)
        kind = matter.request.kind.id
        kindName = matter.request.kind.chineseName
        urgent = matter.request.urgent
        state = matter.state.rawValue
        stateName = matter.state.chineseName
        documents = matter.documents.map {
            Document(
                hash: $0.reference.hash.hex, kind: $0.reference.kind.rawValue, kindName: $0.reference.kind.chineseName,
                fileName: $0.reference.fileName, mediaType: $0.reference.mediaType.rawValue, size: $0.reference.size,
                court: $0.court.rawValue, courtName: name($0.court), attachedAt: $0.at)
        }
        supplement = matter.supplement.map {
            Supplement(
                requestedAt: $0.requestedAt, kindNames: $0.kinds.map(\.chineseName), due: $0.due,
                answeredAt: $0.answeredAt, deemedWithdrawn: matter.deemedWithdrawn)
        }
        sentAt = timing.sentAt
        receivedAt = timing.receivedAt
        signedAt = timing.signedAt
        completedAt = timing.completedAt
        returnedAt = timing.returnedAt
        withdrawnAt = timing.withdrawnAt
        outcomeName = matter.outcome?.chineseName
        returnReasonName = matter.returnReason?.chineseName
        signDue = timing.signDue
        due = timing.due
        dueProvisional = timing.dueProvisional
        signDueProvisional = timing.signDueProvisional
        deliveredAt = witnesses.first { $0.kind == .delivered }?.at
        onTime = timing.onTime
        extendedDue = timing.extendedDue
        onTimeExtended = timing.onTimeExtended
        overdueExtended = timing.isOverdueExtended(at: now)
        signLagDays = timing.signLagDays
        completionDays = timing.completionDays
        completionDaysFromSent = timing.completionDaysFromSent
        overdue = timing.isOverdue(at: now)
        daysOverdue = overdue ? timing.daysOverdue(at: now) : nil
        let superseded = Set(matter.superseded)
        let witnessed = Dictionary(
            witnesses.filter { $0.kind == .stored }.map { ($0.event, $0.at) }, uniquingKeysWith: { first, _ in first })
        let late = Dictionary(lateReports.map { ($0.event, $0) }, uniquingKeysWith: { first, _ in first })
        steps = events.map { stored in
            let e = stored.event
            return Step(
                event: e.id.hex, kind: e.kind.rawValue, kindName: e.kind.chineseName, author: e.author.rawValue,
                authorName: name(e.author), origin: e.origin.rawValue, recordedAt: e.recordedAt,
                storedAt: stored.storedAt, witnessedAt: witnessed[e.id], late: late[e.id] != nil,
                lateAccepted: late[e.id]?.acceptance != nil, superseded: superseded.contains(e.id))
        }
    }
}
