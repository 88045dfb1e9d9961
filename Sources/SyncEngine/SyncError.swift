/// Why a sync request failed, on either side of a link: a code a program can match on, the HTTP
/// status that carries it, and one line for a person (`Protocol/sync.md` §7).
public struct SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The error code, e.g. `unsupportedVersion`, `checksumMismatch`, `unreachable`.
    public let code: String
    /// The HTTP status (0 when no response arrived).
    public let status: Int
    public let message: String

    public init(code: String, status: Int, _ message: String) {
        self.code = code
        self.status = status
        self.message = message
    }

    public var description: String { message }

    /// A malformed request (missing or invalid parameter or header).
    public static func badRequest(_ message: String) -> SyncError {
        SyncError(code: "badRequest", status: 400, message)
    }
    /// The replica failed (disk full, I/O error).
    static func storage(_ message: String) -> SyncError { SyncError(code: "storage", status: 500, message) }
}
