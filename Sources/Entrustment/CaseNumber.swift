/// An enforcement case number (案号), e.g. `（2026）京0105执123号`.
///
/// Format (ANHAO art. 3): `（year）` + court code + case-type code + sequence + `号`. Parsing is
/// strict; half-width brackets `()` are accepted on input and full-width `（）` written back.
/// Numbers in the pre-2016 style (`（2015）朝执字第123号`) are rejected.
public struct CaseNumber: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The year the case was docketed.
    public let year: Int
    /// The court that docketed the case.
    public let court: CourtCode
    /// The case type (执, 执恢, 执保 …).
    public let type: CaseTypeCode
    /// The sequence number within (court, type, year), from 1.
    public let sequence: Int

    /// The years accepted: the current format started in 2016.
    public static let years = 2016...2099
    /// The longest sequence accepted, in digits.
    public static let maxSequenceDigits = 7

    public init(year: Int, court: CourtCode, type: CaseTypeCode, sequence: Int) {
        self.year = year
        self.court = court
        self.type = type
        self.sequence = sequence
    }

    /// Parses a case number, naming the first thing wrong with it.
    public init(parsing input: String) throws(DomainError) {
        func reject(_ why: String) -> DomainError {
            DomainError(.invalidCaseNumber, "invalid case number \"\(input)\": \(why)")
        }
        var rest = Substring(input)
        guard let open = rest.first, open == "（" || open == "(" else {
            throw reject("must start with （year）, e.g. （2026）京0105执123号")
        }
        rest = rest.dropFirst()
        let yearDigits = rest.prefix { $0.isASCII && $0.isNumber }
        guard yearDigits.count == 4, let year = Int(yearDigits) else {
            throw reject("the year must be 4 digits")
        }
        guard Self.years.contains(year) else {
            throw reject("the year \(year) is outside \(Self.years.lowerBound)-\(Self.years.upperBound)")
        }
        rest = rest.dropFirst(4)
        guard let close = rest.first, close == "）" || close == ")" else {
            throw reject("the year must be followed by a closing bracket ）")
        }
        rest = rest.dropFirst()

        let courtText: Substring
        if rest.hasPrefix("最高法") {
            courtText = rest.prefix(3)
        } else {
            guard let prefix = rest.first else { throw reject("the court code is missing") }
            courtText = rest.prefix(1 + rest.dropFirst().prefix { $0.isASCII && $0.isNumber }.count)
            guard Province.names[prefix] != nil else {
                throw reject("\"\(prefix)\" is not a court code prefix (最高法, 京, 粤0106 …)")
            }
        }
        let court: CourtCode
        do {
            court = try CourtCode(String(courtText))
        } catch {
            throw reject("the court code \"\(courtText)\" must be a province abbreviation followed by 0, 2 or 4 digits")
        }
        rest = rest.dropFirst(courtText.count)

        let typeText = rest.prefix { !($0.isASCII && $0.isNumber) && $0 != "号" }
        guard !typeText.isEmpty else { throw reject("the case-type code (执, 执恢, 执保 …) is missing") }
        guard let type = CaseTypeCode(rawValue: String(typeText)) else {
            let known = CaseTypeCode.allCases.map(\.rawValue).joined(separator: "/")
            throw reject("\"\(typeText)\" is not an enforcement case-type code (\(known))")
        }
        rest = rest.dropFirst(typeText.count)

        let sequenceDigits = rest.prefix { $0.isASCII && $0.isNumber }
        guard !sequenceDigits.isEmpty else { throw reject("the sequence number is missing") }
        guard sequenceDigits.first != "0" else { throw reject("the sequence number must not start with 0") }
        guard sequenceDigits.count <= Self.maxSequenceDigits, let sequence = Int(sequenceDigits) else {
            throw reject("the sequence number has more than \(Self.maxSequenceDigits) digits")
        }
        rest = rest.dropFirst(sequenceDigits.count)
        guard rest == "号" else {
            throw reject(rest.isEmpty ? "must end with 号" : "unexpected \"\(rest)\" after the sequence number")
        }
        self.init(year: year, court: court, type: type, sequence: sequence)
    }

    /// The canonical form with full-width brackets.
    public var description: String { "（\(year)）\(court)\(type.rawValue)\(sequence)号" }

    public init(from decoder: any Decoder) throws {
        self = try CaseNumber(parsing: decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
