import Entrustment
import Testing

@Suite struct AcceleratedClockTests {
    static let day: Int64 = 86_400_000
    static let real = Timestamp(milliseconds: 1_790_000_000_000)

    @Test func runsFastThenJoinsTheWallClock() throws {
        let clock = try AcceleratedClock(
            simulatedStart: Self.real.adding(milliseconds: -30 * Self.day), realStart: Self.real, rate: 86_400 / 4)
        // Before the start the simulation waits at its start.
        #expect(clock.instant(atReal: Self.real.adding(milliseconds: -5_000)) == clock.simulatedStart)
        // One real second is 6 simulated hours.
        #expect(
            clock.instant(atReal: Self.real.adding(milliseconds: 1_000))
                == clock.simulatedStart.adding(milliseconds: 21_600_000))
        // After catching up it is the wall clock.
        let later = clock.catchUp.adding(milliseconds: 10_000)
        #expect(clock.instant(atReal: later) == later)
        #expect(clock.instant(atReal: clock.catchUp) <= clock.catchUp)
    }

    @Test func neverGoesBackAndRealInstantInverts() throws {
        let clock = try AcceleratedClock(
            simulatedStart: Self.real.adding(milliseconds: -10 * Self.day), realStart: Self.real, rate: 10_000)
        var previous = Timestamp(milliseconds: 0)
        for step in stride(from: Int64(-1_000), through: 200_000, by: 997) {
            let now = clock.instant(atReal: Self.real.adding(milliseconds: step))
            #expect(now >= previous)
            previous = now
        }
        for offset in [Int64(0), 3_600_000, 5 * Self.day] {
            let target = clock.simulatedStart.adding(milliseconds: offset)
            #expect(clock.instant(atReal: clock.realInstant(reading: target)) >= target)
        }
    }

    @Test(arguments: [(0.5, 0), (Double.nan, 0), (20_000_000, 0), (10, 1_000)] as [(Double, Int64)])
    func refusesBadValues(rate: Double, startAfterReal: Int64) {
        #expect(throws: DomainError.self) {
            _ = try AcceleratedClock(
                simulatedStart: Self.real.adding(milliseconds: startAfterReal), realStart: Self.real, rate: rate)
        }
    }
}
