/// An instant in time, in milliseconds since 1970-01-01T00:00:00Z.
///
/// Written as RFC 3339 in China Standard Time (`2026-11-23T09:30:00+08:00`), the zone court staff
/// read; parsed from any RFC 3339 offset.
public struct Timestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public let milliseconds: Int64

    public init(milliseconds: Int64) { self.milliseconds = milliseconds }

    /// China Standard Time is UTC+8 all year (no daylight saving).
    public static let chinaOffsetMilliseconds: Int64 = 8 * 3_600_000
    static let millisecondsPerDay: Int64 = 86_400_000

    /// 9999-12-31T23:59:59.999+08:00: the latest instant an event or change set may carry, so
    /// that every stored instant prints as a four-digit year and date arithmetic cannot overflow.
    public static let latest = Timestamp(milliseconds: 253_402_271_999_999)

    /// The first instant (00:00 CST) of a day in China Standard Time.
    public init(startOfChinaDay date: CivilDate) {
        milliseconds = Int64(date.daysSinceEpoch) * Self.millisecondsPerDay - Self.chinaOffsetMilliseconds
    }

    /// The day in China Standard Time that this instant falls on.
    public var chinaDate: CivilDate {
        let local = milliseconds + Self.chinaOffsetMilliseconds
        let days =
            local >= 0
            ? local / Self.millisecondsPerDay : (local - Self.millisecondsPerDay + 1) / Self.millisecondsPerDay
        return CivilDate(daysSinceEpoch: Int(days))
    }

    /// Parses RFC 3339: `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`; a space may stand for `T`.
    /// Fractions beyond milliseconds are truncated.
    public init(rfc3339 text: String) throws(DomainError) {
        let fail = DomainError(
            .invalidTimestamp, "invalid timestamp \"\(text)\": expected RFC 3339, e.g. 2026-11-23T09:30:00+08:00")
        let chars = Array(text.utf8)
        guard chars.count >= 20,
            chars[10] == UInt8(ascii: "T") || chars[10] == UInt8(ascii: "t")
                || chars[10] == UInt8(ascii: " ")
        else { throw fail }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count else { return nil }
            var value = 0
            for i in range {
                guard (48...57).contains(chars[i]) else { return nil }
                value = value * 10 + Int(chars[i] - 48)
            }
            return value
        }
        guard let date = try? CivilDate(parsing: String(decoding: chars[0..<10], as: UTF8.self)),
            chars[13] == UInt8(ascii: ":"), chars[16] == UInt8(ascii: ":"),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            hour < 24, minute < 60, second < 61
        else { throw fail }
        var index = 19
        var millis = 0
        if index < chars.count, chars[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < chars.count, (48...57).contains(chars[index]) {
                if digits < 3 { millis = millis * 10 + Int(chars[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { throw fail }
            for _ in digits..<max(digits, 3) { millis *= 10 }
        }
        guard index < chars.count else { throw fail }
        var offsetMinutes = 0
        switch chars[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let oh = number(index + 1..<index + 3), index + 3 < chars.count,
                chars[index + 3] == UInt8(ascii: ":"), let om = number(index + 4..<index + 6), oh < 24, om < 60
            else { throw fail }
            offsetMinutes = (oh * 60 + om) * (chars[index] == UInt8(ascii: "-") ? -1 : 1)
            index += 6
        default:
            throw fail
        }
        guard index == chars.count else { throw fail }
        let seconds =
            Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59))
            - Int64(offsetMinutes * 60)
        milliseconds = seconds * 1000 + Int64(millis)
    }

    /// RFC 3339 in China Standard Time, with milliseconds only when they are not zero.
    public var rfc3339: String {
        let local = milliseconds + Self.chinaOffsetMilliseconds
        let date = chinaDate
        let msOfDay = Int(local - Int64(date.daysSinceEpoch) * Self.millisecondsPerDay)
        guard (0...9999).contains(date.year) else { return Self.paddedRFC3339(date: date, msOfDay: msOfDay) }
        // The hot path of every stored row: ASCII digits written straight into the string.
        let ms = msOfDay % 1000
        let length = ms == 0 ? 25 : 29
        return String(unsafeUninitializedCapacity: length) { buffer in
            var index = 0
            func put(_ value: Int, width: Int) {
                var divisor = 1
                for _ in 1..<width { divisor *= 10 }
                var rest = value
                while divisor > 0 {
                    buffer[index] = UInt8(ascii: "0") + UInt8(rest / divisor)
                    rest %= divisor
                    divisor /= 10
                    index += 1
                }
            }
            func put(_ character: Unicode.Scalar) {
                buffer[index] = UInt8(ascii: character)
                index += 1
            }
            let seconds = msOfDay / 1000
            put(date.year, width: 4)
            put("-")
            put(date.month, width: 2)
            put("-")
            put(date.day, width: 2)
            put("T")
            put(seconds / 3600, width: 2)
            put(":")
            put(seconds / 60 % 60, width: 2)
            put(":")
            put(seconds % 60, width: 2)
            if ms != 0 {
                put(".")
                put(ms, width: 3)
            }
            for character in "+08:00".unicodeScalars { put(character) }
            return index
        }
    }

    /// RFC 3339 for a year outside 0…9999 (never a real act's), with the year as printed.
    private static func paddedRFC3339(date: CivilDate, msOfDay: Int) -> String {
        func pad(_ n: Int, _ w: Int = 2) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let totalSeconds = msOfDay / 1000
        let ms = msOfDay % 1000
        let clock = "\(pad(totalSeconds / 3600)):\(pad(totalSeconds / 60 % 60)):\(pad(totalSeconds % 60))"
        return "\(date)T\(clock)\(ms == 0 ? "" : "." + pad(ms, 3))+08:00"
    }

    public var description: String { rfc3339 }

    /// This instant moved by a number of milliseconds.
    public func adding(milliseconds delta: Int64) -> Timestamp {
        Timestamp(milliseconds: milliseconds + delta)
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.milliseconds < rhs.milliseconds }
}

extension Timestamp: Codable {
    /// Decodes RFC 3339 text.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try Timestamp(rfc3339: text)
    }

    /// Encodes as RFC 3339 in China Standard Time (``rfc3339``).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rfc3339)
    }
}
