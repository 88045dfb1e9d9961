import Dispatch

/// Runs tasks on a dispatch queue of their own instead of Swift's cooperative pool. On a
/// two-core machine the pool has two threads, which the suites that block (running CLI
/// processes, waiting on files) can hold for minutes; a test whose client measures its own
/// deadline (an HTTP exchange's timeout) runs its awaits here, so that only the code under test
/// decides when it times out.
public final class DedicatedExecutor: TaskExecutor {
    /// The executor every such test shares.
    public static let shared = DedicatedExecutor()

    private let queue = DispatchQueue(label: "courtsync.tests.dedicated", attributes: .concurrent)

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Runs `body` with its awaits on ``DedicatedExecutor``, off the cooperative pool.
public func offCooperativePool<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
    try await withTaskExecutorPreference(DedicatedExecutor.shared) { try await body() }
}
