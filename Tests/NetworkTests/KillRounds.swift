import Foundation
import TestSupport

/// How many times a random-kill test kills (``CrashTests``, ``MigrationCrashTests``): a few in
/// the default suite, as many as `COURTSYNC_KILL_ROUNDS` says in the opt-in long run
/// (`COURTSYNC_KILL_ROUNDS=200 swift test --filter 'CrashTests|MigrationCrashTests'`).
enum KillRounds {
    /// The environment variable that asks for the long run.
    static let environmentKey = "COURTSYNC_KILL_ROUNDS"

    /// `COURTSYNC_KILL_ROUNDS` when set, else `short`.
    static func count(default short: Int) throws -> Int {
        guard let text = ProcessInfo.processInfo.environment[environmentKey] else { return short }
        guard let rounds = Int(text), rounds > 0 else {
            throw DaemonError(message: "\(environmentKey)=\(text) is not a number of kills")
        }
        return rounds
    }
}
