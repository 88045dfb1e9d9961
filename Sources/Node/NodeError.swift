/// A failure a node operation reports to its operator: one line naming the problem.
///
/// The CLI prints ``message`` on stderr and exits non-zero; nothing was changed.
public struct NodeError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure, for programs and tests (e.g. `invalidCaseNumber`, `checksumMismatch`).
    public let code: String
    /// One line naming the problem.
    public let message: String

    public init(code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
