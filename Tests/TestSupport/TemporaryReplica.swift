import Entrustment
import Foundation
import Replica

/// A replica in a fresh temporary directory, with the fixture directory and calendar.
public struct TemporaryReplica: Sendable {
    public let directory: TemporaryDirectory
    public let replica: Replica

    /// Creates a replica of `suite` for `court` (node `CODE.test`) holding
    /// ``TestKeys/directory(version:suite:)``, in which every test node is approved.
    public init(court: String = "粤0106", suite: SignatureSuite = .ed25519) throws {
        directory = try TemporaryDirectory()
        let node = Fixtures.node("\(court).test")
        let trust = TestKeys.directory(suite: suite)
        replica = try Replica.create(
            at: directory.path(Replica.fileName).path, identity: NodeIdentity(court: Fixtures.code(court), node: node),
            suite: suite, directory: Fixtures.directory, calendar: Fixtures.calendar, deadlinePolicy: .standard,
            publicKey: TestKeys.publicKey(for: node, suite: suite), hubKey: trust.hubKey,
            now: Fixtures.time("2026-11-23T09:00:00+08:00"))
        try replica.install(trust, payload: [], signature: [], now: Fixtures.time("2026-11-23T09:00:00+08:00"))
    }

    /// Appends events as if they arrived from another node.
    @discardableResult
    public func receive(_ events: [Event], visibleTo court: CourtCode? = nil) throws -> ReplicaTransaction.AppendReport
    {
        try replica.write { tx in
            try tx.append(events, origin: .remote, now: Fixtures.time("2026-11-24T09:00:00+08:00"), visibleTo: court)
        }
    }

    public func remove() {
        try? replica.close()
        directory.remove()
    }
}
