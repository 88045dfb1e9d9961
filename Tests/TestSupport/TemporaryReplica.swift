import Entrustment
import Foundation
import Replica

/// A replica in a fresh temporary directory, with the fixture directory and calendar.
public struct TemporaryReplica: Sendable {
    public let directory: TemporaryDirectory
    public let replica: Replica

    /// Creates a replica for `court`.
    public init(court: String = "粤0106") throws {
        directory = try TemporaryDirectory()
        replica = try Replica.create(
            at: directory.path(Replica.fileName).path,
            identity: NodeIdentity(court: Fixtures.code(court), node: Fixtures.node("\(court).test")),
            directory: Fixtures.directory, calendar: Fixtures.calendar, deadlinePolicy: .standard,
            now: Fixtures.time("2026-11-23T09:00:00+08:00"))
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
