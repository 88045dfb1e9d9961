/// Wakes whoever waits for new events in the replica: long-polling callers and the push loops.
///
/// A version number counts changes; a waiter remembers the version it saw and waits until it
/// moves, a deadline passes, or the node shuts down.
public actor ChangeNotifier {
    /// Changes seen so far.
    public private(set) var version: UInt64 = 0
    private var isShutDown = false
    private var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0

    public init() {}

    /// Records that events were stored and wakes every waiter.
    public func changed() {
        version &+= 1
        wakeAll()
    }

    /// Wakes every waiter for good: the node is stopping.
    public func shutDown() {
        isShutDown = true
        wakeAll()
    }

    /// Whether ``shutDown()`` was called.
    public var isShuttingDown: Bool { isShutDown }

    /// Waits until the version moves past `seen`, `seconds` pass, or the node shuts down.
    /// Returns whether the version moved.
    public func wait(beyond seen: UInt64, seconds: Double) async -> Bool {
        if version != seen { return true }
        if isShutDown || seconds <= 0 { return false }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            await self?.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if version != seen || isShutDown || Task.isCancelled {
                    continuation.resume()
                } else {
                    waiters[id] = continuation
                }
            }
        } onCancel: {
            Task { await self.wake(id) }
        }
        timer.cancel()
        return version != seen
    }

    private func wake(_ id: UInt64) {
        waiters.removeValue(forKey: id)?.resume()
    }

    private func wakeAll() {
        let all = waiters
        waiters.removeAll()
        for continuation in all.values { continuation.resume() }
    }
}
