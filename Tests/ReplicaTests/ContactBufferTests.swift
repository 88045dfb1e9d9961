import Entrustment
import Foundation
import Replica
import Testing
import TestSupport

/// Other nodes' requests are noted in memory and written about once a second: the figures read
/// the same before and after the write, and nothing noted is lost by a reopen after a flush.
@Suite("contacts noted in memory, written in batches")
struct ContactBufferTests {
    @Test("contacts read the same before and after the flush, and requests add up across flushes")
    func flushAddsUp() throws {
        let r = try TemporaryReplica(court: "最高法")
        defer { r.remove() }
        let node = Fixtures.node("京0105.node")
        let court = Fixtures.code("京0105")
        let at = Fixtures.time("2026-11-24T09:00:00+08:00")
        r.replica.recordContact(node: node, court: court, request: .hello, at: at)
        r.replica.recordContact(node: node, court: court, request: .pull, at: at, pulledAfter: 17)
        let before = try r.replica.contacts()
        #expect(before.count == 1 && before[0].requests == 2 && before[0].pulledAfter == 17)
        #expect(try r.replica.flushContacts() == 1)
        #expect(try r.replica.flushContacts() == 0, "nothing left to write")
        #expect(try r.replica.contacts() == before)
        r.replica.recordContact(node: node, court: court, request: .push, at: at, pushedThrough: 3)
        let merged = try r.replica.contacts()
        #expect(merged[0].requests == 3 && merged[0].lastRequest == .push && merged[0].pulledAfter == 17)
        try r.replica.flushContacts()
        let path = r.directory.path(Replica.fileName).path
        try r.replica.close()
        let reopened = try Replica.open(at: path)
        #expect(try reopened.contacts() == merged)
        try reopened.close()
    }
}
