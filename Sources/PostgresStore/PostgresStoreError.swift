/// A failure of the hub's PostgreSQL store: a location or passfile that cannot be used, a server
/// that cannot be reached or refuses, a schema this version does not know.
public struct PostgresStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `invalidConfig` (the location or passfile), `unreachable` (no server), `storage` (the
    /// server refused or failed a statement), `schemaTooNew` (made by a newer courtsync).
    public let code: String
    public let message: String

    public init(code: String, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
