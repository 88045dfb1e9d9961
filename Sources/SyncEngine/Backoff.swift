/// Retry delays after failures: exponential, capped, with random jitter so that many nodes that
/// lost the same hub do not all retry at the same instant when it returns.
public struct Backoff: Sendable, Equatable {
    /// The delay after the first failure (seconds).
    public var initial: Double
    /// The longest delay (seconds).
    public var maximum: Double
    /// The random part of each delay, as a fraction of it (0 … 1).
    public var jitter: Double

    public init(initial: Double, maximum: Double, jitter: Double) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
    }

    /// The delay after `failures` consecutive failures (1 or more), given a uniform random number
    /// `unit` in 0 ..< 1: `min(maximum, initial × 2^(failures−1))`, of which the fraction
    /// `jitter` is scaled by `unit`.
    public func delay(afterFailures failures: Int, unit: Double) -> Double {
        guard failures > 0 else { return 0 }
        let exponent = Double(min(failures - 1, 62))
        let base = min(maximum, initial * pow2(exponent))
        return base * (1 - jitter) + base * jitter * min(max(unit, 0), 1)
    }

    /// The delay after `failures` failures, with the system's random numbers.
    public func delay(afterFailures failures: Int) -> Double {
        delay(afterFailures: failures, unit: Double.random(in: 0..<1))
    }

    private func pow2(_ exponent: Double) -> Double {
        var value = 1.0
        var remaining = Int(exponent)
        while remaining > 0, value < .greatestFiniteMagnitude / 2 {
            value *= 2
            remaining -= 1
        }
        return value
    }
}

extension Backoff {
    /// The backoff a node's configuration sets.
    public init(_ sync: NodeConfig.Sync) {
        self.init(initial: sync.backoffInitialSeconds, maximum: sync.backoffMaxSeconds, jitter: sync.backoffJitter)
    }
}
