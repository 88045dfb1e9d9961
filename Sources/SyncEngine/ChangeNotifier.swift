import Entrustment

/// Wakes whoever waits for new events in the replica: long-polling callers and the push loops.
///
/// Version numbers count changes; a waiter remembers the version it saw and waits until it
/// moves, a deadline passes, or the node shuts down. A change may name the courts it concerns
/// (``changed(concerning:)``): a long-poll of a court waits on that court's version, so a
/// commit wakes only the polls of the courts that may see it, not every parked poll of the
/// network. A waiter for no court (the node's own loops) is woken by every change.
public actor ChangeNotifier {
    /// Changes seen so far, of any court.
    public private(set) var version: UInt64 = 0
    /// Changes that concerned every court.
    private var general: UInt64 = 0
    /// Changes per court (beyond ``general``).
    private var perCourt: [CourtCode: UInt64] = [:]
    private var isShutDown = false
    private var waiters: [UInt64: (court: CourtCode?, continuation: CheckedContinuation<Void, Never>)] = [:]
    /// The waiters of each court, and (under `nil`) those of none.
    private var waitersByCourt: [CourtCode?: Set<UInt64>] = [:]
    private var nextWaiter: UInt64 = 0

    public init() {}

    /// The version a waiter for `court` compares: moved by changes of every court and of `court`.
    public func version(for court: CourtCode?) -> UInt64 {
        guard let court else { return version }
        return general &+ (perCourt[court] ?? 0)
    }

    /// Records a change that may concern every court and wakes every waiter.
    public func changed() {
        version &+= 1
        general &+= 1
        let all = waiters.keys
        for id in Array(all) { wake(id) }
    }

    /// Records a change that concerns only `courts` (those that may see the matters it
    /// touched) and wakes their waiters and the waiters for no court. With no courts named, it
    /// is a change for every court (``changed()``).
    public func changed(concerning courts: Set<CourtCode>) {
        guard !courts.isEmpty else { return changed() }
        version &+= 1
        var woken = waitersByCourt[nil] ?? []
        for court in courts {
            perCourt[court, default: 0] &+= 1
            woken.formUnion(waitersByCourt[court] ?? [])
        }
        for id in woken { wake(id) }
    }

    /// Wakes every waiter for good: the node is stopping.
    public func shutDown() {
        isShutDown = true
        for id in Array(waiters.keys) { wake(id) }
    }

    /// Whether ``shutDown()`` was called.
    public var isShuttingDown: Bool { isShutDown }

    /// How many callers wait now.
    public var waiting: Int { waiters.count }

    /// Waits until the version for `court` moves past `seen`, `seconds` pass, or the node shuts
    /// down. Returns whether the version moved.
    public func wait(beyond seen: UInt64, seconds: Double, court: CourtCode? = nil) async -> Bool {
        if version(for: court) != seen { return true }
        if isShutDown || seconds <= 0 { return false }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            await self?.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if version(for: court) != seen || isShutDown || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiters[id] = (court, continuation)
                    waitersByCourt[court, default: []].insert(id)
                }
            }
        } onCancel: {
            Task { await self.wake(id) }
        }
        timer.cancel()
        return version(for: court) != seen
    }

    private func wake(_ id: UInt64) {
        guard let waiter = waiters.removeValue(forKey: id) else { return }
        waitersByCourt[waiter.court]?.remove(id)
        if waitersByCourt[waiter.court]?.isEmpty == true { waitersByCourt[waiter.court] = nil }
        waiter.continuation.resume()
    }
}
