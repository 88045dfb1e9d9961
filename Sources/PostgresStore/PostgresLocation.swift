import Foundation

/// Where a hub's PostgreSQL store is, as `courtsync init --store` and node.json's `"store"` name
/// it: `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=disable|prefer|require|verify-full]`.
///
/// The password is never part of it (it would sit in node.json, the shell's history and `ps`):
/// it comes from a passfile in libpq's format (``PostgresPassfile``). `sslmode` means what it
/// means to libpq: `prefer` (the default) encrypts when the server offers it, `require` insists
/// on encryption without checking the certificate, `verify-full` checks the certificate against
/// the system's trust store and the host name.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// Transport encryption to the server (libpq's `sslmode`).
    public enum TLSMode: String, Sendable, CaseIterable {
        case disable
        case prefer
        case require
        case verifyFull = "verify-full"
    }

    /// The role the hub connects as.
    public var user: String
    /// The server's host name or address.
    public var host: String
    /// The server's port.
    public var port: Int
    /// The database holding the hub's tables.
    public var database: String
    /// Transport encryption.
    public var tls: TLSMode

    /// The longest location accepted.
    public static let maxLength = 1_024

    /// Parses a location; a password in it, a missing user, host or database, or an unknown
    /// parameter is refused with the reason.
    public init(_ text: String) throws(PostgresStoreError) {
        func refuse(_ reason: String) -> PostgresStoreError {
            PostgresStoreError(code: "invalidConfig", "store \(Self.shown(text)): \(reason)")
        }
        guard text.utf8.count <= Self.maxLength else { throw refuse("longer than \(Self.maxLength) bytes") }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["postgres", "postgresql"].contains(scheme)
        else {
            throw refuse("not a postgres://USER@HOST:PORT/DATABASE URL")
        }
        guard components.password == nil else {
            throw refuse(
                "has a password: put it in a passfile (PGPASSFILE or ~/.pgpass), never in the URL")
        }
        guard let user = components.user, !user.isEmpty else { throw refuse("names no user (postgres://USER@…)") }
        guard let bracketed = components.host, !bracketed.isEmpty else { throw refuse("names no host") }
        let host =
            bracketed.hasPrefix("[") && bracketed.hasSuffix("]") ? String(bracketed.dropFirst().dropLast()) : bracketed
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw refuse("port \(port) is not 1 to 65535") }
        let path = components.path
        guard path.hasPrefix("/"), path.count > 1, !path.dropFirst().contains("/") else {
            throw refuse("names no database (…/DATABASE)")
        }
        let database = String(path.dropFirst())
        guard database.utf8.count <= 63 else { throw refuse("the database name is longer than 63 bytes") }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else { throw refuse("unknown parameter \(item.name) (only sslmode)") }
            guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                throw refuse("sslmode must be one of \(TLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            tls = mode
        }
        self.user = user
        self.host = host
        self.port = port
        self.database = database
        self.tls = tls
    }

    /// The location as written, without a password (it never has one).
    public var description: String {
        var text = "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
        if tls != .prefer { text += "?sslmode=\(tls.rawValue)" }
        return text
    }

    /// Text from an operator, shortened and with anything after a `:` in the user part hidden,
    /// for an error message.
    private static func shown(_ text: String) -> String {
        var shown = String(text.prefix(200))
        if let at = shown.firstIndex(of: "@"), let scheme = shown.range(of: "://"),
            let colon = shown[scheme.upperBound..<at].firstIndex(of: ":")
        {
            shown.replaceSubrange(colon..<at, with: ":…")
        }
        return shown
    }
}
