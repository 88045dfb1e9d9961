import Foundation

/// A seeded random number generator (SplitMix64): the same seed gives the same workload on
/// every machine, so a demo run or a benchmark can be repeated.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform number in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// A standard normal number (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), .leastNonzeroMagnitude)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// A Poisson count with mean `mean` (Knuth's method; means here are small).
    public mutating func poisson(mean: Double) -> Int {
        guard mean > 0 else { return 0 }
        let limit = exp(-mean)
        var product = unit()
        var count = 0
        while product > limit {
            count += 1
            product *= unit()
        }
        return count
    }

    /// One of `items`, drawn with the given weights.
    public mutating func pick<T>(_ items: [(T, Double)]) -> T {
        let total = items.reduce(0) { $0 + $1.1 }
        var remaining = unit() * total
        for (item, weight) in items {
            remaining -= weight
            if remaining < 0 { return item }
        }
        return items[items.count - 1].0
    }
}
