import Foundation

/// The seed of a test that draws random inputs (which node is killed and when, which acts are
/// made, the faults of the soak): from `COURTSYNC_TEST_SEED` when it is set, otherwise a fresh
/// one. `bash Nodes/test.sh` (and so CI) sets a fixed one unless the caller did.
public enum TestSeed {
    /// The environment variable that fixes the seed of every random test.
    public static let environmentKey = "COURTSYNC_TEST_SEED"

    /// The seed `COURTSYNC_TEST_SEED` gives, or `nil` when it is not set.
    public static func fixed() throws -> UInt64? {
        guard let text = ProcessInfo.processInfo.environment[environmentKey] else { return nil }
        guard let seed = UInt64(text) else {
            throw DaemonError(message: "\(environmentKey)=\(text) is not a seed: give a whole number 0…\(UInt64.max)")
        }
        return seed
    }

    /// The seed of the random test `name`: `COURTSYNC_TEST_SEED`'s or a fresh one. Prints it with
    /// the way to rerun the test on it, so that a failure can be replayed.
    public static func draw(for name: String) throws -> UInt64 {
        let seed = try fixed() ?? UInt64.random(in: 1...(1 << 40))
        print("\(name): seed \(seed) (rerun with \(environmentKey)=\(seed))")
        return seed
    }

    /// The seeds of a property test: its fixed `table`, and `COURTSYNC_TEST_SEED`'s seed too when it
    /// is set (swift-testing names the seed of a failing case in its arguments).
    public static func table(_ table: some Sequence<UInt64>) throws -> [UInt64] {
        let seeds = Array(table)
        guard let extra = try fixed(), !seeds.contains(extra) else { return seeds }
        return seeds + [extra]
    }
}
