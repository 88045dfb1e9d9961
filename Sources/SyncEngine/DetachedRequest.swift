import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Runs a `URLSession` request so that cancelling the caller never cancels the request itself.
///
/// FoundationNetworking on Linux can deadlock when an async `data(for:)` is cancelled while it
/// completes (the task's cancellation handler and the session's queue wait on each other). Seen
/// here: a daemon stopping while its long-poll to a stopping hub ended hung for good. So the
/// request runs in a detached task, and a cancelled caller stops waiting at once with
/// `CancellationError` while the request finishes or times out on its own.
enum DetachedRequest {
    static func data(_ session: URLSession, for request: URLRequest) async throws -> (Data, URLResponse) {
        let outcome = Outcome()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.wait(continuation)
                Task.detached {
                    do {
                        outcome.finish(.success(try await session.data(for: request)))
                    } catch {
                        outcome.finish(.failure(error))
                    }
                }
            }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
    }

    /// The first result delivered to one continuation, whichever side comes first.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<(Data, URLResponse), any Error>?
        private var result: Result<(Data, URLResponse), any Error>?

        func wait(_ continuation: CheckedContinuation<(Data, URLResponse), any Error>) {
            lock.lock()
            if let result {
                lock.unlock()
                continuation.resume(with: result)
                return
            }
            self.continuation = continuation
            lock.unlock()
        }

        func finish(_ outcome: Result<(Data, URLResponse), any Error>) {
            lock.lock()
            guard result == nil else {
                lock.unlock()
                return
            }
            result = outcome
            let waiting = continuation
            continuation = nil
            lock.unlock()
            waiting?.resume(with: outcome)
        }
    }
}
