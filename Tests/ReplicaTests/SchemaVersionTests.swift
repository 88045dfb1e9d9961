import Entrustment
import Foundation
import GRDB
import Replica
import TestSupport
import Testing

/// A replica a newer release migrated is refused by an older one, with what to do, and left as
/// it is; the copy `backup` takes and `markRestored` are read from the file as stored.
@Suite("schema versions, backup copies and restores")
struct SchemaVersionTests {
    @Test("a replica migrated by a newer release is refused, naming its schema, and not touched")
    func newerSchemaRefused() throws {
        let temporary = try TemporaryReplica()
        defer { temporary.directory.remove() }
        let path = temporary.directory.path(Replica.fileName).path
        try temporary.replica.close()
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            _ = try Replica.open(at: path)
        } throws: { error in
            let error = error as? ReplicaError
            return error?.code == .newerSchema && error?.message.contains("v99-future") == true
                && error?.message.contains("restore the backup") == true
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("a backup copy holds what the replica held; a restore moves the sequence on and marks every link")
    func backupAndMark() throws {
        let temporary = try TemporaryReplica()
        defer { temporary.remove() }
        let replica = temporary.replica
        try replica.updateLink(CourtCode("最高法"), url: "http://127.0.0.1:1") { $0.pulledThrough = 5 }
        let head = try replica.headSequence()
        let copy = temporary.directory.path("copy.sqlite").path
        let snapshot = try replica.backup(to: copy)
        #expect(snapshot.identity == replica.identity && snapshot.head == head)
        #expect(throws: ReplicaError.self) { try replica.backup(to: copy) }

        let restored = try Replica.open(at: copy)
        defer { try? restored.close() }
        #expect(restored.restoreID == nil)
        let now = Fixtures.time("2026-12-03T09:00:00+08:00")
        let id = try restored.markRestored(now: now)
        #expect(id.count == 32 && Hex.decode(id) != nil)
        #expect(try restored.headSequence() == now.milliseconds * Replica.sequencesPerMillisecond)
        // A second restore of the same copy gets another id and moves on again, past the first.
        let again = try restored.markRestored(now: now)
        #expect(again != id)
        #expect(
            try restored.headSequence() == now.milliseconds * Replica.sequencesPerMillisecond
                + Replica.restoreSequenceGap)
        #expect(try restored.links().allSatisfy(\.recovering))
        #expect(try restored.links().first?.pulledThrough == 5)
        #expect(try replica.links().allSatisfy { !$0.recovering }, "the original is untouched")
    }
}
