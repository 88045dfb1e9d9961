/// Text from elsewhere (another court's notes, names, feedback, a remote's error message) made
/// safe to print on an operator's terminal: control characters (C0, DEL, C1 — ESC among them,
/// which starts terminal escape sequences, and CR, which rewrites a line) and invisible format
/// characters (bidirectional overrides, zero-width characters, line and paragraph separators) are
/// shown as `\u{…}` instead of acting on the terminal.
enum TerminalText {
    /// `text` with every character that is not printable escaped; tab and newline kept when
    /// `keepLineBreaks`, escaped otherwise.
    static func escape(_ text: String, keepLineBreaks: Bool = true) -> String {
        guard text.unicodeScalars.contains(where: { !isPrintable($0, keepLineBreaks: keepLineBreaks) }) else {
            return text
        }
        var out = ""
        for scalar in text.unicodeScalars {
            if isPrintable(scalar, keepLineBreaks: keepLineBreaks) {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            }
        }
        return out
    }

    private static func isPrintable(_ scalar: Unicode.Scalar, keepLineBreaks: Bool) -> Bool {
        if scalar == "\n" || scalar == "\t" { return keepLineBreaks }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .unassigned:
            return false
        default:
            return true
        }
    }
}
