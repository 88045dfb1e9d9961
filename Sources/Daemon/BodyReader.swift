import Entrustment
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import SyncEngine

/// Reads a request body as it arrives (`Protocol/sync.md` §2.5): at most `limit` bytes (413
/// `tooLarge` beyond, or at once when `Content-Length` declares more), at least
/// `minBytesPerSecond` on average after the first `graceSeconds`, and never `graceSeconds`
/// without a byte (408 `slowBody`: a trickling or stalled body is cut off and its connection
/// closed), and, for a signed request, exactly the body whose hash (the network suite's) the caller signed (400
/// `digestMismatch`), hashed as it arrives.
struct BodyReader {
    var limit: Int
    var minBytesPerSecond: Int
    var graceSeconds: Double
    /// The network's suite, whose hash a signed body's digest is.
    var suite: SignatureSuite

    /// Refuses a request whose `Content-Length` is over the limit, before reading anything.
    func checkDeclaredLength(_ request: Request) throws(SyncError) {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw tooLarge
        }
    }

    /// The body, checked against what `signed` declared when given.
    func read(
        _ request: Request, channel: any Channel, signed: AuthenticatedRequest? = nil
    ) async throws -> [UInt8] {
        try checkDeclaredLength(request)
        let received = Received()
        let limit = self.limit
        let tooLarge = self.tooLarge
        let minBytesPerSecond = self.minBytesPerSecond
        let graceSeconds = self.graceSeconds
        let suite = self.suite
        let body = request.body
        let started = ContinuousClock.now
        let read: (bytes: [UInt8], digest: [UInt8])
        do {
            read = try await withThrowingTaskGroup(of: ([UInt8], [UInt8])?.self) { group in
                group.addTask {
                    var bytes: [UInt8] = []
                    var hasher = BodyHasher(suite: suite)
                    for try await chunk in body {
                        guard bytes.count + chunk.readableBytes <= limit else { throw tooLarge }
                        bytes.append(contentsOf: chunk.readableBytesView)
                        hasher.update(chunk.readableBytesView)
                        let count = bytes.count
                        received.count.store(count, ordering: .relaxed)
                    }
                    return (bytes, hasher.finalize())
                }
                group.addTask {
                    var seen = 0
                    var lastProgress = started
                    while true {
                        try await Task.sleep(for: .milliseconds(500))
                        let now = ContinuousClock.now
                        let count = received.count.load(ordering: .relaxed)
                        if count > seen {
                            seen = count
                            lastProgress = now
                        }
                        let elapsed = (now - started) / .seconds(1)
                        let due = Double(minBytesPerSecond) * (elapsed - graceSeconds)
                        if due > 0, Double(count) < due { throw SlowBody() }
                        if (now - lastProgress) / .seconds(1) > graceSeconds { throw SlowBody() }
                    }
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                }
                return ([], RequestSigning.digest(of: [], suite: suite))
            }
        } catch is SlowBody {
            channel.close(mode: .input, promise: nil)
            throw SyncError(
                code: "slowBody", status: 408,
                "the body arrived slower than \(minBytesPerSecond) bytes a second, or stalled for \(Int(graceSeconds)) s: the request is cut off"
            )
        }
        try signed?.check(digest: read.digest)
        return read.bytes
    }

    /// How many bytes of the body have arrived, shared with the watchdog.
    private final class Received: Sendable {
        let count = Atomic<Int>(0)
    }

    private var tooLarge: SyncError {
        SyncError(code: "tooLarge", status: 413, "the request body is over the limit of \(limit) bytes")
    }

    private struct SlowBody: Error {}
}
