/// The times the indicators count for one matter, after the honest-time rules
/// (`docs/indicators.md`, DESIGN §3a): an act counts at its recorded time when the hub witnessed
/// it within the grace period (or hub staff accepted its late report); otherwise at the time the
/// hub first stored it. Deterministic: every replica holding the same events, witnesses and
/// calendar versions counts the same times.
public enum HonestTime {
    /// The counted times of `matter`, folded from `events` (its acts settled as `acts` says),
    /// judged by `witnesses` (those of its matter) and with deadlines from `calendars` (`nil`: the
    /// deadlines as sent).
    ///
    /// The rules, in order:
    /// 1. An act the hub stored more than the grace after its recorded time (its own downtime
    ///    not counted) is a late report (迟报) and counts at the stored time, unless accepted
    ///    (``LateAcceptance``). An act dated after the hub stored it counts at the stored time.
    ///    An act not (yet) witnessed here counts at its recorded time.
    /// 2. No act counts before the sending: every act follows the `create`.
    /// 3. 收到时间 counts as reported unless the hub witnessed the delivery and the report is more
    ///    than the grace (plus the hub's downtime) before or after it: then at the delivery. It
    ///    never counts before the sending nor after the first act of the entrusted court.
    /// 4. The deadlines are computed from the day the sending counts on, with the rules of the
    ///    calendar version the `create` names and every year published up to the newest version
    ///    held: a provisional (暂定) deadline settles when its year is published.
    /// 5. An approved extension moves the extended deadline (not the original one) if its request
    ///    counts, by rule 1, before the deadline in force then (``extendedDue(of:from:calendars:askedAt:)``).
    public static func count(
        _ matter: Matter, acts: MatterActs, events: [Event], witnesses: [Witness], calendars: CalendarVersions?
    ) -> CountedTimes {
        let byID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var stored: [EventID: Witness] = [:]
        var delivery: Witness?
        for witness in witnesses where witness.matter == matter.id {
            switch witness.kind {
            case .stored: stored[witness.event] = witness
            case .delivered:
                if witness.event == acts.standing[.create], witness.court == matter.entrustedCourt {
                    delivery = witness
                }
            }
        }
        var lateReports: [LateReport] = []
        func own(_ kind: EventKind) -> Timestamp? { own(acts.standing[kind], kind) }
        func own(_ id: EventID?, _ kind: EventKind) -> Timestamp? {
            guard let id, let event = byID[id] else { return nil }
            let recorded = event.recordedAt
            guard let witness = stored[id] else { return recorded }
            if witness.isLate(recordedAt: recorded) {
                let acceptance = acts.acceptedLate[id]
                lateReports.append(
                    LateReport(
                        event: id, matter: matter.id, kind: kind, author: event.author, recordedAt: recorded,
                        witnessedAt: witness.at, hubDowntimeMilliseconds: witness.hubDowntimeMilliseconds,
                        graceMilliseconds: witness.graceMilliseconds, acceptance: acceptance))
                return acceptance == nil ? witness.at : recorded
            }
            return min(recorded, witness.at)
        }
        let sent = own(.create) ?? matter.sentAt
        func counted(_ kind: EventKind) -> Timestamp? { own(kind).map { max($0, sent) } }
        var times = CountedTimes(
            sentAt: sent, receivedAt: nil, signedAt: counted(.sign), completedAt: counted(.complete),
            returnedAt: counted(.return),
            withdrawnAt: counted(.withdraw) ?? (matter.deemedWithdrawn ? matter.withdrawnAt : nil),
            deadlines: deadlines(of: matter, sentOn: sent.chinaDate, calendars: calendars), lateReports: [])
        if var received = matter.receivedAt {
            if let delivery {
                let slack = delivery.graceMilliseconds
                let earliest = delivery.at.milliseconds - slack - delivery.hubDowntimeMilliseconds
                let latest = delivery.at.milliseconds + slack
                if !(earliest...latest).contains(received.milliseconds) { received = delivery.at }
            }
            received = max(received, sent)
            if let firstAct = [times.signedAt, times.returnedAt, times.completedAt].compactMap({ $0 }).min() {
                received = min(received, firstAct)
            }
            times.receivedAt = received
        }
        if let calendars {
            times.deadlines.extendedDue = extendedDue(
                of: matter, from: times.deadlines.due, calendars: calendars,
                askedAt: { own($0.event, .requestExtension).map { max($0, sent) } ?? $0.requestedAt })
        }
        times.lateReports = lateReports.sorted { ($0.recordedAt, $0.event) < ($1.recordedAt, $1.event) }
        return times
    }

