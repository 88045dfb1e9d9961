/// Simulated time that runs faster than the wall clock until it catches up with it, then follows
/// it: the demo network lives through weeks of work in minutes and ends in the present.
///
/// At the wall-clock instant `realStart` the simulated clock reads `simulatedStart`; it advances
/// `rate` simulated milliseconds per real one, and never passes the wall clock. So it never goes
/// back, every process given the same three values reads the same time, and once it has caught
/// up it is the wall clock.
public struct AcceleratedClock: Hashable, Sendable, Codable {
    /// What the simulated clock reads at `realStart`.
    public let simulatedStart: Timestamp
    /// The wall-clock instant the simulation starts.
    public let realStart: Timestamp
    /// Simulated milliseconds per real millisecond (1 ... 10,000,000).
    public let rate: Double

    /// The largest accepted `rate`: about four months per real second.
    public static let maxRate: Double = 10_000_000

    /// Checks the values: the simulation starts no later than it does in real time, and the rate
    /// is between 1 and ``maxRate``.
    public init(simulatedStart: Timestamp, realStart: Timestamp, rate: Double) throws(DomainError) {
        guard rate.isFinite, rate >= 1, rate <= Self.maxRate else {
            throw DomainError(.invalidField, "the clock rate must be between 1 and \(Int(Self.maxRate)), not \(rate)")
        }
        guard simulatedStart <= realStart else {
            throw DomainError(
                .invalidField, "the simulated clock starts at \(simulatedStart), after its real start \(realStart)")
        }
        self.simulatedStart = simulatedStart
        self.realStart = realStart
        self.rate = rate
    }

    /// The simulated time at the wall-clock instant `real`.
    public func instant(atReal real: Timestamp) -> Timestamp {
        guard real > realStart else { return min(real, simulatedStart) }
        let elapsed = Double(real.milliseconds - realStart.milliseconds) * rate
        let simulated = Double(simulatedStart.milliseconds) + elapsed
        guard simulated < Double(real.milliseconds) else { return real }
        return Timestamp(milliseconds: Int64(simulated))
    }

    /// The wall-clock instant at which the simulated clock reads `simulated` (the instant it
    /// catches up, for any later reading).
    public func realInstant(reading simulated: Timestamp) -> Timestamp {
        guard simulated > simulatedStart else { return realStart }
        let needed = Double(simulated.milliseconds - simulatedStart.milliseconds) / rate
        let candidate = Timestamp(milliseconds: realStart.milliseconds + Int64(needed.rounded(.up)))
        return min(candidate, catchUp)
    }

    /// The wall-clock instant the simulated clock catches up with the wall clock.
    public var catchUp: Timestamp {
        let gap = Double(realStart.milliseconds - simulatedStart.milliseconds)
        guard rate > 1 else { return realStart.adding(milliseconds: gap > 0 ? Int64.max / 4 : 0) }
        return realStart.adding(milliseconds: Int64((gap / (rate - 1)).rounded(.up)))
    }

    private enum CodingKeys: String, CodingKey {
        case simulatedStart, realStart, rate
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            simulatedStart: container.decode(Timestamp.self, forKey: .simulatedStart),
            realStart: container.decode(Timestamp.self, forKey: .realStart),
            rate: container.decode(Double.self, forKey: .rate))
    }
}
