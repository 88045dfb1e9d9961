import Foundation

/// The password for a ``PostgresLocation``, from a passfile in libpq's format
/// (`hostname:port:database:username:password` per line, `*` matching anything, `\` escaping
/// `:` and `\`, `#` starting a comment): the file the store's settings name, else
/// `PGPASSFILE`, else `~/.pgpass`. As libpq does, a file that its group or others may read is
/// not used.
public enum PostgresPassfile {
    /// The largest passfile read.
    public static let maxBytes = 64 << 10

    /// The password the first matching line gives, or nil when there is no passfile or no line
    /// matches (the server may not ask for one).
    public static func password(
        for location: PostgresLocation, file explicit: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(PostgresStoreError) -> String? {
        let path: String
        if let explicit {
            path = explicit
        } else if let variable = environment["PGPASSFILE"], !variable.isEmpty {
            path = variable
        } else if let home = environment["HOME"], !home.isEmpty {
            path = home + "/.pgpass"
            guard FileManager.default.fileExists(atPath: path) else { return nil }
        } else {
            return nil
        }
        return try password(for: location, in: read(path))
    }

    /// The password the first line of `text` matching `location` gives.
    public static func password(for location: PostgresLocation, in text: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(line)
            guard fields.count == 5 else { continue }
            let wanted = [location.host, String(location.port), location.database, location.user]
            if zip(fields, wanted).allSatisfy({ $0.0 == "*" || $0.0 == $0.1 }) { return fields[4] }
        }
        return nil
    }

    /// Reads the file, refusing one others may read, a missing one and an oversized one.
    private static func read(_ path: String) throws(PostgresStoreError) -> String {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw PostgresStoreError(code: "invalidConfig", "passfile \(path): no such readable file")
        }
        let mode = (attributes[.posixPermissions] as? Int) ?? 0o777
        guard mode & 0o077 == 0 else {
            throw PostgresStoreError(
                code: "invalidConfig",
                "passfile \(path) may be read by its group or others (mode \(String(mode, radix: 8))): chmod 600 it")
        }
        guard let size = attributes[.size] as? Int, size <= maxBytes,
            let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            throw PostgresStoreError(code: "invalidConfig", "passfile \(path) is not UTF-8 text of at most 64 KiB")
        }
        return text
    }

    /// One line's fields, `\:` and `\\` unescaped.
    private static func split(_ line: Substring) -> [String] {
        var fields: [String] = []
        var field = ""
        var escaped = false
        for character in line {
            if escaped {
                field.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
        }
        fields.append(field)
        return fields
    }
}
