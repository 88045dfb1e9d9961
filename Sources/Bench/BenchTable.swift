/// The benchmark's results: one row per figure, with its reference measured in the same run.
public struct BenchTable: Sendable {
    /// One figure.
    public struct Row: Sendable, Encodable {
        /// Which benchmark (a … f) and what is measured.
        public var name: String
        /// The measured value, as printed (with its unit).
        public var value: String
        /// The reference measured side by side, if any.
        public var reference: String
        /// Value against reference, if meaningful.
        public var ratio: String
        /// The target from the issue.
        public var target: String
        /// Whether the target is met (nil: no target).
        public var met: Bool?
    }

    public private(set) var rows: [Row] = []

    public init() {}

    public mutating func add(
        _ name: String, _ value: String, reference: String = "", ratio: String = "", target: String = "",
        met: Bool? = nil
    ) {
        rows.append(Row(name: name, value: value, reference: reference, ratio: ratio, target: target, met: met))
    }
}

/// Number formatting for the table.
enum Format {
    static func number(_ value: Double, decimals: Int = 0) -> String {
        var text = String(format: "%.\(decimals)f", value)
        if decimals == 0, abs(value) >= 10_000 {
            // Thousands separators keep big rates readable.
            var digits = Array(text)
            var index = digits.count - 3
            while index > (digits.first == "-" ? 1 : 0) {
                digits.insert(",", at: index)
                index -= 3
            }
            text = String(digits)
        }
        return text
    }

    static func megabytes(_ bytes: Int?) -> String {
        guard let bytes else { return "n/a" }
        return String(format: "%.1f MB", Double(bytes) / 1_048_576)
    }

    static func milliseconds(_ seconds: Double) -> String { String(format: "%.2f ms", seconds * 1000) }
}
