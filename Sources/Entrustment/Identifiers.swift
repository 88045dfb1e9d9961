/// The platform id of an entrusted matter: `京0105-2026-000123`.
///
/// A matter entrustment opens no case at the entrusted court (R2011 art. 2), so the platform
/// numbers it: the entrusting court's code, the year it was sent, and that court's running number
/// for the year. Only the entrusting court's node issues ids for its court, so they are unique.
public struct MatterID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The id as written.
    public let rawValue: String
    /// The entrusting court.
    public let court: CourtCode
    /// The year the matter was sent.
    public let year: Int
    /// The court's running number for the year, from 1.
    public let sequence: Int

    public init(court: CourtCode, year: Int, sequence: Int) {
        self.court = court
        self.year = year
        self.sequence = sequence
        let digits = String(sequence)
        rawValue = "\(court)-\(year)-\(String(repeating: "0", count: max(0, 6 - digits.count)))\(digits)"
    }

    /// Parses `CODE-YYYY-NNNNNN` strictly.
    public init(_ text: String) throws(DomainError) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        let fail = DomainError(.invalidMatterID, "invalid matter id \"\(text)\": expected e.g. 京0105-2026-000123")
        guard parts.count == 3, parts[1].count == 4, (6...9).contains(parts[2].count),
            parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[2].allSatisfy({ $0.isASCII && $0.isNumber }),
            let year = Int(parts[1]), let sequence = Int(parts[2]), sequence > 0,
            let court = try? CourtCode(String(parts[0]))
        else { throw fail }
        self.init(court: court, year: year, sequence: sequence)
        guard rawValue == text else { throw fail }
    }

    public var description: String { rawValue }

    public static func < (lhs: MatterID, rhs: MatterID) -> Bool {
        (lhs.court.rawValue, lhs.year, lhs.sequence) < (rhs.court.rawValue, rhs.year, rhs.sequence)
    }

    public init(from decoder: any Decoder) throws {
        self = try MatterID(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The identity of a node (one court's daemon and replica), e.g. `京0105.3f9a1c2e`.
public struct NodeID: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The longest node id accepted, in UTF-8 bytes.
    public static let maxBytes = 64

    public let rawValue: String

    /// Checks that the id is 1–64 bytes of letters (Unicode categories L*), digits and other
    /// numbers (N*), and the ASCII characters `.` `-` `_` (`Protocol/changeset.md` §2.1): no spaces,
    /// control, format or private-use characters, nothing a terminal or a log would interpret.
    public init(_ text: String) throws(DomainError) {
        guard !text.isEmpty, text.utf8.count <= Self.maxBytes, text.unicodeScalars.allSatisfy(Self.allows) else {
            throw DomainError(
                .invalidField,
                "invalid node id \"\(text.unicodeScalars.map { Self.allows($0) ? String($0) : "?" }.joined().prefix(80))\": 1-64 bytes of letters, digits and . - _"
            )
        }
        rawValue = text
    }

    /// Whether `scalar` may appear in a node id.
    static func allows(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "." || scalar == "-" || scalar == "_" { return true }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    public var description: String { rawValue }
    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self = try NodeID(decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// An event's id: the SHA-256 of its canonical encoding (see `Protocol/changeset.md`).
public struct EventID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    /// Wraps 32 digest bytes.
    public init(bytes: [UInt8]) throws(DomainError) {
        guard bytes.count == 32 else {
            throw DomainError(.malformedEvent, "an event id has 32 bytes, not \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// Parses 64 lowercase or uppercase hex digits.
    public init(hex: String) throws(DomainError) {
        guard hex.utf8.count == 64, let bytes = Hex.decode(hex) else {
            throw DomainError(.malformedEvent, "invalid event id \"\(hex.prefix(80))\": expected 64 hex digits")
        }
        self.bytes = bytes
    }

    /// 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }

    public var description: String { hex }

    public static func < (lhs: EventID, rhs: EventID) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
