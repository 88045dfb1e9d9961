import Monitoring
import Testing

@Suite("distribution and display rounding")
struct DistributionTests {
    @Test(
        "mean, median (middle or mean of the two middle values), nearest-rank p90 and p99",
        arguments: [
            ([5.0], 5.0, 5.0, 5.0, 5.0),
            ([3.0, 1.0], 2.0, 2.0, 3.0, 3.0),
            ([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10], 5.5, 5.5, 9.0, 10.0),
            ([10.0, 1, 2], 13.0 / 3, 2.0, 10.0, 10.0),
            // n = 11: rank ⌈9.9⌉ = 10 for p90, ⌈10.89⌉ = 11 for p99.
            ((1...11).map(Double.init), 6.0, 6.0, 10.0, 11.0),
        ] as [([Double], Double, Double, Double, Double)])
    func summary(values: [Double], mean: Double, median: Double, p90: Double, p99: Double) {
        let d = Distribution(values)
        #expect(d.count == values.count)
        #expect(abs(d.mean! - mean) < 1e-12)
        #expect(d.median == median)
        #expect(d.p90 == p90)
        #expect(d.p99 == p99)
        #expect(d.max == values.max())
    }

    @Test("an empty sample has no statistics")
    func empty() {
        let d = Distribution([])
        #expect(d.count == 0)
        #expect(d.mean == nil)
        #expect(d.median == nil)
        #expect(d.p90 == nil)
        #expect(d.max == nil)
    }

    @Test(
        "figures round half away from zero at two decimals, as the dashboard's script does",
        arguments: [
            (0.125, "0.13"), (0.124999, "0.12"), (2.0, "2.00"), (36.958333333, "36.96"), (0.0, "0.00"),
            (12.499826, "12.50"), (1234.5, "1234.50"), (-0.125, "-0.13"),
        ] as [(Double, String)])
    func rounding(value: Double, text: String) {
        #expect(Figures.fixed(value) == text)
    }

    @Test("rates show as percentages, missing figures as a dash")
    func percentages() {
        #expect(Figures.percent(0.75) == "75.00%")
        #expect(Figures.percent(5.0 / 6) == "83.33%")
        #expect(Figures.percent(2.0 / 3) == "66.67%")
        #expect(Figures.percent(nil) == "—")
        #expect(Figures.days(nil) == "—")
    }
}