    /// The completion deadline after the approved extensions that count, or `nil` if none does.
    /// Each approved extension, in the order asked (within the number and days the matter's rules
    /// allow), counts if its request counts (`askedAt`, after the honest-time rules) before the
    /// deadline in force then, and moves it by its days with every year published (art. 85).
    static func extendedDue(
        of matter: Matter, from due: CivilDate, calendars: CalendarVersions,
        askedAt: (ExtensionRequest) -> Timestamp
    ) -> CivilDate? {
        let version = min(max(matter.request.effectiveCalendarVersion, 1), calendars.version)
        var extended = due
        var counted = false
        for request in ExtensionRules.approved(matter, under: calendars.reference.rules(at: version).deadlines)
        where askedAt(request) < DeadlinePolicy.end(of: extended) {
            extended = ExtensionRules.extend(extended, by: request.days, in: calendars.current)
            counted = true
        }
        return counted ? extended : nil
    }

    /// The deadlines that count for a matter whose sending counts on `sentOn`.
    static func deadlines(of matter: Matter, sentOn: CivilDate, calendars: CalendarVersions?) -> MatterDeadlines {
        let request = matter.request
        guard let calendars else {
            return MatterDeadlines(signDue: request.signDue, due: request.due, provisional: false)
        }
        return calendars.settledDeadlines(
            for: request.kind, urgent: request.urgent, sentOn: sentOn, version: request.effectiveCalendarVersion)
    }
}

/// The times and deadlines of one matter that count (``HonestTime``).
public struct CountedTimes: Hashable, Sendable {
    /// 委托时间 as counted.
    public var sentAt: Timestamp
    /// 收到时间 as counted.
    public var receivedAt: Timestamp?
    /// 签收时间 as counted.
    public var signedAt: Timestamp?
    /// 办结时间 as counted.
    public var completedAt: Timestamp?
    /// 退回时间 as counted.
    public var returnedAt: Timestamp?
    /// 撤回时间 as counted.
    public var withdrawnAt: Timestamp?
    /// The deadlines that count.
    public var deadlines: MatterDeadlines
    /// The matter's acts the hub witnessed late, accepted or not.
    public var lateReports: [LateReport]

    /// Completed by the deadline that counts; `nil` unless completed.
    public var onTime: Bool? { completedAt.map { $0 < deadlines.dueAt } }
    /// Completed by the deadline after the extensions that count; `nil` unless completed.
    public var onTimeExtended: Bool? { completedAt.map { $0 < deadlines.extendedDueAt } }

    public init(
        sentAt: Timestamp, receivedAt: Timestamp?, signedAt: Timestamp?, completedAt: Timestamp?,
        returnedAt: Timestamp?, withdrawnAt: Timestamp?, deadlines: MatterDeadlines, lateReports: [LateReport]
    ) {
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.signedAt = signedAt
        self.completedAt = completedAt
        self.returnedAt = returnedAt
        self.withdrawnAt = withdrawnAt
        self.deadlines = deadlines
        self.lateReports = lateReports
    }
}

/// An act the hub first stored more than the grace after its recorded time (迟报).
public struct LateReport: Hashable, Sendable {
    /// The act's event.
    public var event: EventID
    /// Its matter.
    public var matter: MatterID
    /// Which act.
    public var kind: EventKind
    /// The court that did it.
    public var author: CourtCode
    /// Its recorded time (the author's clock).
    public var recordedAt: Timestamp
    /// When the hub first stored it (its witness).
    public var witnessedAt: Timestamp
    /// How long the hub was down in between, in milliseconds (not counted against the court).
    public var hubDowntimeMilliseconds: Int64
    /// The grace in force when the hub stored it, in milliseconds.
    public var graceMilliseconds: Int64
    /// Hub staff's acceptance, if given: the act then counts at its recorded time.
    public var acceptance: LateAcceptance?

    public init(
        event: EventID, matter: MatterID, kind: EventKind, author: CourtCode, recordedAt: Timestamp,
        witnessedAt: Timestamp, hubDowntimeMilliseconds: Int64, graceMilliseconds: Int64, acceptance: LateAcceptance?
    ) {
        self.event = event
        self.matter = matter
        self.kind = kind
        self.author = author
        self.recordedAt = recordedAt
        self.witnessedAt = witnessedAt
        self.hubDowntimeMilliseconds = hubDowntimeMilliseconds
        self.graceMilliseconds = graceMilliseconds
        self.acceptance = acceptance
    }

    /// How late, in milliseconds, the hub's downtime not counted.
    public var delayMilliseconds: Int64 {
        witnessedAt.milliseconds - recordedAt.milliseconds - hubDowntimeMilliseconds
    }
    /// The time it counts at.
    public var countsAt: Timestamp { acceptance == nil ? witnessedAt : recordedAt }
}
