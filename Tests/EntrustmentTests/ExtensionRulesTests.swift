import Entrustment
import TestSupport
import Testing

/// 延期: who may ask and decide (a table), what admission refuses, how the fold settles concurrent
/// requests and decisions, and how an approved extension moves the extended deadline (never the
/// original one) with art. 85's roll-over, judged by the hub's witness of the request.
@Suite("extensions (延期), domain")
struct ExtensionRulesTests {
    static let hour: Int64 = 3_600_000
    static let day: Int64 = 24 * hour
    /// Monday 2026-11-02 09:00: a deposit freeze sent then is due Wednesday 2026-12-02.
    static let t0 = Fixtures.time("2026-11-02T09:00:00+08:00").milliseconds
    static let create = Fixtures.create(at: HybridTimestamp(wall: t0, counter: 0))
    static let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: t0 + hour)
    static let due = Fixtures.date("2026-12-02")

    static func check(_ event: Event, _ history: [Event], calendars: CalendarVersions = Fixtures.calendars)
        throws(DomainError)
    {
        try Admission.check(event, history: history, directory: Fixtures.directory, calendars: calendars)
    }

    static func request(
        days: Int, after parents: [Event], at wall: Int64, node: String? = nil, reason: String = "拍卖程序尚未完成"
    ) -> Event {
        Fixtures.act(.requestExtension(days: days, reason: reason), by: "粤0106", after: parents, at: wall, node: node)
    }

    static func decide(
        _ verdict: ExtensionVerdict, on request: Event, by court: String, after parents: [Event], at wall: Int64
    ) -> Event {
        Fixtures.act(
            .decideExtension(request: request.id, verdict: verdict, note: "同意"), by: court, after: parents, at: wall)
    }

    /// The extended deadline the honest-time rules count for `events`, with `witnesses`.
    static func extendedDue(_ events: [Event], witnesses: [Witness] = []) throws -> CivilDate? {
        let (matter, acts) = try #require(MatterFold.foldWithActs(events, directory: Fixtures.directory))
        return HonestTime.count(
            matter, acts: acts, events: events, witnesses: witnesses, calendars: Fixtures.calendars
        ).deadlines.extendedDue
    }

    // MARK: Who may ask and decide

    /// court → (may ask for more time, may decide), for a matter 京0105 → 粤0106. 京03 is a
    /// superior of the entrusting court only; 粤01 and 粤 are superiors of the entrusted court.
    static let whoTable: [(String, Bool, Bool)] = [
        ("京0105", false, true),
        ("粤0106", true, false),
        ("粤01", false, true),
        ("粤", false, true),
        ("最高法", false, true),
        ("京03", false, false),
        ("京", false, false),
        ("京02", false, false),
        ("粤0104", false, false),
    ]

    @Test("who may ask for more time and who may decide", arguments: whoTable)
    func who(court: String, mayRequest: Bool, mayDecide: Bool) throws {
        let asked = Fixtures.act(
            .requestExtension(days: 10, reason: "第三人异议待听证"), by: court, after: [Self.sign], at: Self.t0 + Self.day)
        #expect(((try? Self.check(asked, [Self.create, Self.sign])) != nil) == mayRequest, "request by \(court)")
        let request = Self.request(days: 10, after: [Self.sign], at: Self.t0 + Self.day)
        let decision = Self.decide(.approve, on: request, by: court, after: [request], at: Self.t0 + 2 * Self.day)
        let history = [Self.create, Self.sign, request]
        #expect(((try? Self.check(decision, history)) != nil) == mayDecide, "decision by \(court)")
        // The fold ignores a decision its author may not make, whatever reaches it.
        let folded = try #require(MatterFold.fold(history + [decision], directory: Fixtures.directory))
        #expect((folded.extensions.first?.status == .approved) == mayDecide)
    }

    // MARK: Admission

    @Test("admission: signed first, a reason, the days allowed, one open request, before the deadline")
    func admission() throws {
        let signed = [Self.create, Self.sign]
        try Self.check(Self.request(days: 30, after: [Self.sign], at: Self.t0 + Self.day), signed)
        let refusals: [(String, Event, [Event], String)] = [
            (
                "before signing", Self.request(days: 5, after: [Self.create], at: Self.t0 + Self.hour / 2),
                [Self.create], "cannot requestExtension"
            ),
            (
                "without a reason", Self.request(days: 5, after: [Self.sign], at: Self.t0 + Self.day, reason: " \n"),
                signed, "must give its reason"
            ),
            (
                "over the days allowed", Self.request(days: 31, after: [Self.sign], at: Self.t0 + Self.day), signed,
                "allow 30"
            ),
            (
                "after the deadline passed",
                Self.request(days: 5, after: [Self.sign], at: DeadlinePolicy.end(of: Self.due).milliseconds), signed,
                "passed before the request"
            ),
        ]
        for (name, event, history, message) in refusals {
            #expect(throws: DomainError.self, "\(name)") { try Self.check(event, history) }
            do { try Self.check(event, history) } catch {
                #expect(error.message.contains(message), "\(name): \(error.message)")
            }
        }
        // The last millisecond of the deadline is still before it.
        let lastMoment = DeadlinePolicy.end(of: Self.due).milliseconds - 1
        try Self.check(Self.request(days: 5, after: [Self.sign], at: lastMoment), signed)
    }

    @Test("one open request; after a refusal another may be asked; after an approval the limit holds")
    func sequence() throws {
        let first = Self.request(days: 10, after: [Self.sign], at: Self.t0 + Self.day)
        let history = [Self.create, Self.sign, first]
        let second = Self.request(days: 5, after: [first], at: Self.t0 + 2 * Self.day)
        #expect { try Self.check(second, history) } throws: {
            ($0 as? DomainError)?.message.contains("waiting for a decision") == true
        }
        let refused = Self.decide(.refuse, on: first, by: "京0105", after: [first], at: Self.t0 + 2 * Self.day)
        let again = Self.request(days: 5, after: [refused], at: Self.t0 + 3 * Self.day)
        try Self.check(again, history + [refused])
        let approved = Self.decide(.approve, on: again, by: "京0105", after: [again], at: Self.t0 + 4 * Self.day)
        let third = Self.request(days: 5, after: [approved], at: Self.t0 + 5 * Self.day)
        #expect { try Self.check(third, history + [refused, again, approved]) } throws: {
            ($0 as? DomainError)?.message.contains("the most the hub's rules allow (1)") == true
        }
        let twice = Self.decide(.refuse, on: again, by: "最高法", after: [approved], at: Self.t0 + 5 * Self.day)
        #expect { try Self.check(twice, history + [refused, again, approved]) } throws: {
            ($0 as? DomainError)?.message.contains("no request for more time") == true
        }
        // The hub's rules may allow more: two extensions, 40 days together.
        let wider = try Fixtures.referenceCalendar.withExtensionLimits(
            maxExtensions: 2, maxDays: 40, issuedAt: Fixtures.time("2026-11-01T10:00:00+08:00"))
        let calendars = try CalendarVersions(wider)
        // The matter names version 1, whose rules still allow one: the new limits are for matters sent under version 2.
        #expect(throws: DomainError.self) {
            try Self.check(third, history + [refused, again, approved], calendars: calendars)
        }
        #expect(wider.rules(at: 2).deadlines.extensionLimit == 2)
    }

    // MARK: The fold and the deadline

    @Test("an approval moves the extended deadline by the days asked, rolled past a weekend; the original stays")
    func approvedMovesDeadline() throws {
        let request = Self.request(days: 10, after: [Self.sign], at: Self.t0 + 10 * Self.day)
        let approve = Self.decide(.approve, on: request, by: "京0105", after: [request], at: Self.t0 + 11 * Self.day)
        let events = [Self.create, Self.sign, request, approve]
        let matter = try #require(MatterFold.fold(events, directory: Fixtures.directory))
        #expect(matter.extensions.map(\.status) == [.approved])
        #expect(matter.pendingExtension == nil)
        // 12-02 + 10 days = Saturday 12-12 → Monday 12-14 (art. 85).
        #expect(try Self.extendedDue(events) == Fixtures.date("2026-12-14"))
        let (folded, acts) = try #require(MatterFold.foldWithActs(events, directory: Fixtures.directory))
        let counted = HonestTime.count(
            folded, acts: acts, events: events, witnesses: [], calendars: Fixtures.calendars)
        #expect(counted.deadlines.due == Self.due)
        // Pending or refused: no extended deadline.
        #expect(try Self.extendedDue([Self.create, Self.sign, request]) == nil)
        let refuse = Self.decide(.refuse, on: request, by: "粤01", after: [request], at: Self.t0 + 11 * Self.day)
        #expect(try Self.extendedDue([Self.create, Self.sign, request, refuse]) == nil)
    }

    @Test("completed between the two deadlines: late against the original, on time against the extended")
    func twoVariants() throws {
        let request = Self.request(days: 10, after: [Self.sign], at: Self.t0 + 10 * Self.day)
        let approve = Self.decide(.approve, on: request, by: "最高法", after: [request], at: Self.t0 + 11 * Self.day)
        let complete = Fixtures.act(
            .complete(outcome: .full, feedback: "已拍卖"), by: "粤0106", after: [approve],
            at: Fixtures.time("2026-12-10T10:00:00+08:00").milliseconds)
        let events = [Self.create, Self.sign, request, approve, complete]
        let (matter, acts) = try #require(MatterFold.foldWithActs(events, directory: Fixtures.directory))
        let counted = HonestTime.count(matter, acts: acts, events: events, witnesses: [], calendars: Fixtures.calendars)
        #expect(counted.onTime == false)
        #expect(counted.onTimeExtended == true)
        let timing = MatterTiming(matter, counted: counted)
        #expect(timing.onTime == false && timing.onTimeExtended == true)
    }

    @Test("concurrent decisions: a refusal stands against an approval, in any order; the same verdicts: the earlier")
    func concurrentDecisions() throws {
        let request = Self.request(days: 10, after: [Self.sign], at: Self.t0 + Self.day)
        let approve = Self.decide(.approve, on: request, by: "京0105", after: [request], at: Self.t0 + 2 * Self.day)
        let refuse = Self.decide(.refuse, on: request, by: "最高法", after: [request], at: Self.t0 + 3 * Self.day)
        for order in [[approve, refuse], [refuse, approve]] {
            let matter = try #require(
                MatterFold.fold([Self.create, Self.sign, request] + order, directory: Fixtures.directory))
            #expect(matter.extensions.first?.decision?.event == refuse.id)
            #expect(matter.conflicts.map(\.rule) == [.refusalOverApproval])
            #expect(matter.conflicts.first?.id == approve.id)
        }
        let approveLater = Self.decide(.approve, on: request, by: "粤", after: [request], at: Self.t0 + 4 * Self.day)
        let matter = try #require(
            MatterFold.fold([Self.create, Self.sign, request, approveLater, approve], directory: Fixtures.directory))
        #expect(matter.extensions.first?.decision?.event == approve.id)
        #expect(matter.conflicts.map(\.rule) == [.earlierDuplicate])
    }

    @Test("concurrent requests from two nodes of the entrusted court: the earlier stands, the other's decision is void")
    func concurrentRequests() throws {
        let a = Self.request(days: 10, after: [Self.sign], at: Self.t0 + Self.day, node: "粤0106.a")
        let b = Self.request(days: 20, after: [Self.sign], at: Self.t0 + Self.day + 5, node: "粤0106.b")
        let onB = Self.decide(.approve, on: b, by: "京0105", after: [b], at: Self.t0 + 2 * Self.day)
        let matter = try #require(
            MatterFold.fold([Self.create, Self.sign, b, onB, a], directory: Fixtures.directory))
        #expect(matter.extensions.map(\.event) == [a.id])
        #expect(matter.pendingExtension?.event == a.id)
        #expect(matter.conflicts.map(\.rule) == [.earlierExtensionRequest])
        #expect(matter.conflicts.first?.id == b.id)
    }

    @Test("a request the hub first stored after the deadline, past the grace, does not extend it")
    func backdatedRequest() throws {
        let hubKey = TestKeys.key(for: Fixtures.node("最高法.node"))
        // Recorded on 12-01 (before the 12-02 deadline) but first stored at the hub on 12-05.
        let request = Self.request(
            days: 10, after: [Self.sign], at: Fixtures.time("2026-12-01T10:00:00+08:00").milliseconds)
        let approve = Self.decide(
            .approve, on: request, by: "京0105", after: [request],
            at: Fixtures.time("2026-12-05T11:00:00+08:00").milliseconds)
        let events = [Self.create, Self.sign, request, approve]
        func stored(at text: String) -> Witness {
            try! Witness(
                kind: .stored, event: request.id, matter: request.matterID, court: nil, at: Fixtures.time(text),
                hubDowntimeMilliseconds: 0, graceMilliseconds: Self.day
            ).signed(with: hubKey)
        }
        #expect(try Self.extendedDue(events, witnesses: [stored(at: "2026-12-01T10:00:05+08:00")]) != nil)
        #expect(try Self.extendedDue(events, witnesses: [stored(at: "2026-12-05T10:00:00+08:00")]) == nil)
    }

    // MARK: Encoding and convergence

    @Test("the two events encode and decode; malformed payloads are refused")
    func encoding() throws {
        let request = Self.request(days: 30, after: [Self.sign], at: Self.t0 + Self.day)
        let decision = Self.decide(.refuse, on: request, by: "京0105", after: [request], at: Self.t0 + 2 * Self.day)
        for event in [request, decision] {
            #expect(try Event(decoding: event.encoded) == event)
        }
        // days is the first payload byte after the tag; 0 is refused.
        var zeroDays = request.encoded
        let tag = try #require(zeroDays.lastIndex(of: 15))
        #expect(zeroDays[tag + 1] == 30)
        zeroDays[tag + 1] = 0
        #expect(throws: DomainError.self) { try Event(decoding: zeroDays) }
        var badVerdict = decision.encoded
        let verdictAt = try #require(badVerdict.firstIndex(of: 16)) + 1 + 32
        #expect(badVerdict[verdictAt] == 2)
        badVerdict[verdictAt] = 3
        #expect(throws: DomainError.self) { try Event(decoding: badVerdict) }
        #expect(throws: DomainError.self) {
            try Event(
                matterID: request.matterID, author: request.author, origin: request.origin,
                timestamp: request.timestamp, parents: request.parents,
                action: .requestExtension(days: 367, reason: "过长"))
        }
    }

    @Test("histories with extensions converge whatever the arrival order", arguments: try TestSeed.table(0..<12))
    func convergence(seed: UInt64) throws {
        let events = RandomHistory.events(seed: 1300 &+ seed, steps: 80, extensions: true)
        let reference = MatterFold.fold(events, directory: Fixtures.directory)
        for shuffle in 0..<4 {
            let order = RandomHistory.causalShuffle(events, seed: seed &* 10 &+ UInt64(shuffle))
            #expect(MatterFold.fold(order, directory: Fixtures.directory) == reference)
        }
    }

    @Test("random histories do ask for and decide extensions")
    func randomHistoriesExercise() {
        let kinds = (0..<12).flatMap { RandomHistory.events(seed: 1300 + $0, steps: 80, extensions: true).map(\.kind) }
        #expect(kinds.contains(.requestExtension))
        #expect(kinds.contains(.decideExtension))
    }
}
