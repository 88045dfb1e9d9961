import Foundation

/// A log-normal distribution given by its median and 90th percentile, the way completion times
/// are described (most matters are done in a day or two, a long tail takes weeks).
public struct LogNormal: Hashable, Sendable {
    /// The median.
    public let median: Double
    /// The 90th percentile.
    public let p90: Double

    /// The standard normal's 90th percentile.
    static let z90 = 1.281_551_565_5

    /// `median` and `p90` are positive and `p90` is above `median`.
    public init(median: Double, p90: Double) {
        precondition(median > 0 && p90 > median, "a log-normal needs 0 < median < p90")
        self.median = median
        self.p90 = p90
    }

    /// μ and σ of the underlying normal.
    public var mu: Double { log(median) }
    public var sigma: Double { (log(p90) - log(median)) / Self.z90 }

    /// One draw.
    public func sample(_ random: inout SeededRandom) -> Double {
        exp(mu + sigma * random.normal())
    }

    /// The share of draws above `value`.
    public func tail(above value: Double) -> Double {
        0.5 * erfc((log(value) - mu) / (sigma * 2.0.squareRoot()))
    }
}
