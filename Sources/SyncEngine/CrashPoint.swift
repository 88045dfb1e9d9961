import Foundation
import Node

/// Named moments of the sync path at which a fault test can have this process die with SIGKILL,
/// as a power cut would stop it there (`docs/reliability.md`). Random kills rarely land in the
/// narrow windows that matter most; a crash point lands in one every time.
///
/// Armed only by the environment: `COURTSYNC_CRASH_AT=point` kills the process the first time it
/// reaches `point`, `point@n` the n-th time. Unset (always, outside fault tests), reaching a point
/// costs one lock and nothing else happens.
public enum CrashPoint: String, CaseIterable, Sendable {
    /// A pulled change set that carries events is applied inside its transaction, not yet committed: the events and
    /// the pull cursor must both be lost, and pulled again.
    case pullApplied = "pull-applied"
    /// A pulled change set that carries events and the pull cursor have committed; nothing else has happened yet.
    case pullCommitted = "pull-committed"
    /// A push batch has been read from the replica and encoded, not yet sent.
    case pushEncoded = "push-encoded"
    /// The remote has acknowledged storing a push; the push cursor has not moved yet: the
    /// restarted node sends the batch again and the remote must store nothing twice.
    case pushAcknowledged = "push-acknowledged"
    /// A pushed change set is applied inside the receiver's transaction, not yet committed: the
    /// pusher gets no answer and must send it again.
    case receiveApplied = "receive-applied"
    /// The receiver has committed a pushed change set and not yet answered: the pusher, not
    /// knowing, sends it again.
    case receiveCommitted = "receive-committed"

    /// The environment variable that arms a crash point.
    public static let environmentKey = "COURTSYNC_CRASH_AT"

    private final class Armed: @unchecked Sendable {
        let lock = NSLock()
        var point: CrashPoint?
        var remaining = 0
    }

    private static let armed = Armed()

    /// Arms the crash point `environment` names, if any, and returns it with the arrival it
    /// fires at. A value that names no point is refused, so a mistyped fault test fails at once
    /// instead of running without its fault.
    @discardableResult
    public static func arm(from environment: [String: String]) throws(NodeError) -> (point: CrashPoint, arrival: Int)? {
        guard let text = environment[environmentKey], !text.isEmpty else { return nil }
        let armed = try parse(text)
        Self.armed.lock.withLock {
            Self.armed.point = armed.point
            Self.armed.remaining = armed.arrival
        }
        return armed
    }

    /// Reads `point` or `point@n` (n ≥ 1).
    public static func parse(_ text: String) throws(NodeError) -> (point: CrashPoint, arrival: Int) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let arrival = parts.count == 2 ? Int(parts[1]) : parts.count == 1 ? 1 : nil
        guard let point = CrashPoint(rawValue: String(parts[0])), let arrival, arrival >= 1 else {
            throw NodeError(
                code: "invalidArgument",
                "\(environmentKey)=\(text): expected one of \(allCases.map(\.rawValue).joined(separator: ", ")), optionally followed by @n (n ≥ 1)"
            )
        }
        return (point, arrival)
    }

    /// Marks that this process has reached the point: if it is the armed one, and this is the
    /// arrival it was armed for, the process says so on standard error and kills itself.
    public func reached() {
        let fire = Self.armed.lock.withLock { () -> Bool in
            guard Self.armed.point == self else { return false }
            Self.armed.remaining -= 1
            return Self.armed.remaining == 0
        }
        guard fire else { return }
        FileHandle.standardError.write(Data("\(Self.environmentKey): reached \(rawValue), killing this process\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
