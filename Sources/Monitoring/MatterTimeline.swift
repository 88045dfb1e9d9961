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
        /// Superseded by a concurrent act (it stays in the log).
        public var superseded: Bool
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
    /// 期限内办结: `nil` unless completed.
    public var onTime: Bool?
    /// 签收用时, 用时 (from receipt) and 用时 from sending, in days.
    public var signLagDays: Double?
    public var completionDays: Double?
    public var completionDaysFromSent: Double?
    /// 超期未办结 at the instant of the request, and by how many days (`nil` unless overdue).
    public var overdue: Bool
    public var daysOverdue: Double?
    /// The events in the order this node stored them.
    public var steps: [Step]

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
        try c.encode(onTime, forKey: .onTime)
        try c.encode(signLagDays, forKey: .signLagDays)
        try c.encode(completionDays, forKey: .completionDays)
        try c.encode(completionDaysFromSent, forKey: .completionDaysFromSent)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(daysOverdue, forKey: .daysOverdue)
        try c.encode(steps, forKey: .steps)
    }

    /// The timeline of `matter` from its stored events.
    public init(_ matter: Matter, events: [StoredEvent], now: Timestamp, directory: CourtDirectory) {
        let timing = MatterTiming(matter)
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
        sentAt = matter.sentAt
        receivedAt = matter.receivedAt
        signedAt = matter.signedAt
        completedAt = matter.completedAt
        returnedAt = matter.returnedAt
        withdrawnAt = matter.withdrawnAt
        outcomeName = matter.outcome?.chineseName
        returnReasonName = matter.returnReason?.chineseName
        signDue = matter.request.signDue
        due = matter.request.due
        onTime = timing.onTime
        signLagDays = timing.signLagDays
        completionDays = timing.completionDays
        completionDaysFromSent = timing.completionDaysFromSent
        overdue = timing.isOverdue(at: now)
        daysOverdue = overdue ? timing.daysOverdue(at: now) : nil
        let superseded = Set(matter.superseded)
        steps = events.map { stored in
            let e = stored.event
            return Step(
                event: e.id.hex, kind: e.kind.rawValue, kindName: e.kind.chineseName, author: e.author.rawValue,
                authorName: name(e.author), origin: e.origin.rawValue, recordedAt: e.recordedAt,
                storedAt: stored.storedAt, superseded: superseded.contains(e.id))
        }
    }
}
