/// A plain-text table for terminals, aligned by display width (a Chinese character takes two
/// columns). Cells are escaped (``TerminalText``): text from other courts cannot act on the
/// terminal or break the table's lines.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(headers: [String]) { self.headers = headers }

    mutating func append(_ row: [String]) { rows.append(row.map { TerminalText.escape($0, keepLineBreaks: false) }) }

    var rendered: String {
        let all = [headers] + rows
        var widths = [Int](repeating: 0, count: headers.count)
        for row in all {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.width(cell)) }
        }
        func line(_ row: [String]) -> String {
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - Self.width(cell))
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// Display width: East Asian wide characters count 2.
    static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { total, scalar in
            let v = scalar.value
            let wide =
                (0x1100...0x115F).contains(v) || (0x2E80...0xA4CF).contains(v) || (0xAC00...0xD7A3).contains(v)
                || (0xF900...0xFAFF).contains(v) || (0xFE30...0xFE4F).contains(v) || (0xFF00...0xFF60).contains(v)
                || (0xFFE0...0xFFE6).contains(v) || (0x20000...0x3FFFD).contains(v)
            return total + (wide ? 2 : 1)
        }
    }
}

/// Label–value lines with the labels aligned, values escaped (``TerminalText``).
func renderFields(_ fields: [(String, String)]) -> String {
    let width = fields.map { TextTable.width($0.0) }.max() ?? 0
    let indent = String(repeating: " ", count: width + 2)
    return fields.map { label, value in
        // A value's further lines are indented under the first, so that text from another court
        // cannot pass for a line of its own (a forged 状态 or 办理期限).
        label + String(repeating: " ", count: width - TextTable.width(label)) + "  "
            + TerminalText.escape(value).replacingOccurrences(of: "\n", with: "\n" + indent)
    }.joined(separator: "\n")
}
