import Entrustment
import Foundation
import SyncEngine
import TestSupport
import Testing

/// The replay memory (`Protocol/sync.md` §2): per node, each with its own allowance, and long
/// enough that a request cannot be replayed while its timestamp is still within the window.
@Suite("nonce ledger: replays refused, allowances per node")
struct NonceLedgerTests {
    static let window: Int64 = 900_000
    static let a = Fixtures.node("京0105.aaaaaaaa")
    static let b = Fixtures.node("粤0106.bbbbbbbb")

    static func nonce(_ n: Int) -> [UInt8] { (0..<16).map { UInt8(truncatingIfNeeded: n >> ($0 % 4 * 8)) ^ UInt8($0) } }

    @Test("a nonce is fresh once, then replayed; the same nonce from another node is its own")
    func replay() {
        let ledger = NonceLedger(windowMilliseconds: Self.window, perNode: 10)
        #expect(ledger.spend(Self.nonce(1), node: Self.a, sentAt: 0, now: 0) == .fresh)
        #expect(ledger.spend(Self.nonce(1), node: Self.a, sentAt: 10, now: 10) == .replayed)
        #expect(ledger.spend(Self.nonce(1), node: Self.b, sentAt: 10, now: 10) == .fresh)
    }

    @Test("one node past its allowance is busy; another node is served")
    func allowance() {
        let ledger = NonceLedger(windowMilliseconds: Self.window, perNode: 100)
        for n in 0..<100 { #expect(ledger.spend(Self.nonce(n), node: Self.a, sentAt: 0, now: 0) == .fresh) }
        #expect(ledger.spend(Self.nonce(1_000), node: Self.a, sentAt: 0, now: 0) == .busy)
        #expect(ledger.spend(Self.nonce(1_000), node: Self.b, sentAt: 0, now: 0) == .fresh)
        // Once the window has passed, the node's allowance is back.
        #expect(ledger.spend(Self.nonce(1_001), node: Self.a, sentAt: 2 * Self.window, now: 2 * Self.window) == .fresh)
    }

    @Test("a request dated ahead of the clock stays remembered while its timestamp is in the window")
    func datedAhead() {
        let ledger = NonceLedger(windowMilliseconds: Self.window, perNode: 10)
        // Dated 14 minutes ahead: accepted now, and acceptable until 29 minutes from now.
        let sentAt: Int64 = 840_000
        #expect(ledger.spend(Self.nonce(7), node: Self.a, sentAt: sentAt, now: 0) == .fresh)
        let later = sentAt + Self.window - 1
        #expect(ledger.spend(Self.nonce(8), node: Self.a, sentAt: later, now: later) == .fresh)
        #expect(ledger.spend(Self.nonce(7), node: Self.a, sentAt: sentAt, now: later) == .replayed)
    }

    @Test("with a journal, spent nonces outlive the ledger; expired files are deleted; a torn record is ignored")
    func journal() throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let path = folder.path("nonces")
        let first = NonceLedger(windowMilliseconds: Self.window, perNode: 10, journalFolder: path, now: 0)
        #expect(first.spend(Self.nonce(1), node: Self.a, sentAt: 0, now: 0) == .fresh)
        #expect(first.spend(Self.nonce(2), node: Self.b, sentAt: 100, now: 100) == .fresh)
        // A restart: a new ledger reads the journal back.
        let second = NonceLedger(windowMilliseconds: Self.window, perNode: 10, journalFolder: path, now: 1_000)
        #expect(second.spend(Self.nonce(1), node: Self.a, sentAt: 1_000, now: 1_000) == .replayed)
        #expect(second.spend(Self.nonce(2), node: Self.b, sentAt: 1_000, now: 1_000) == .replayed)
        #expect(second.spend(Self.nonce(2), node: Self.a, sentAt: 1_000, now: 1_000) == .fresh)
        // A torn last record (a crash mid-write) is ignored; the whole ones still count.
        let files = try FileManager.default.contentsOfDirectory(atPath: path.path).map {
            path.appendingPathComponent($0)
        }
        let handle = try FileHandle(forWritingTo: try #require(files.sorted { $0.path < $1.path }.last))
        _ = try handle.seekToEnd()
        try handle.write(contentsOf: [40, 0x41, 0x42])
        try handle.close()
        let third = NonceLedger(windowMilliseconds: Self.window, perNode: 10, journalFolder: path, now: 2_000)
        #expect(third.spend(Self.nonce(1), node: Self.a, sentAt: 2_000, now: 2_000) == .replayed)
        // Once every nonce in them has expired, the files are deleted and nothing is remembered.
        let later = 3 * Self.window
        let fourth = NonceLedger(windowMilliseconds: Self.window, perNode: 10, journalFolder: path, now: later)
        #expect(try FileManager.default.contentsOfDirectory(atPath: path.path).isEmpty)
        #expect(fourth.spend(Self.nonce(1), node: Self.a, sentAt: later, now: later) == .fresh)
    }
}
