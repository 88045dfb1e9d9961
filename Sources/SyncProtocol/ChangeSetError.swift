/// Why a change set was refused. Nothing from a refused set is applied.
public struct ChangeSetError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of refusal, as named in `Protocol/changeset.md` §6.
    public enum Code: String, Sendable, CaseIterable {
        /// The data ends before the format says it should.
        case truncated
        /// The first four bytes are not `CSYN`: not a change set.
        case badMagic
        /// A format version this build does not read.
        case unsupportedVersion
        /// A compression method this build does not read.
        case unsupportedCompression
        /// A suite byte this build does not know (format 4).
        case unsupportedSuite
        /// A set made in a network of another signature suite than the reader's.
        case wrongSuite
        /// A header field is out of range or invalid.
        case malformedHeader
        /// Over one of the ``ChangeSetLimits``.
        case tooLarge
        /// The checksum (the suite's hash) does not match: the file was altered or damaged.
        case checksumMismatch
        /// zlib could not decompress the payload.
        case decompressionFailed
        /// The decompressed payload's size or event count differs from the header.
        case lengthMismatch
        /// An event inside the set is not a valid canonical event, or repeats an earlier one.
        case malformedEvent
        /// A witness inside the set is not a valid canonical witness, or repeats an earlier one.
        case malformedWitness
        /// Extra bytes after the payload.
        case trailingBytes
    }

    /// The kind of refusal.
    public let code: Code
    /// One line naming what is wrong.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
