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
    public var signDue: CivilDate
    public var due: CivilDate
    /// 期限内办结: `nil` unless completed.
    public var onTime: Bool?
    /// 签收用时 and 用时, in days.
    public var signLagDays: Double?
    public var completionDays: Double?
    /// 超期未办结 at the instant of the request.
    public var overdue: Bool
    /// The events in the order this node stored them.
    public var steps: [Step]

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
        signDue = matter.request.signDue
        due = matter.request.due
        onTime = timing.onTime
        signLagDays = timing.signLagDays
        completionDays = timing.completionDays
        overdue = timing.isOverdue(at: now)
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
