/// Masks a debtor's identity number for people reading a screen or a log
/// (`110105199001011234` → `110105********1234`): the first six characters (the region) and the
/// last four stay, everything between becomes `*`. Numbers of ten characters or fewer keep only
/// their last two. The full value stays in the replica of the courts party to the matter, their
/// superiors and the hub.
public enum IdentityNumberMask {
    /// The masked form of `number`.
    public static func mask(_ number: String) -> String {
        let characters = Array(number)
        let (head, tail) = characters.count > 10 ? (6, 4) : (0, min(2, characters.count))
        let hidden = characters.count - head - tail
        return String(characters.prefix(head)) + String(repeating: "*", count: max(0, hidden))
            + String(characters.suffix(tail))
    }
}
