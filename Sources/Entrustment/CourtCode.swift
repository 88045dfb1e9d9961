/// A court's designator as used in case numbers (法院代字): `最高法`, `京`, `京03`, `京0105`, `粤0703`, `兵`, `军`.
///
/// The level follows from the shape (ANHAO arts. 4–5): `最高法` is the Supreme People's Court; a
/// province prefix alone is a high court; prefix + 2 digits an intermediate court; prefix + 4 digits
/// a basic court. The superior court does **not** follow from the code (京0105 belongs to 京03):
/// ask the ``CourtDirectory``.
public struct CourtCode: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The code as written, e.g. `京0105`.
    public let rawValue: String
    /// The level the code's shape denotes.
    public let level: CourtLevel

    /// The Supreme People's Court, `最高法`, which runs the hub.
    public static let supreme = CourtCode(trusted: "最高法", level: .supreme)

    private init(trusted: String, level: CourtLevel) {
        rawValue = trusted
        self.level = level
    }

    /// Validates the shape of a court code.
    public init(_ text: String) throws(DomainError) {
        if text == "最高法" {
            self = .supreme
            return
        }
        guard let first = text.first else {
            throw DomainError(.invalidCourtCode, "invalid court code \"\": empty")
        }
        guard Province.names[first] != nil else {
            throw DomainError(
                .invalidCourtCode,
                "invalid court code \"\(text)\": must be 最高法 or start with a province abbreviation such as 京, 粤, 兵, 军")
        }
        let digits = text.dropFirst()
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw DomainError(
                .invalidCourtCode, "invalid court code \"\(text)\": only ASCII digits may follow \(first)")
        }
        switch digits.count {
        case 0: level = .high
        case 2: level = .intermediate
        case 4: level = .basic
        default:
            throw DomainError(
                .invalidCourtCode,
                "invalid court code \"\(text)\": \(first) must be followed by 0, 2 or 4 digits, not \(digits.count)")
        }
        rawValue = text
    }

    /// The province prefix (`京` for `京0105`); `nil` for the Supreme People's Court.
    public var provincePrefix: Character? { level == .supreme ? nil : rawValue.first }

    /// The region's Chinese name (`北京` for `京0105`); `全国` for the Supreme People's Court.
    public var provinceName: String {
        provincePrefix.flatMap { Province.names[$0] } ?? "全国"
    }

    public var description: String { rawValue }

    public static func < (lhs: CourtCode, rhs: CourtCode) -> Bool {
        (lhs.level, lhs.rawValue) < (rhs.level, rhs.rawValue)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try CourtCode(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
