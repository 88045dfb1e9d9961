import Entrustment
import Replica

/// The late reports (迟报) a node holds: acts the hub first stored more than the grace after their
/// recorded time, each with both times (`docs/indicators.md`). `courtsync report late`,
/// `/api/v1/late` and the dashboard show them.
public struct LateReportList: Sendable, Codable {
    /// One late report.
    public struct Entry: Sendable, Codable, Hashable {
        public var event: String
        public var matter: String
        public var caseNumber: String?
        public var kind: String
        public var kindName: String
        public var author: String
        public var authorName: String
        /// The time the court recorded.
        public var recordedAt: Timestamp
        /// When the hub first stored it.
        public var witnessedAt: Timestamp
        /// How late, in days, the hub's own downtime not counted.
        public var delayDays: Double
        /// The hub's downtime in between, in hours (not counted against the court).
        public var hubDowntimeHours: Double
        /// The grace in force, in hours.
        public var graceHours: Double
        /// 已采纳: accepted by hub staff, when, and their note.
        public var accepted: Bool
        public var acceptedAt: Timestamp?
        public var acceptedNote: String?
        /// The time it counts at.
        public var countsAt: Timestamp

        /// Encodes every field, a missing value as `null`.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(event, forKey: .event)
            try c.encode(matter, forKey: .matter)
            try c.encode(caseNumber, forKey: .caseNumber)
            try c.encode(kind, forKey: .kind)
            try c.encode(kindName, forKey: .kindName)
            try c.encode(author, forKey: .author)
            try c.encode(authorName, forKey: .authorName)
            try c.encode(recordedAt, forKey: .recordedAt)
            try c.encode(witnessedAt, forKey: .witnessedAt)
            try c.encode(delayDays, forKey: .delayDays)
            try c.encode(hubDowntimeHours, forKey: .hubDowntimeHours)
            try c.encode(graceHours, forKey: .graceHours)
            try c.encode(accepted, forKey: .accepted)
            try c.encode(acceptedAt, forKey: .acceptedAt)
            try c.encode(acceptedNote, forKey: .acceptedNote)
            try c.encode(countsAt, forKey: .countsAt)
        }
    }

    public var asOf: Timestamp
    /// Newest witness first.
    public var reports: [Entry]

    /// The list of `reports`, with case numbers from `caseNumbers` and court names from `directory`.
    public init(
        asOf: Timestamp, reports: [LateReport], caseNumbers: [MatterID: String], directory: CourtDirectory
    ) {
        self.asOf = asOf
        self.reports = reports.map { report in
            Entry(
                event: report.event.hex, matter: report.matter.rawValue, caseNumber: caseNumbers[report.matter],
                kind: report.kind.rawValue, kindName: report.kind.chineseName, author: report.author.rawValue,
                authorName: directory[report.author]?.name ?? report.author.rawValue, recordedAt: report.recordedAt,
                witnessedAt: report.witnessedAt, delayDays: Double(report.delayMilliseconds) / 86_400_000,
                hubDowntimeHours: Double(report.hubDowntimeMilliseconds) / 3_600_000,
                graceHours: Double(report.graceMilliseconds) / 3_600_000, accepted: report.acceptance != nil,
                acceptedAt: report.acceptance?.at, acceptedNote: report.acceptance?.note, countsAt: report.countsAt)
        }
    }
}
