/// The holiday calendar and the deadline rules as the hub publishes them, inside the signed court
/// directory (`Protocol/sync.md` §2.3), so that every node computes the same deadlines and counts
/// acts by the same rules.
///
/// Versioned and append-only: each publication raises ``version``; a year, once published, never
/// changes (``publishing(_:issuedAt:)`` refuses to alter one), and a change of rules is added
/// with the version it takes effect from. Any earlier version can therefore be rebuilt from a
/// later document: a `create` names the version its deadlines were computed with, and a receiver
/// holding that version or a later one checks them exactly (``CalendarVersions``).
public struct ReferenceCalendar: Codable, Sendable, Hashable {
    /// One published year of holidays and adjusted working days.
    public struct Year: Codable, Sendable, Hashable {
        /// The year.
        public var year: Int
        /// The calendar version that published it.
        public var since: Int
        /// The State Council notice it comes from.
        public var notice: String?
        /// Public holidays (法定节假日).
        public var holidays: [HolidayCalendar.File.Day]
        /// Weekend days worked instead (调休上班).
        public var workdays: [HolidayCalendar.File.Day]

        public init(
            year: Int, since: Int, notice: String?, holidays: [HolidayCalendar.File.Day],
            workdays: [HolidayCalendar.File.Day]
        ) {
            self.year = year
            self.since = since
            self.notice = notice
            self.holidays = holidays.sorted { $0.date < $1.date }
            self.workdays = workdays.sorted { $0.date < $1.date }
        }
    }

    /// The rules in force from one version on.
    public struct Rules: Codable, Sendable, Hashable {
        /// The first calendar version they apply to.
        public var since: Int
        /// How deadlines are counted.
        public var deadlines: DeadlinePolicy
        /// How long after an act the hub may first store it with the act still counting at its
        /// recorded time (`docs/indicators.md`, late reports), in seconds. Time the hub itself was
        /// down does not count.
        public var lateReportGraceSeconds: Int

        public init(since: Int, deadlines: DeadlinePolicy, lateReportGraceSeconds: Int) {
            self.since = since
            self.deadlines = deadlines
            self.lateReportGraceSeconds = lateReportGraceSeconds
        }
    }

    /// The default grace for late reports: 24 hours.
    public static let defaultGraceSeconds = 86_400
    /// The longest grace hub staff may set: 30 days.
    public static let maxGraceSeconds = 30 * 86_400

    /// Raised by one for every publication.
    public var version: Int
    /// When the hub published this version, RFC 3339.
    public var issuedAt: String
    /// The published years, ascending.
    public var years: [Year]
    /// The rules, ascending by ``Rules/since``; the first applies from version 1.
    public var rules: [Rules]

    public init(version: Int, issuedAt: String, years: [Year], rules: [Rules]) {
        self.version = version
        self.issuedAt = issuedAt
        self.years = years.sorted { $0.year < $1.year }
        self.rules = rules.sorted { $0.since < $1.since }
    }

    /// Version 1: the official years of `file`, under `deadlines` and the default grace.
    public static func first(
        from file: HolidayCalendar.File, deadlines: DeadlinePolicy, issuedAt: Timestamp
    ) throws(DomainError) -> ReferenceCalendar {
        let calendar = ReferenceCalendar(
            version: 1, issuedAt: issuedAt.rfc3339,
            years: file.years.filter { $0.status == "official" }.map {
                Year(year: $0.year, since: 1, notice: $0.notice, holidays: $0.holidays, workdays: $0.workdays)
            },
            rules: [Rules(since: 1, deadlines: deadlines, lateReportGraceSeconds: defaultGraceSeconds)])
        try calendar.validate()
        return calendar
    }

