/// The rule for free text an event carries (names of parties, identity numbers, notes, feedback,
/// descriptive fields): any Unicode text except control characters, tab and newline excepted
/// (`Protocol/changeset.md` §2.2).
///
/// The control characters are Unicode's general category Cc: U+0000–U+001F and U+007F–U+009F.
/// A NUL would cut the text where SQLite stores it; ESC, CR and the C1 controls can rewrite an
/// operator's terminal. Receivers refuse an event carrying one (`rejectedEvent`), so it is never
/// stored anywhere; a node never makes one.
public enum FreeText {
    /// Whether `scalar` may appear in free text.
    public static func allows(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A: true
        case 0x00...0x1F, 0x7F...0x9F: false
        default: true
        }
    }

    /// Throws `invalidField`, naming the field and the first forbidden character, unless `text`
    /// is free text by this rule (`nil` passes).
    public static func check(_ text: String?, field: String) throws(DomainError) {
        guard let text, let bad = text.unicodeScalars.first(where: { !allows($0) }) else { return }
        let code = String(bad.value, radix: 16, uppercase: true)
        throw DomainError(
            .invalidField,
            "\(field) holds the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)))\(code): free text may hold no control characters but tab and newline"
        )
    }

    /// Checks every free-text field of `action`.
    static func check(_ action: EventAction) throws(DomainError) {
        switch action {
        case .create(let request):
            try check(request.applicant, field: "applicant")
            try check(request.debtor, field: "debtor")
            try check(request.debtorID, field: "debtor id")
            try check(request.note, field: "note")
        case .sign(let note, _), .start(let note), .withdraw(let note), .urge(let note), .supervise(let note),
            .close(let note), .acknowledge(_, let note), .acceptLate(_, let note), .requestSupplement(_, let note, _),
            .decideExtension(_, _, let note):
            try check(note, field: "note")
        case .requestExtension(_, let reason):
            try check(reason, field: "reason")
        case .attach(let document, let note):
            try check(document.fileName, field: "file name")
            try check(note, field: "note")
        case .complete(_, let feedback), .return(_, let feedback, _):
            try check(feedback, field: "feedback")
        case .edit(let field, let value):
            try check(value, field: field.rawValue)
        }
    }
}
