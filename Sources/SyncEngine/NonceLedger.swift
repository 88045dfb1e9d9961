import Entrustment
import Foundation
import Synchronization

/// The nonces each node has spent within the replay window (`Protocol/sync.md` §2): a request
/// whose nonce its node already spent is a replay.
///
/// Kept per node, each with its own allowance, so that one node — however fast it sends — can
/// exhaust only its own: past ``perNode`` requests within the window its further requests get
/// `503 busy`, and every other node is served as before. Only authenticated requests spend
/// nonces, so memory is bounded by the approved nodes times the allowance. With a journal
/// (``NonceJournal``) the nonces outlive a restart.
public final class NonceLedger: Sendable {
    /// What spending a nonce found.
    public enum Verdict: Sendable, Equatable {
        /// Unseen: spent now.
        case fresh
        /// Already spent within the window.
        case replayed
        /// The node has spent its allowance within the window.
        case busy
    }

    /// 16 nonce bytes.
    private struct Nonce: Hashable {
        var high: UInt64
        var low: UInt64

        init(_ bytes: [UInt8]) {
            high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
            low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    /// One node's spent nonces, and the order they were spent in (oldest first from `start`),
    /// each with the instant after which its request's timestamp is out of the window, so that
    /// forgetting it can no longer let a replay through.
    private struct Spent {
        var nonces: Set<Nonce> = []
        var order: [(nonce: Nonce, expires: Int64)] = []
        var start = 0

        /// Forgets, in spending order, the nonces whose requests expired before `now`.
        mutating func forget(before now: Int64) {
            while start < order.count, order[start].expires < now {
                nonces.remove(order[start].nonce)
                start += 1
            }
            if start > 1024, start * 2 > order.count {
                order.removeFirst(start)
                start = 0
            }
        }
    }

    /// The most nonces one node may spend within the window.
    public let perNode: Int
    private let windowMilliseconds: Int64
    /// The spent nonces, and the journal they are written to (used only under this lock).
    private let state: Mutex<State>

    private struct State {
        var nodes: [NodeID: Spent] = [:]
        var spends = 0
        var journal: NonceJournal?
    }

    /// A ledger for requests within `windowMilliseconds` of the clock, at most `perNode` per
    /// node; with `journalFolder`, spent nonces are also written there and read back now.
    public init(windowMilliseconds: Int64, perNode: Int, journalFolder: URL? = nil, now: Int64 = 0) {
        self.windowMilliseconds = windowMilliseconds
        self.perNode = perNode
        var initial = State()
        initial.journal = journalFolder.map { NonceJournal(folder: $0, windowMilliseconds: windowMilliseconds) }
        for record in initial.journal?.load(now: now) ?? [] where record.nonce.count == 16 {
            let key = Nonce(record.nonce)
            if initial.nodes[record.node, default: Spent()].nonces.insert(key).inserted {
                initial.nodes[record.node]!.order.append((key, record.expires))
            }
        }
        state = Mutex(initial)
    }

    /// Spends `nonce` (16 bytes) for `node` at `now`, for a request dated `sentAt` (within the
    /// window of `now`). The nonce is remembered for a window after the later of the two, so until
    /// the request's timestamp has left the window: a request dated ahead of this node's clock
    /// cannot be replayed once its nonce is forgotten.
    public func spend(_ nonce: [UInt8], node: NodeID, sentAt: Int64, now: Int64) -> Verdict {
        precondition(nonce.count == 16, "a nonce has 16 bytes")
        let key = Nonce(nonce)
        let expires = max(sentAt, now) + windowMilliseconds
        return state.withLock { state in
            state.spends += 1
            if state.spends % 4096 == 0 {
                for id in Array(state.nodes.keys) {
                    state.nodes[id]!.forget(before: now)
                    if state.nodes[id]!.nonces.isEmpty { state.nodes.removeValue(forKey: id) }
                }
            }
            var spent = state.nodes[node] ?? Spent()
            spent.forget(before: now)
            defer { state.nodes[node] = spent }
            guard !spent.nonces.contains(key) else { return .replayed }
            guard spent.nonces.count < perNode else { return .busy }
            spent.nonces.insert(key)
            spent.order.append((key, expires))
            state.journal?.append(.init(node: node, nonce: nonce, expires: expires), now: now)
            return .fresh
        }
    }
}
