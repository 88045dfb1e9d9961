/// How long the entrusted court has to sign for and to complete a matter, and how days are counted.
///
/// Counting follows Civil Procedure Law art. 85: the start day (the day the matter is sent,
/// in China Standard Time) is not counted; a period in calendar days whose last day is a rest day
/// ends on the first working day after it; a period in working days counts only working days.
/// A deadline ends at 24:00 CST of its last day.
public struct DeadlinePolicy: Sendable, Hashable, Codable {
    /// A length of time.
    public struct Period: Sendable, Hashable, Codable {
        /// How many days.
        public var days: Int
        /// `true`: working days; `false`: calendar days.
        public var workingDays: Bool

        public init(days: Int, workingDays: Bool) {
            self.days = days
            self.workingDays = workingDays
        }

        public static func calendarDays(_ n: Int) -> Period { Period(days: n, workingDays: false) }
        public static func workingDays(_ n: Int) -> Period { Period(days: n, workingDays: true) }
    }

    /// Signing (签收期限): default 3 working days.
    public var signing: Period
    /// Completion (办理期限): default 30 calendar days.
    public var completion: Period
    /// Completion by kind, overriding ``completion``: default `documents:serve` 10 days.
    public var completionByKind: [String: Period]
    /// Signing for urgent matters: default 1 working day.
    public var urgentSigning: Period
    /// Completion for urgent matters: default 3 calendar days (or the kind's, if shorter).
    public var urgentCompletion: Period
    /// How long the entrusting court has to supplement documents after a request (补办, R2011
    /// art. 8); `nil` in policies published before it was configurable: 30 calendar days.
    public var supplementPeriod: Period?

    /// How many extensions (延期) a matter may have approved; `nil` in policies published before
    /// it was configurable: 1.
    public var maxExtensions: Int?
    /// How many calendar days its approved extensions may add together; `nil` in policies
    /// published before it was configurable: 30.
    public var maxExtensionDays: Int?

    /// The default supplement period: 30 calendar days (R2011 art. 8).
    public static let defaultSupplementPeriod = Period.calendarDays(30)
    /// The default number of extensions per matter: 1 (`shared/DOMAIN.md` §7, question 4).
    public static let defaultMaxExtensions = 1
    /// The default days extensions may add to a matter: 30.
    public static let defaultMaxExtensionDays = 30
    /// The most extensions hub staff may allow per matter.
    public static let maxExtensionsCeiling = 12

    public init(
        signing: Period = .workingDays(3), completion: Period = .calendarDays(30),
        completionByKind: [String: Period] = [MatterKind.documentsServe.id: .calendarDays(10)],
        urgentSigning: Period = .workingDays(1), urgentCompletion: Period = .calendarDays(3),
        supplementPeriod: Period? = nil, maxExtensions: Int? = nil, maxExtensionDays: Int? = nil
    ) {
        self.maxExtensions = maxExtensions
        self.maxExtensionDays = maxExtensionDays
        self.supplementPeriod = supplementPeriod
        self.signing = signing
        self.completion = completion
        self.completionByKind = completionByKind
        self.urgentSigning = urgentSigning
        self.urgentCompletion = urgentCompletion
    }

    /// The defaults described above.
    public static let standard = DeadlinePolicy()

    /// How many extensions a matter may have approved (0: none).
    public var extensionLimit: Int { maxExtensions ?? Self.defaultMaxExtensions }
    /// How many days its approved extensions may add together.
    public var extensionDaysLimit: Int { maxExtensionDays ?? Self.defaultMaxExtensionDays }

    /// The last day of `period` counted from `start` (the start day itself not counted).
    public static func lastDay(of period: Period, from start: CivilDate, in calendar: HolidayCalendar) -> CivilDate {
        if period.workingDays {
            var day = start
            var counted = 0
            while counted < period.days {
                day = day.adding(days: 1)
                if !calendar.isRestDay(day) { counted += 1 }
            }
            return day
        }
        var day = start.adding(days: period.days)
        while calendar.isRestDay(day) { day = day.adding(days: 1) }
        return day
    }

    /// The last days for signing and completing a matter sent on `sentOn`.
    ///
    /// The completion deadline is the statutory period and is never lengthened: where the
    /// signing period would end after it (a 10-day service whose 3 working days run over a
    /// holiday), the signing deadline is the completion deadline. The deadlines are provisional
    /// (暂定) when a day counted falls in a year `calendar` does not cover: only weekends were
    /// taken as rest days there.
    public func deadlines(
        for kind: MatterKind, urgent: Bool, sentOn: CivilDate, calendar: HolidayCalendar
    ) -> MatterDeadlines {
        let kindCompletion = completionByKind[kind.id] ?? completion
        let signDue = Self.lastDay(of: urgent ? urgentSigning : signing, from: sentOn, in: calendar)
        var due = Self.lastDay(of: kindCompletion, from: sentOn, in: calendar)
        if urgent { due = min(due, Self.lastDay(of: urgentCompletion, from: sentOn, in: calendar)) }
        let first = sentOn.adding(days: 1).year
        let signed = min(signDue, due)
        return MatterDeadlines(
            signDue: signed, due: due, provisional: !(first...max(first, due.year)).allSatisfy(calendar.covers),
            signDueProvisional: !(first...max(first, signed.year)).allSatisfy(calendar.covers))
    }

    /// Checks that every period is between 1 and 366 days and every kind is known.
    public func validate() throws(DomainError) {
        let all =
            [signing, completion, urgentSigning, urgentCompletion] + Array(completionByKind.values)
            + (supplementPeriod.map { [$0] } ?? [])
        guard all.allSatisfy({ (1...366).contains($0.days) }) else {
            throw DomainError(.invalidField, "deadline periods must be 1 to 366 days")
        }
        for kind in completionByKind.keys { _ = try MatterKind(id: kind) }
        guard (0...Self.maxExtensionsCeiling).contains(extensionLimit) else {
            throw DomainError(
                .invalidField, "at most \(Self.maxExtensionsCeiling) extensions per matter may be allowed")
        }
        guard (1...366).contains(extensionDaysLimit) else {
            throw DomainError(.invalidField, "extensions may add 1 to 366 days to a matter")
        }
    }

    /// The last day to supplement documents asked for on `requestedOn` (art. 85 counting).
    public func supplementDue(requestedOn: CivilDate, calendar: HolidayCalendar) -> CivilDate {
        Self.lastDay(of: supplementPeriod ?? Self.defaultSupplementPeriod, from: requestedOn, in: calendar)
    }

    /// The instant a deadline ends: 24:00 CST of its last day.
    public static func end(of lastDay: CivilDate) -> Timestamp {
        Timestamp(startOfChinaDay: lastDay.adding(days: 1))
    }
}
