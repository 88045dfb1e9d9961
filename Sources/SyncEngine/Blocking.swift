import Dispatch

/// Runs blocking work (SQLite reads and writes) on a dispatch queue, so that it never holds one
/// of the few threads of Swift's cooperative pool while the disk is busy.
public enum Blocking {
    private static let queue = DispatchQueue(label: "courtsync.replica", attributes: .concurrent)

    @discardableResult
    public static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
