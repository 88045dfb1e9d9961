import Dispatch

/// Runs blocking work on a dispatch queue, so that it never holds one of the few threads of
/// Swift's cooperative pool: CPU-bound work (verifying a change set's signatures on every core,
/// `Replica.prepare`) and the client side's synchronous replica calls. The server's request path
/// reads and writes through GRDB's async API instead (`Replica.changes(…) async`,
/// `Replica.write(_:) async`), which suspends the task while GRDB's own queues do the work.
public enum Blocking {
    private static let queue = DispatchQueue(label: "courtsync.replica", attributes: .concurrent)

    @discardableResult
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
