import Hummingbird
import HummingbirdCore
import NIOCore
import Synchronization

/// The listener's connection slots (`limits.maxConnections`), with room kept for nodes that
/// proved who they are: when the slots are full, the oldest connection that never made an
/// authenticated request is closed to make room for a new one — an idle one first, else one in
/// the middle of a request (a registration's body being sent slowly) — so that a crowd of
/// strangers cannot lock the courts out. Only when no such connection is left do new ones wait in the
/// kernel's queue. One node holds at most ``perNode`` connections: when it authenticates on
/// one more, its least recently used idle one is closed, and if none of its others is idle the request is
/// refused (`503 busy`), so that one approved node cannot take every slot either.
final class ConnectionSlots: Sendable {
    private struct Entry {
        var channel: any Channel
        var opened: UInt64
        /// The node that authenticated on it, if one did.
        var node: String?
        var busy = false
        /// When its last request ended (a tick of ``State/clock``): the least recently used is
        /// closed first.
        var lastUsed: UInt64 = 0
        var authenticated: Bool { node != nil }
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var opened: UInt64 = 0
        var clock: UInt64 = 0
    }

    /// How many connections may be open at once.
    let capacity: Int
    /// How many one node may hold (a node needs two or three: a long-poll, a push, a hello).
    let perNode: Int
    private let state = Mutex(State())

    init(capacity: Int, perNode: Int = 8) {
        self.capacity = capacity
        self.perNode = perNode
    }

    /// The number of open connections.
    var count: Int { state.withLock { $0.entries.count } }

    /// Whether the listener should accept another connection: below the cap, or a stranger's
    /// connection can be closed for it.
    var acceptsMore: Bool {
        state.withLock { state in
            state.entries.count < capacity || state.entries.values.contains { !$0.authenticated }
        }
    }

    /// Records a new connection; over the cap, closes the oldest unauthenticated one, idle ones
    /// first.
    func opened(_ channel: any Channel) {
        let evicted: (any Channel)? = state.withLock { state in
            state.opened += 1
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, opened: state.opened)
            guard state.entries.count > capacity else { return nil }
            let victim = state.entries.values
                .filter { !$0.authenticated && $0.channel !== channel }
                .min { ($0.busy ? 1 : 0, $0.opened) < ($1.busy ? 1 : 0, $1.opened) }
            guard let victim else { return nil }
            state.entries.removeValue(forKey: ObjectIdentifier(victim.channel))
            return victim.channel
        }
        evicted?.close(promise: nil)
    }

    /// Forgets a closed connection.
    func closed(_ channel: any Channel) {
        _ = state.withLock { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Marks a connection as serving a request (`true`) or idle.
    func setBusy(_ channel: any Channel, _ busy: Bool) {
        state.withLock { state in
            state.clock += 1
            state.entries[ObjectIdentifier(channel)]?.busy = busy
            state.entries[ObjectIdentifier(channel)]?.lastUsed = state.clock
        }
    }

    /// Marks a connection as one on which `node` proved who it is. If the node then holds more
    /// than ``perNode`` connections, its least recently used idle other one is closed; returns `false` (the
    /// request is to be refused) if none of its others is idle.
    func authenticated(_ channel: any Channel, node: String) -> Bool {
        let (admitted, evicted): (Bool, (any Channel)?) = state.withLock { state in
            let id = ObjectIdentifier(channel)
            guard state.entries[id] != nil else { return (true, nil) }
            state.entries[id]!.node = node
            let others = state.entries.values.filter { $0.node == node && $0.channel !== channel }
            guard others.count >= perNode else { return (true, nil) }
            guard let victim = others.filter({ !$0.busy }).min(by: { $0.lastUsed < $1.lastUsed }) else {
                return (false, nil)
            }
            state.entries.removeValue(forKey: ObjectIdentifier(victim.channel))
            return (true, victim.channel)
        }
        evicted?.close(promise: nil)
        return admitted
    }

    /// The handler each connection carries, reporting its opening and closing.
    func handler() -> any RemovableChannelHandler { SlotHandler(slots: self) }

    /// The listener's delegate: accept while ``acceptsMore``.
    var delegate: some AvailableConnectionsDelegate { Delegate(slots: self) }

    private struct Delegate: AvailableConnectionsDelegate {
        let slots: ConnectionSlots
        mutating func connectionOpened() {}
        mutating func connectionClosed() {}
        func isAcceptingNewConnections() -> Bool { slots.acceptsMore }
    }

    private final class SlotHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let slots: ConnectionSlots

        init(slots: ConnectionSlots) { self.slots = slots }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { slots.opened(context.channel) }
        }

        func channelActive(context: ChannelHandlerContext) {
            slots.opened(context.channel)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            slots.closed(context.channel)
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            slots.closed(context.channel)
        }
    }
}

/// Marks each connection busy while one of its requests is being served.
struct ConnectionSlotMiddleware: RouterMiddleware {
    let slots: ConnectionSlots

    func handle(
        _ request: Request, context: NodeRequestContext, next: (Request, NodeRequestContext) async throws -> Response
    ) async throws -> Response {
        slots.setBusy(context.channel, true)
        defer { slots.setBusy(context.channel, false) }
        return try await next(request, context)
    }
}
