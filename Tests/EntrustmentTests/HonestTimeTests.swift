import Entrustment
import TestSupport
import Testing

/// The times that count (`docs/indicators.md`, honest time): an act counts at its recorded time
/// when the hub witnessed it within the grace, at the witnessed time otherwise (a late report,
/// unless accepted); the hub's downtime is not counted; 收到时间 is held to the hub's delivery.
@Suite("honest time: the times that count")
struct HonestTimeTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 24 * hour
    static let t0 = Fixtures.time("2026-11-02T09:00:00+08:00").milliseconds
    static let create = Fixtures.create(at: HybridTimestamp(wall: t0, counter: 0))
    static let sign = Fixtures.act(
        .sign(note: "", receivedAt: Timestamp(milliseconds: t0 + hour / 2)), by: "粤0106", after: [create],
        at: t0 + hour)
    static let complete = Fixtures.act(
        .complete(outcome: .full, feedback: "已冻结"), by: "粤0106", after: [sign], at: t0 + 2 * day)
    static let events = [create, sign, complete]
    static let hubKey = TestKeys.key(for: Fixtures.node("最高法.node"))

    static func stored(_ event: Event, at: Int64, downtime: Int64 = 0, grace: Int64 = day) -> Witness {
        try! Witness(
            kind: .stored, event: event.id, matter: event.matterID, court: nil, at: Timestamp(milliseconds: at),
            hubDowntimeMilliseconds: downtime, graceMilliseconds: grace
        ).signed(with: hubKey)
    }

    static func delivered(at: Int64, downtime: Int64 = 0) -> Witness {
        try! Witness(
            kind: .delivered, event: create.id, matter: create.matterID, court: Fixtures.code("粤0106"),
            at: Timestamp(milliseconds: at), hubDowntimeMilliseconds: downtime, graceMilliseconds: day
        ).signed(with: hubKey)
    }

    /// Prompt witnesses of the create and the sign, a minute after each.
    static let prompt = [stored(create, at: t0 + 60_000), stored(sign, at: t0 + hour + 60_000)]

    static func count(
        _ events: [Event] = events, witnesses: [Witness], accepted: [EventID: LateAcceptance] = [:]
    ) throws -> CountedTimes {
        var (matter, acts) = try #require(MatterFold.foldWithActs(events, directory: Fixtures.directory))
        acts.acceptedLate = accepted
        return HonestTime.count(matter, acts: acts, events: events, witnesses: witnesses, calendars: Fixtures.calendars)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var completeWitness: Witness?
        var countsAt: Int64
        var late: Bool
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "not witnessed here: counts as recorded", completeWitness: nil, countsAt: t0 + 2 * day, late: false),
        Case(
            name: "witnessed within the grace: counts as recorded",
            completeWitness: stored(complete, at: t0 + 2 * day + 23 * hour), countsAt: t0 + 2 * day, late: false),
        Case(
            name: "witnessed three days late: a late report, counts as witnessed",
            completeWitness: stored(complete, at: t0 + 5 * day), countsAt: t0 + 5 * day, late: true),
        Case(
            name: "three days, of which the hub was down 60 hours: 12 hours late, counts as recorded",
            completeWitness: stored(complete, at: t0 + 5 * day, downtime: 60 * hour), countsAt: t0 + 2 * day,
            late: false),
        Case(
            name: "a grace of one hour: two hours late is late",
            completeWitness: stored(complete, at: t0 + 2 * day + 2 * hour, grace: hour),
            countsAt: t0 + 2 * day + 2 * hour, late: true),
        Case(
            name: "dated after the hub stored it: counts as witnessed",
            completeWitness: stored(complete, at: t0 + 2 * day - 10 * 60_000), countsAt: t0 + 2 * day - 10 * 60_000,
            late: false),
    ]

    @Test("a completion counts at its recorded or its witnessed time", arguments: cases)
    func completion(_ c: Case) throws {
        let counted = try Self.count(witnesses: Self.prompt + [c.completeWitness].compactMap { $0 })
        #expect(counted.completedAt == Timestamp(milliseconds: c.countsAt))
        #expect(counted.lateReports.map(\.event) == (c.late ? [Self.complete.id] : []))
        #expect(counted.sentAt == Self.create.recordedAt && counted.signedAt == Self.sign.recordedAt)
    }

    @Test("hub staff's acceptance makes a late report count at its recorded time; it stays listed as accepted")
    func accepted() throws {
        let acceptance = LateAcceptance(
            event: Self.complete.id, at: Timestamp(milliseconds: Self.t0 + 6 * Self.day), note: "离线介质，已核实")
        let counted = try Self.count(
            witnesses: Self.prompt + [Self.stored(Self.complete, at: Self.t0 + 5 * Self.day)],
            accepted: [Self.complete.id: acceptance])
        #expect(counted.completedAt == Self.complete.recordedAt)
        #expect(counted.lateReports.count == 1 && counted.lateReports[0].acceptance == acceptance)
        #expect(counted.lateReports[0].countsAt == Self.complete.recordedAt)
        #expect(counted.lateReports[0].delayMilliseconds == 3 * Self.day)
    }

    @Test("a late create moves the sending and the deadlines to the witnessed day; no act counts before it")
    func lateCreate() throws {
        let witnessedSending = Self.t0 + 10 * Self.day
        let counted = try Self.count(witnesses: [Self.stored(Self.create, at: witnessedSending)])
        #expect(counted.sentAt == Timestamp(milliseconds: witnessedSending))
        #expect(counted.signedAt == Timestamp(milliseconds: witnessedSending))
        #expect(counted.completedAt == Timestamp(milliseconds: witnessedSending))
        let expected = Fixtures.deadlines(sentAt: Timestamp(milliseconds: witnessedSending))
        #expect(counted.deadlines.due == expected.due && counted.deadlines.signDue == expected.signDue)
        #expect(counted.deadlines.due != Self.create.matterRequest.due)
    }

    struct Arrival: Sendable, CustomTestStringConvertible {
        var name: String
        var deliveredAfter: Int64
        var downtime: Int64
        var reportedAfter: Int64
        var countsAfter: Int64
        var testDescription: String { name }
    }

    static let arrivals: [Arrival] = [
        Arrival(
            name: "reported half an hour after the delivery", deliveredAfter: hour, downtime: 0,
            reportedAfter: 3 * hour / 2, countsAfter: 3 * hour / 2),
        Arrival(
            name: "reported 20 hours after it", deliveredAfter: hour, downtime: 0, reportedAfter: 21 * hour,
            countsAfter: 21 * hour),
        Arrival(
            name: "reported 30 hours after it (shaving the clock)", deliveredAfter: hour, downtime: 0,
            reportedAfter: 31 * hour, countsAfter: hour),
        Arrival(
            name: "reported 39 hours before it (came by a peer link)", deliveredAfter: 40 * hour, downtime: 0,
            reportedAfter: hour, countsAfter: 40 * hour),
        Arrival(
            name: "39 hours before it, 20 of them with the hub down", deliveredAfter: 40 * hour,
            downtime: 20 * hour, reportedAfter: hour, countsAfter: hour),
    ]

    @Test("收到时间 counts as reported within the grace of the hub's delivery, else at the delivery", arguments: arrivals)
    func received(_ a: Arrival) throws {
        let sign = Fixtures.act(
            .sign(note: "", receivedAt: Timestamp(milliseconds: Self.t0 + a.reportedAfter)), by: "粤0106",
            after: [Self.create], at: Self.t0 + 50 * Self.hour)
        let counted = try Self.count(
            [Self.create, sign],
            witnesses: [Self.delivered(at: Self.t0 + a.deliveredAfter, downtime: a.downtime)])
        #expect(counted.receivedAt == Timestamp(milliseconds: Self.t0 + a.countsAfter))
    }

    @Test("a court that reports its arrival long after the hub delivered it counts from the delivery")
    func shavedArrival() throws {
        // Delivered at t0 + 1 min; the court reports the matter reached it 3 days later and
        // completes an hour after that, claiming 1 hour of work.
        let late = Fixtures.act(
            .sign(note: "", receivedAt: Timestamp(milliseconds: Self.t0 + 3 * Self.day)), by: "粤0106",
            after: [Self.create], at: Self.t0 + 3 * Self.day + 60_000)
        let done = Fixtures.act(
            .complete(outcome: .full, feedback: ""), by: "粤0106", after: [late], at: Self.t0 + 3 * Self.day + Self.hour)
        let counted = try Self.count(
            [Self.create, late, done],
            witnesses: [Self.stored(Self.create, at: Self.t0), Self.delivered(at: Self.t0 + 60_000)])
        #expect(counted.receivedAt == Timestamp(milliseconds: Self.t0 + 60_000))
        let timing = MatterTiming(
            try #require(MatterFold.fold([Self.create, late, done], directory: Fixtures.directory)), counted: counted)
        #expect(try #require(timing.completionDays) > 3)
    }

    @Test(
        "no span is ever negative, whatever the witnesses say", arguments: try TestSeed.table([1, 2, 3, 4, 5, 6, 7, 8]))
    func neverNegative(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let events = RandomHistory.events(seed: seed, steps: 30)
        for _ in 0..<20 {
            let witnesses =
                events.compactMap { event -> Witness? in
                    guard Bool.random(using: &random) else { return nil }
                    let delay = Int64.random(in: -Self.hour...(5 * Self.day), using: &random)
                    return Self.stored(
                        event, at: event.recordedAt.milliseconds + delay,
                        downtime: Int64.random(in: 0...(2 * Self.day), using: &random))
                } + [
                    Self.delivered(
                        at: Self.create.recordedAt.milliseconds + Int64.random(in: 0...(3 * Self.day), using: &random))
                ]
            let (matter, acts) = try #require(MatterFold.foldWithActs(events, directory: Fixtures.directory))
            let counted = HonestTime.count(
                matter, acts: acts, events: events, witnesses: witnesses, calendars: Fixtures.calendars)
            let timing = MatterTiming(matter, counted: counted)
            for span in [timing.signLagDays, timing.completionDays, timing.completionDaysFromSent].compactMap({ $0 }) {
                #expect(span >= 0, "seed \(seed)")
            }
            if let received = timing.receivedAt { #expect(received >= timing.sentAt, "seed \(seed)") }
            for act in [timing.signedAt, timing.completedAt, timing.returnedAt, timing.withdrawnAt].compactMap({ $0 }) {
                #expect(act >= timing.sentAt, "seed \(seed)")
            }
        }
    }
}

extension Event {
    /// The request of a `create`.
    fileprivate var matterRequest: MatterRequest {
        guard case .create(let request) = action else { preconditionFailure("not a create") }
        return request
    }
}
