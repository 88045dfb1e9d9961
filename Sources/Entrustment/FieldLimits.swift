/// The size limits on an event's fields, in UTF-8 bytes (`Protocol/changeset.md` §3).
/// The encoder refuses to make an event that breaks them and the decoder refuses to read one.
public enum FieldLimits {
    /// Matter ids and court codes.
    public static let identifier = 64
    /// Names of parties (申请执行人, 被执行人).
    public static let name = 256
    /// A debtor's id number.
    public static let idNumber = 64
    /// A contact phone number.
    public static let phone = 32
    /// Notes on an act.
    public static let note = 4 * 1024
    /// Feedback on completion or return.
    public static let feedback = 16 * 1024
    /// Parents of one event.
    public static let parents = 64
    /// One encoded event.
    public static let eventBytes = 64 * 1024
}
