import Entrustment
import Foundation
import Node
import PostgresNIO
import PostgresStore
import Replica
import SyncEngine
import Testing
import TestSupport

/// Two processes of one hub on one PostgreSQL store, in one test process: each on a replica of
/// its own (the second started from the store alone), each with its own sync responder, courts
/// pushing and pulling through either at once.
@Suite("hub processes sharing a PostgreSQL store")
struct SharedHubTests {
    static let courts = ["京0105", "粤0106", "沪0101"]

    /// A network whose hub is published to a new database, with a second hub process `hub-b`.
    static func withSharedHub(_ body: @Sendable (InProcessNetwork, PostgresLocation) async throws -> Void) async throws
    {
        try await TestDatabase.with { pool in
            let net = try InProcessNetwork()
            defer { net.remove() }
            for court in courts { try net.add(court) }
            let binding = SharedStoreBinding(location: pool.location.description, passwordFile: nil)
            let moved = try net.hub.node.moveToStore(binding)
            #expect(moved.rows > 0 && moved.verified)
            let second = net.folder.path("hub-b")
            try FileManager.default.createDirectory(at: second, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: net.hub.node.dataDirectory.appendingPathComponent(NodeKeyFile.fileName),
                to: second.appendingPathComponent(NodeKeyFile.fileName))
            try Replica.copy(
                of: PostgresSharedStore.open(binding, logger: TestDatabase.logger),
                to: CourtNode.replicaPath(in: second), binding: binding)
            try net.addHubProcess("hub-b", dataDirectory: second)
            try await body(net, pool.location)
        }
    }

    @Test("the second process starts from the store alone and holds what the first holds")
    func startsFromStore() async throws {
        try await Self.withSharedHub { net, _ in
            let first = net.hub.node.replica
            let second = net.members["hub-b"]!.node.replica
            let versions = (try first.sharedStoreVersion(), try second.sharedStoreVersion())
            #expect(versions.0 == versions.1)
            let digests = (try first.digest().digest, try second.digest().digest)
            #expect(digests.0 == digests.1)
            #expect(second.knownHead == first.knownHead)
            #expect(second.loadedDirectoryVersion == first.loadedDirectoryVersion)
        }
    }

    @Test("courts pushing through both processes at once: every process and court converges")
    func concurrentPushesConverge() async throws {
        try await Self.withSharedHub { net, _ in
            var parties: [String: Set<String>] = [:]
            for (index, court) in Self.courts.enumerated() {
                for n in 1...4 {
                    let to = Self.courts[(index + 1) % Self.courts.count]
                    let matter = try net.members[court]!.node.createMatter(
                        MatterDraft(caseNumber: "（2026）\(court)执\(700 + n)号", entrustedCourt: to, kind: "vehicle:seize")
                    )
                    parties[matter.id.rawValue] = [court, to]
                }
            }
            // Every court pushes and pulls through both processes at the same time.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for court in Self.courts {
                    for hub in ["最高法", "hub-b"] {
                        group.addTask {
                            for round in await net.sync(court, with: [hub]) {
                                #expect(round.ok, "\(court) via \(hub): \(round.error ?? "")")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            // The entrusted courts sign what reached them; the signatures travel back through
            // either process.
            try await settle(net)
            for court in Self.courts {
                for matter in try net.members[court]!.node.matters(MatterFilter())
                where matter.entrustedCourt.rawValue == court {
                    _ = try net.members[court]!.node.act(on: matter.id.rawValue, .sign(note: ""))
                }
            }
            try await settle(net)
            let first = net.hub.node.replica
            let second = net.members["hub-b"]!.node.replica
            let versions = (try first.sharedStoreVersion(), try second.sharedStoreVersion())
            #expect(versions.0 == versions.1 && versions.0 > 1)
            let digests = (try first.digest().digest, try second.digest().digest)
            #expect(digests.0 == digests.1)
            #expect(first.knownHead == second.knownHead)
            let hubMatters = try net.digest("最高法")
            #expect(hubMatters.count == parties.count)
            #expect(try net.digest("hub-b") == hubMatters)
            for court in Self.courts {
                let held = try net.members[court]!.node.matters(MatterFilter())
                #expect(Set(held.map(\.id.rawValue)) == Set(parties.filter { $0.value.contains(court) }.keys))
                #expect(held.allSatisfy { $0.state == .signed }, "\(court): \(held.map(\.state))")
                #expect(
                    try net.digest(court) == hubMatters.filter { line in held.contains { line.hasPrefix("\($0.id) ") } }
                )
            }
        }
    }

    @Test("a process whose replica schema differs from the store's is refused, naming both")
    func refusesOtherSchema() async throws {
        try await Self.withSharedHub { net, location in
            let directory = net.members["hub-b"]!.node.dataDirectory
            try net.members["hub-b"]!.node.close()
            _ = try TestDatabase.psql(
                location, "UPDATE courtsync_replica_schema SET migrations = migrations || ',v99-future'")
            #expect { try CourtNode(dataDirectory: directory, time: SystemTimeSource()) } throws: { error in
                (error as? NodeError)?.message.contains("v99-future") == true
            }
        }
    }

    @Test("a signed request replayed to the other process is refused there")
    func replayToOtherProcess() async throws {
        try await Self.withSharedHub { net, location in
            try await TestDatabase.withPool(location) { pool in
                let nonces = PostgresNonces(database: pool)
                func responder(_ name: String) -> SyncResponder {
                    let member = net.members[name]!
                    return SyncResponder(
                        node: member.node, config: member.config, notifier: member.notifier,
                        logger: TestDatabase.logger, sharedNonces: nonces)
                }
                let first = responder("最高法")
                let second = responder("hub-b")
                let court = net.members["京0105"]!.node
                let request = IncomingRequest(
                    method: "POST", target: "/v1/hello",
                    headers: try RequestSigner(node: court).headers(method: "POST", target: "/v1/hello", body: []))
                try await first.spendShared(try first.authenticate(request))
                let replay = try second.authenticate(request)  // fresh in this process's own ledger
                let refusal = await #expect(throws: SyncError.self) { try await second.spendShared(replay) }
                #expect(refusal?.code == "replayedRequest" && refusal?.status == 401)
                // A new request from the same node is served by either.
                let fresh = IncomingRequest(
                    method: "POST", target: "/v1/hello",
                    headers: try RequestSigner(node: court).headers(method: "POST", target: "/v1/hello", body: []))
                try await second.spendShared(try second.authenticate(fresh))
            }
        }
    }

    /// Catches both processes up, then syncs every court with both, until nothing moves.
    func settle(_ net: InProcessNetwork) async throws {
        for _ in 0..<10 {
            var moved = 0
            for hub in ["最高法", "hub-b"] { moved += try net.members[hub]!.node.replica.catchUp() }
            for court in Self.courts {
                for hub in ["最高法", "hub-b"] {
                    for round in await net.sync(court, with: [hub]) {
                        #expect(round.ok, "\(court) via \(hub): \(round.error ?? "")")
                        moved += round.stats.eventsStored + round.stats.eventsSent
                    }
                }
            }
            if moved == 0 { return }
        }
        Issue.record("the network did not settle in 10 rounds")
    }
}
