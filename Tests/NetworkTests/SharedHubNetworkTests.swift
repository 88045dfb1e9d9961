import Foundation
import PostgresStore
import TestSupport
import Testing

/// The hub as two `courtsync serve` processes on one PostgreSQL database (`docs/postgres.md`),
/// three courts listing both URLs: matters flow through either; one process is killed and the
/// courts fail over with nothing lost; PostgreSQL itself restarts under load and the processes
/// carry on; at the end both processes and every court agree.
@Suite("hub on PostgreSQL, two processes", .serialized)
struct SharedHubNetworkTests {
    static let courts = ["京0105", "粤0106", "沪0115"]

    @Test("two hub processes, three courts: a process killed and PostgreSQL restarted mid-load lose nothing")
    func killAndRestart() async throws {
        let database = try TestDatabase.create()
        defer { TestDatabase.drop(database) }
        let second = FreePort.next()
        let net = try DaemonNetwork(Self.courts, store: database.description) { court, json in
            guard court != "最高法" else { return }
            json["hub"] = [json["hub"] as! String, "http://127.0.0.1:\(second)"]
        }
        try net.addHubProcess("最高法-b")
        let hubs = ["最高法": [String](), "最高法-b": ["--listen", "127.0.0.1:\(second)"]]
        for (hub, arguments) in hubs { try net.daemons[hub]!.start(runner: net.cli, arguments: arguments) }
        for court in Self.courts { try net.daemons[court]!.start(runner: net.cli) }

        var expected: [String: (from: String, to: String)] = [:]
        var serial = 0
        /// Each court sends one matter to the next.
        func sendRound() throws {
            for (index, court) in Self.courts.enumerated() {
                serial += 1
                let to = Self.courts[(index + 1) % Self.courts.count]
                let created = try net.run([
                    "matter", "create", "--documents-later", "--data-dir", net.dir(court), "--case",
                    "（2026）\(court)执\(serial)号", "--to", to, "--kind", "deposit:freeze", "--json",
                ])
                try #require(created.status == 0, "\(created.stderr)")
                expected[try #require(created.json["id"] as? String)] = (court, to)
            }
        }
        func arrived() throws -> Bool {
            for (id, parties) in expected where try net.matters(parties.to)[id] == nil { return false }
            return true
        }

        // Both processes serve: matters reach their entrusted courts.
        try sendRound()
        try sendRound()
        #expect(try await eventually(within: 60) { try arrived() }, "\(net.logs())")

        // Under load, the first process is killed: the courts move to the second.
        try sendRound()
        net.daemons["最高法"]!.kill()
        try sendRound()
        #expect(try await eventually(within: 90) { try arrived() }, "after the kill\n\(net.logs())")

        // PostgreSQL restarts while matters are on their way: the second process reconnects.
        try sendRound()
        try TestDatabase.restartCluster()
        try sendRound()
        // A request caught on a connection the restart killed is given up after 45 s at most
        // (`BlockingConnection.answerSeconds`); the courts then retry.
        #expect(try await eventually(within: 150) { try arrived() }, "after PostgreSQL restarted\n\(net.logs())")

        // The first process comes back, catches up, and serves again.
        try net.daemons["最高法"]!.start(runner: net.cli)
        try sendRound()
        #expect(try await eventually(within: 90) { try arrived() }, "after the first process restarted\n\(net.logs())")

        // Nothing lost, nothing doubled; both processes, the database and the courts agree.
        #expect(expected.count == 7 * Self.courts.count)
        #expect(
            try await eventually {
                try net.matters("最高法").count == expected.count && net.matters("最高法-b").count == expected.count
            })
        #expect(try await eventually { try net.digest("最高法") == net.digest("最高法-b") }, "\(net.logs())")
        let viewCount = try TestDatabase.psql(database, "SELECT count(*) FROM courtsync_matters")
        #expect(Int(viewCount) == expected.count)
        for court in Self.courts {
            let held = try net.matters(court)
            #expect(Set(held.keys) == Set(expected.filter { [$0.value.from, $0.value.to].contains(court) }.keys))
            #expect(try await eventually { try net.digest(court) == net.digest("最高法", for: court) }, "\(court)")
        }
        let log = net.daemons["京0105"]!.log + net.daemons["粤0106"]!.log + net.daemons["沪0115"]!.log
        #expect(log.contains("moving to its next"), "the courts' logs say they moved")
        for daemon in net.daemons.values { #expect(daemon.stop() == 0) }
    }
}
