/// Public holidays and adjusted working days (调休上班), from `Nodes/calendar.json`.
///
/// A rest day is a holiday, or a Saturday or Sunday that is not an adjusted working day.
/// Years the file does not cover fall back to weekends only; ``covers(_:)`` tells which.
public struct HolidayCalendar: Sendable {
    /// The file's shape (see `docs/data-files.md`).
    public struct File: Codable, Sendable, Hashable {
        public struct Day: Codable, Sendable, Hashable {
            public var date: CivilDate
            public var name: String
            public init(date: CivilDate, name: String) {
                self.date = date
                self.name = name
            }
        }
        public struct Year: Codable, Sendable, Hashable {
            public var year: Int
            /// `official` (from the State Council notice) or `provisional`.
            public var status: String
            /// The State Council notice the year comes from, if the file names it.
            public var notice: String?
            public var holidays: [Day]
            public var workdays: [Day]
            public init(year: Int, status: String, notice: String? = nil, holidays: [Day], workdays: [Day]) {
                self.year = year
                self.status = status
                self.notice = notice
                self.holidays = holidays
                self.workdays = workdays
            }
        }
        public var years: [Year]
        public init(years: [Year]) { self.years = years }
    }

    private let holidays: [CivilDate: String]
    private let workdays: [CivilDate: String]
    /// The years the calendar covers, with their status.
    public let years: [Int: String]

    /// Builds a calendar from the file's contents, rejecting contradictions.
    public init(_ file: File) throws(DomainError) {
        var holidays: [CivilDate: String] = [:]
        var workdays: [CivilDate: String] = [:]
        var years: [Int: String] = [:]
        for year in file.years {
            guard years[year.year] == nil else {
                throw DomainError(.invalidCalendar, "calendar lists the year \(year.year) twice")
            }
            years[year.year] = year.status
            for day in year.holidays {
                guard day.date.year == year.year else {
                    throw DomainError(.invalidCalendar, "holiday \(day.date) is listed under \(year.year)")
                }
                holidays[day.date] = day.name
            }
            for day in year.workdays {
                guard day.date.year == year.year, day.date.isWeekend, holidays[day.date] == nil else {
                    throw DomainError(
                        .invalidCalendar,
                        "adjusted working day \(day.date) must be a weekend day of \(year.year) that is not a holiday")
                }
                workdays[day.date] = day.name
            }
        }
        self.holidays = holidays
        self.workdays = workdays
        self.years = years
    }

    /// Whether the calendar lists holidays for that year.
    public func covers(_ year: Int) -> Bool { years[year] != nil }

    /// A day courts do not work: a holiday, or a weekend day that is not an adjusted working day.
    public func isRestDay(_ date: CivilDate) -> Bool {
        if workdays[date] != nil { return false }
        if holidays[date] != nil { return true }
        return date.isWeekend
    }

    /// The calendar as a file's contents.
    public var file: File {
        File(
            years: years.keys.sorted().map { year in
                File.Year(
                    year: year, status: years[year]!,
                    holidays: holidays.filter { $0.key.year == year }.map { File.Day(date: $0.key, name: $0.value) }
                        .sorted { $0.date < $1.date },
                    workdays: workdays.filter { $0.key.year == year }.map { File.Day(date: $0.key, name: $0.value) }
                        .sorted { $0.date < $1.date })
            })
    }

    /// All listed days, for storing the calendar: (date, isWorkday, name).
    public var listedDays: [(date: CivilDate, isWorkday: Bool, name: String)] {
        (holidays.map { ($0.key, false, $0.value) } + workdays.map { ($0.key, true, $0.value) })
            .sorted { $0.0 < $1.0 }
    }
}
