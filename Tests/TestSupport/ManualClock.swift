import Entrustment
import Foundation

/// A time source a test moves by hand, shared by the nodes of an in-process network.
public final class ManualClock: TimeSource, @unchecked Sendable {
    private let lock = NSLock()
    private var instant: Timestamp

    public init(_ start: Timestamp) { instant = start }

    public func now() -> Timestamp { lock.withLock { instant } }

    /// Moves the clock forward by `milliseconds`.
    public func advance(milliseconds: Int64) { lock.withLock { instant = instant.adding(milliseconds: milliseconds) } }
}