    /// The next version, adding the official years of `file` that are not yet published. A year
    /// already published must be listed with exactly its published days (or left out); a year
    /// whose status is not `official` is refused: publish a year once the State Council's notice
    /// is out.
    public func publishing(_ file: HolidayCalendar.File, issuedAt: Timestamp) throws(DomainError) -> ReferenceCalendar {
        _ = try HolidayCalendar(file)
        var next = self
        next.version = version + 1
        next.issuedAt = issuedAt.rfc3339
        var added: [Int] = []
        for year in file.years {
            guard year.status == "official" else {
                throw DomainError(
                    .invalidCalendar,
                    "\(year.year) is \(year.status), not official: publish a year once the State Council's notice is out"
                )
            }
            let candidate = Year(
                year: year.year, since: next.version, notice: year.notice, holidays: year.holidays,
                workdays: year.workdays)
            if let published = years.first(where: { $0.year == year.year }) {
                guard published.holidays == candidate.holidays, published.workdays == candidate.workdays else {
                    throw DomainError(
                        .invalidCalendar,
                        "\(year.year) was published in calendar version \(published.since) with other days: a published year never changes"
                    )
                }
                continue
            }
            next.years.append(candidate)
            added.append(year.year)
        }
        guard !added.isEmpty else {
            throw DomainError(.invalidCalendar, "the file adds no year the calendar does not already hold")
        }
        next.years.sort { $0.year < $1.year }
        try next.validate()
        return next
    }

    /// The next version, with a new grace for late reports from it on.
    public func withGrace(seconds: Int, issuedAt: Timestamp) throws(DomainError) -> ReferenceCalendar {
        var next = self
        next.version = version + 1
        next.issuedAt = issuedAt.rfc3339
        next.rules.append(
            Rules(since: next.version, deadlines: rules(at: version).deadlines, lateReportGraceSeconds: seconds))
        try next.validate()
        return next
    }

    /// The next version, with new limits on extensions (延期) for matters sent under it on: at most
    /// `maxExtensions` approved per matter (0 allows none), adding at most `maxDays` days together.
    public func withExtensionLimits(
        maxExtensions: Int, maxDays: Int, issuedAt: Timestamp
    ) throws(DomainError) -> ReferenceCalendar {
        var next = self
        next.version = version + 1
        next.issuedAt = issuedAt.rfc3339
        let current = rules(at: version)
        var deadlines = current.deadlines
        deadlines.maxExtensions = maxExtensions
        deadlines.maxExtensionDays = maxDays
        next.rules.append(
            Rules(since: next.version, deadlines: deadlines, lateReportGraceSeconds: current.lateReportGraceSeconds))
        try next.validate()
        return next
    }

    /// The rules in force at `version` (at least 1).
    public func rules(at version: Int) -> Rules {
        rules.last { $0.since <= version } ?? rules[0]
    }

    /// The holidays and adjusted working days published up to `version`.
    public func holidays(at version: Int) throws(DomainError) -> HolidayCalendar {
        try HolidayCalendar(
            .init(
                years: years.filter { $0.since <= version }.map {
                    .init(year: $0.year, status: "official", holidays: $0.holidays, workdays: $0.workdays)
                }))
    }

    /// The last day of the run of published years that begins with `day`'s year, or `nil` if
    /// that year is not published: after it, deadlines are provisional (暂定).
    public func coverage(from day: CivilDate) -> CivilDate? {
        let published = Set(years.map(\.year))
        guard published.contains(day.year) else { return nil }
        var last = day.year
        while published.contains(last + 1) { last += 1 }
        return try? CivilDate(year: last, month: 12, day: 31)
    }

    /// Checks the whole document: versions in range, each year once and well formed, rules from
    /// version 1 on, each valid.
    public func validate() throws(DomainError) {
        guard version >= 1 else {
            throw DomainError(.invalidCalendar, "calendar version \(version) is not positive")
        }
        _ = try Timestamp(rfc3339: issuedAt)
        var seen: Set<Int> = []
        for year in years {
            guard seen.insert(year.year).inserted else {
                throw DomainError(.invalidCalendar, "the calendar lists \(year.year) twice")
            }
            guard (1...version).contains(year.since) else {
                throw DomainError(.invalidCalendar, "\(year.year) names version \(year.since), outside 1…\(version)")
            }
        }
        _ = try holidays(at: version)
        guard let first = rules.first, first.since == 1 else {
            throw DomainError(.invalidCalendar, "the calendar's rules must start at version 1")
        }
        for (earlier, later) in zip(rules, rules.dropFirst()) where later.since <= earlier.since {
            throw DomainError(.invalidCalendar, "the calendar's rules must be in ascending versions")
        }
        for rule in rules {
            guard rule.since <= version else {
                throw DomainError(.invalidCalendar, "rules from version \(rule.since) are after version \(version)")
            }
            try rule.deadlines.validate()
            guard (0...Self.maxGraceSeconds).contains(rule.lateReportGraceSeconds) else {
                throw DomainError(.invalidCalendar, "the late-report grace must be 0 to 30 days")
            }
        }
    }
}
