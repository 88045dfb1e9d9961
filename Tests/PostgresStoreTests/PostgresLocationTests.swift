import Foundation
import PostgresStore
import Testing
import TestSupport

@Suite("where the hub's PostgreSQL store is, and its password")
struct PostgresLocationTests {
    @Test(
        "a location names user, host, port and database; sslmode is libpq's",
        arguments: [
            ("postgres://courtsync@10.0.0.5:5433/hub", "courtsync", "10.0.0.5", 5433, "hub", "prefer"),
            (
                "postgresql://hub@db.court.cn/courtsync?sslmode=verify-full", "hub", "db.court.cn", 5432, "courtsync",
                "verify-full"
            ),
            ("postgres://u@[::1]:6000/d?sslmode=disable", "u", "::1", 6000, "d", "disable"),
        ])
    func valid(text: String, user: String, host: String, port: Int, database: String, tls: String) throws {
        let location = try PostgresLocation(text)
        #expect(location.user == user)
        #expect(location.host == host)
        #expect(location.port == port)
        #expect(location.database == database)
        #expect(location.tls.rawValue == tls)
        #expect(try PostgresLocation(location.description) == location, "the description reads back")
    }

    @Test(
        "a password in the URL, a missing part or an unknown parameter is refused with the reason",
        arguments: [
            ("postgres://hub:secret@10.0.0.5/hub", "passfile"),
            ("postgres://10.0.0.5/hub", "no user"),
            ("postgres://hub@10.0.0.5", "no database"),
            ("postgres://hub@10.0.0.5/a/b", "no database"),
            ("mysql://hub@10.0.0.5/hub", "postgres://"),
            ("postgres://hub@10.0.0.5/hub?sslmode=allow", "sslmode"),
            ("postgres://hub@10.0.0.5/hub?application_name=x", "unknown parameter"),
            ("postgres://hub@10.0.0.5:0/hub", "port"),
            ("postgres://hub@10.0.0.5/" + String(repeating: "d", count: 64), "63 bytes"),
            ("postgres://hub@h/" + String(repeating: "d", count: 2_000), "longer than"),
        ])
    func invalid(text: String, reason: String) {
        #expect {
            try PostgresLocation(text)
        } throws: { error in
            guard let error = error as? PostgresStoreError else { return false }
            return error.code == "invalidConfig" && error.message.contains(reason) && !error.message.contains("secret")
        }
    }

    @Test(
        "the first passfile line that matches gives the password; * matches anything; \\: and \\\\ are escapes",
        arguments: [
            ("10.0.0.5:5432:hub:courtsync:pw1", "pw1"),
            ("*:*:*:courtsync:pw2", "pw2"),
            ("10.0.0.6:5432:hub:courtsync:no\n10.0.0.5:*:hub:*:pw3", "pw3"),
            ("# comment\n10.0.0.5:5432:hub:courtsync:a\\:b\\\\c", "a:b\\c"),
            ("10.0.0.5:5433:hub:courtsync:wrong-port", nil),
            ("10.0.0.5:5432:hub:other:wrong-user", nil),
            ("not a line", nil),
        ] as [(String, String?)])
    func passfile(text: String, password: String?) throws {
        let location = try PostgresLocation("postgres://courtsync@10.0.0.5/hub")
        #expect(PostgresPassfile.password(for: location, in: text) == password)
    }

    @Test("a passfile its group or others may read is not used; PGPASSFILE is read when the settings name none")
    func passfileMode() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let file = folder.path("pgpass")
        try Data("*:*:*:*:secret\n".utf8).write(to: file)
        let location = try PostgresLocation("postgres://courtsync@10.0.0.5/hub")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect {
            try PostgresPassfile.password(for: location, file: file.path)
        } throws: { ($0 as? PostgresStoreError)?.message.contains("chmod 600") == true }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        #expect(try PostgresPassfile.password(for: location, file: file.path) == "secret")
        #expect(
            try PostgresPassfile.password(for: location, file: nil, environment: ["PGPASSFILE": file.path]) == "secret")
        #expect(try PostgresPassfile.password(for: location, file: nil, environment: [:]) == nil)
        #expect {
            try PostgresPassfile.password(for: location, file: folder.path("missing").path)
        } throws: { ($0 as? PostgresStoreError)?.code == "invalidConfig" }
    }
}
