/// Summary statistics of a sample of durations (days or seconds), as `docs/indicators.md`
/// defines them.
public struct Distribution: Sendable, Hashable, Codable {
    /// How many values.
    public var count: Int
    /// The arithmetic mean; `nil` for an empty sample.
    public var mean: Double?
    /// The median: the middle value, or the mean of the two middle values; `nil` for an empty sample.
    public var median: Double?
    /// The 90th percentile by the nearest-rank method: the value at rank ⌈0.9·n⌉ in ascending order.
    public var p90: Double?
    /// The 99th percentile by the nearest-rank method.
    public var p99: Double?
    /// The largest value.
    public var max: Double?

    /// Summarises `values` (in any order).
    public init(_ values: [Double]) {
        let sorted = values.sorted()
        count = sorted.count
        guard !sorted.isEmpty else { return }
        mean = sorted.reduce(0, +) / Double(sorted.count)
        let middle = sorted.count / 2
        median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        p90 = Self.nearestRank(0.9, of: sorted)
        p99 = Self.nearestRank(0.99, of: sorted)
        max = sorted.last
    }

    /// The value at rank ⌈q·n⌉ (1-based) of an ascending, non-empty sample.
    static func nearestRank(_ q: Double, of sorted: [Double]) -> Double {
        let rank = Int((q * Double(sorted.count)).rounded(.up))
        return sorted[Swift.min(Swift.max(rank, 1), sorted.count) - 1]
    }
}
