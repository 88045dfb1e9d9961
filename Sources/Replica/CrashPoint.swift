import Foundation
import Synchronization

/// Named moments between durable steps at which a fault test can have this process die with
/// SIGKILL, as a power cut would stop it there (`docs/reliability.md`). Random kills rarely land
/// in the narrow windows that matter most; a crash point lands in one every time.
///
/// Armed only by the environment, once per process: `COURTSYNC_CRASH_AT=point` kills the process
/// the first time it reaches `point`, `point@n` the n-th time. Unset (always, outside fault
/// tests), reaching a point costs one comparison and nothing else happens.
public enum CrashPoint: String, CaseIterable, Sendable {
    /// A schema migration's statements have run inside its transaction, not yet committed: the
    /// file must still be at the version before.
    case migrationApplied = "migration-applied"
    /// Every schema migration has committed; matters the migration marked for a refold are not
    /// refolded yet.
    case migrationCommitted = "migration-committed"
    /// Stale matters are refolded inside their transaction, not yet committed.
    case refoldApplied = "refold-applied"
    /// A pulled change set that carries events is applied inside its transaction, not yet
    /// committed: the events and the pull cursor must both be lost, and pulled again.
    case pullApplied = "pull-applied"
    /// A pulled change set that carries events and the pull cursor have committed; nothing else
    /// has happened yet.
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
    /// A received document chunk has been written to the partial file (`documents/partial/`),
    /// the next not yet asked for: a restarted transfer resumes from the whole chunks on disk.
    case documentChunkWritten = "document-chunk-written"
    /// A document's partial file (received, or a clerk's file being added) is complete, verified
    /// and synced, not yet renamed to its final name: nothing may be found under the final name,
    /// no `attach` event names it yet, and the next transfer (or the clerk's retry) finishes it.
    case documentSynced = "document-synced"

    /// The environment variable that arms a crash point.
    public static let environmentKey = "COURTSYNC_CRASH_AT"

    /// A `COURTSYNC_CRASH_AT` value that names no point.
    public struct InvalidSetting: Error, CustomStringConvertible {
        public let description: String
    }

    private final class Countdown: Sendable {
        let point: CrashPoint
        let arrival: Int
        /// Arrivals left before the point fires.
        let remaining: Mutex<Int>
        init(point: CrashPoint, arrival: Int) {
            self.point = point
            self.arrival = arrival
            remaining = Mutex(arrival)
        }
    }

    /// Read from the environment the first time anything asks.
    private static let countdown: Result<Countdown?, InvalidSetting> = {
        guard let text = ProcessInfo.processInfo.environment[environmentKey], !text.isEmpty else {
            return .success(nil)
        }
        do throws(InvalidSetting) {
            let (point, arrival) = try parse(text)
            return .success(Countdown(point: point, arrival: arrival))
        } catch {
            return .failure(error)
        }
    }()

    /// The point this process's environment arms, and the arrival it fires at; nil when none.
    /// A value that names no point is refused (opening a node calls this first), so a mistyped
    /// fault test fails at once instead of running without its fault.
    public static func armed() throws(InvalidSetting) -> (point: CrashPoint, arrival: Int)? {
        try countdown.get().map { ($0.point, $0.arrival) }
    }

    /// Reads `point` or `point@n` (n ≥ 1).
    public static func parse(_ text: String) throws(InvalidSetting) -> (point: CrashPoint, arrival: Int) {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let arrival = parts.count == 2 ? Int(parts[1]) : parts.count == 1 ? 1 : nil
        guard let point = CrashPoint(rawValue: String(parts[0])), let arrival, arrival >= 1 else {
            throw InvalidSetting(
                description:
                    "\(environmentKey)=\(text): expected one of \(allCases.map(\.rawValue).joined(separator: ", ")), optionally followed by @n (n ≥ 1)"
            )
        }
        return (point, arrival)
    }

    /// Marks that this process has reached the point: if it is the armed one, and this is the
    /// arrival it was armed for, the process says so on standard error and kills itself.
    public func reached() {
        guard case .success(let countdown?) = Self.countdown, countdown.point == self else { return }
        let fire = countdown.remaining.withLock { remaining -> Bool in
            remaining -= 1
            return remaining == 0
        }
        guard fire else { return }
        FileHandle.standardError.write(Data("\(Self.environmentKey): reached \(rawValue), killing this process\n".utf8))
        kill(getpid(), SIGKILL)
    }
}
