import Entrustment
import Replica
import SyncEngine
import TestSupport
import Testing

/// What a hello does to a link's cursors (`Protocol/sync.md` §1): a new remote node restarts
/// both; a restore id not seen before restarts the push cursor; anything else keeps them.
@Suite("cursor restarts after a hello")
struct CursorRestartTests {
    static let node = Fixtures.node("最高法.aaaa0001")
    static let other = Fixtures.node("最高法.bbbb0002")
    static let first = String(repeating: "1", count: 32)
    static let second = String(repeating: "2", count: 32)

    static func hello(_ node: NodeID, restore: String?) -> HelloResponse {
        HelloResponse(
            version: 2, court: "最高法", node: node.rawValue, role: "hub", software: "courtsync/0.4",
            time: "2026-12-03T09:00:00+08:00", head: 100,
            limits: WireLimits(maxEventsPerSet: 1, maxBytesPerSet: 1, maxBodyBytes: 1, maxWaitSeconds: 1),
            directoryVersion: 1, restore: restore)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var known: NodeID?
        var knownRestore: String?
        var node: NodeID
        var restore: String?
        var pulled: Int64
        var pushed: Int64
        var restarts: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "first hello", known: nil, knownRestore: nil, node: node, restore: nil, pulled: 0, pushed: 0,
            restarts: false),
        Case(
            name: "same node, never restored", known: node, knownRestore: nil, node: node, restore: nil, pulled: 40,
            pushed: 30, restarts: false),
        Case(
            name: "same node, same restore", known: node, knownRestore: first, node: node, restore: first, pulled: 40,
            pushed: 30, restarts: false),
        Case(
            name: "same node, restored again", known: node, knownRestore: first, node: node, restore: second,
            pulled: 40, pushed: 0, restarts: true),
        Case(
            name: "same node, a restore not known before", known: node, knownRestore: nil, node: node, restore: first,
            pulled: 40, pushed: 0, restarts: true),
        Case(
            name: "a version-1 answer keeps the known restore", known: node, knownRestore: first, node: node,
            restore: nil, pulled: 40, pushed: 30, restarts: false),
        Case(
            name: "another node", known: node, knownRestore: first, node: other, restore: nil, pulled: 0, pushed: 0,
            restarts: true),
    ]

    @Test("the cursors a hello leaves", arguments: cases)
    func restart(_ c: Case) {
        var state = LinkState(court: CourtCode.supreme, url: "http://127.0.0.1:1")
        state.remoteNode = c.known
        state.remoteRestore = c.knownRestore
        state.pulledThrough = 40
        state.pushedThrough = 30
        let reason = LinkSynchronizer.adopt(Self.hello(c.node, restore: c.restore), from: c.node, into: &state)
        #expect(state.pulledThrough == c.pulled && state.pushedThrough == c.pushed, "\(state)")
        #expect((reason != nil) == c.restarts, "\(reason ?? "no reason")")
        #expect(state.remoteNode == c.node)
        #expect(state.remoteRestore == (c.restore ?? (c.node == c.known ? c.knownRestore : nil)))
    }
}
