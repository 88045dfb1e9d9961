/// An error raised by the domain rules: a code a program can match on and a message a person can read.
///
/// Messages name the offending value and say what is wrong with it, e.g.
/// `invalid case number "（2026）京0105执0号": the sequence must start with 1-9`.
public struct DomainError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable identifier of the kind of problem, for programs and tests.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        public static let invalidCourtCode = Code(rawValue: "invalidCourtCode")
        public static let unknownCourt = Code(rawValue: "unknownCourt")
        public static let invalidDirectory = Code(rawValue: "invalidDirectory")
        public static let invalidCaseNumber = Code(rawValue: "invalidCaseNumber")
        public static let unknownMatterKind = Code(rawValue: "unknownMatterKind")
        public static let invalidMatterID = Code(rawValue: "invalidMatterID")
        public static let invalidDate = Code(rawValue: "invalidDate")
        public static let invalidTimestamp = Code(rawValue: "invalidTimestamp")
        public static let invalidCalendar = Code(rawValue: "invalidCalendar")
        public static let invalidField = Code(rawValue: "invalidField")
        public static let forbiddenRole = Code(rawValue: "forbiddenRole")
        public static let illegalTransition = Code(rawValue: "illegalTransition")
        public static let malformedEvent = Code(rawValue: "malformedEvent")
        public static let inconsistentMatter = Code(rawValue: "inconsistentMatter")
        /// A signature (of an event, a request, a directory or a registration) does not verify.
        public static let badSignature = Code(rawValue: "badSignature")
        /// A node the court directory does not list, or whose key is not (yet) approved.
        public static let unknownKey = Code(rawValue: "unknownKey")
        /// A node whose key the hub revoked or rejected.
        public static let revokedKey = Code(rawValue: "revokedKey")
        /// A `create` names a calendar version this node does not hold yet (it comes with the
        /// hub's next signed directory).
        public static let unknownCalendar = Code(rawValue: "unknownCalendar")
        /// An event dated before one of its parents: an act cannot precede what it follows.
        public static let backdated = Code(rawValue: "backdated")
        /// Bytes that are not a canonical witness (`Protocol/changeset.md` §5).
        public static let malformedWitness = Code(rawValue: "malformedWitness")
        /// Bytes that are not a canonical batch attestation (`Protocol/sync.md` §4.3.1).
        public static let malformedAttestation = Code(rawValue: "malformedAttestation")
        /// A batch attestation that is not the hub's, or does not cover the answer it came with.
        public static let badAttestation = Code(rawValue: "badAttestation")
    }

    /// What kind of problem this is.
    public let code: Code
    /// One line, naming the offending value and what is wrong with it.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
