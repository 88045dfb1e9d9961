import Entrustment
import Foundation
import Logging

/// A swift-log handler writing one JSON object per line to standard error, for journald and log
/// collectors (`courtsync serve --log-format json`): `time` (RFC 3339 in China Standard Time, as
/// every CourtSync time, with milliseconds),
/// `level`, `logger`, `message`, then every metadata field as a string at the top level (a
/// field named like one of those four gets a leading `_`). Each line goes out in one `write`,
/// so lines of concurrent tasks never interleave.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private static let reserved: Set<String> = ["time", "level", "logger", "message"]

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: String] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            fields[Self.reserved.contains(key) ? "_" + key : key] = "\(value)"
        }
        fields["time"] = Self.timestamp(Date())
        fields["level"] = event.level.rawValue
        fields["logger"] = label
        fields["message"] = "\(event.message)"
        Self.write(fields)
    }

    /// Writes one line of `fields` to standard error.
    static func write(_ fields: [String: String]) {
        let order = ["time", "level", "logger", "message"]
        let keys = order + fields.keys.filter { !order.contains($0) }.sorted()
        var line = "{"
        for (index, key) in keys.enumerated() {
            guard let value = fields[key] else { continue }
            if index > 0 { line += "," }
            line += "\(quoted(key)):\(quoted(value))"
        }
        line += "}\n"
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { if errno == EINTR { continue } else { return } }
                offset += written
            }
        }
    }

    /// A JSON string literal (RFC 8259): quotes, backslashes and control characters escaped.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func timestamp(_ date: Date) -> String {
        Timestamp(milliseconds: Int64(date.timeIntervalSince1970 * 1000)).rfc3339
    }

    /// A line for a failure outside the logger (the daemon refused to start), in the same form.
    public static func fatal(_ message: String) {
        write(["time": timestamp(Date()), "level": "critical", "logger": "courtsync", "message": message])
    }
}
