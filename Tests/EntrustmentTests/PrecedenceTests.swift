import Entrustment
import TestSupport
import Testing

/// The precedence table of `docs/conflicts.md`, cell by cell. Each cell is a small history with
/// two concurrent branches; it is folded with the branches' clocks one way round and the other
/// (so that no cell is decided by which clock ran ahead), and in every order of delivery.
@Suite("Precedence of concurrent acts")
struct PrecedenceTests {
    /// One cell: a history built on a `create`, with the two concurrent branches' clocks at
    /// `first` and `second`; what the matter must end as; and the conflicts it must record, as
    /// (rule, the superseded event's name, the winning event's name).
    struct Cell: CustomTestStringConvertible, Sendable {
        let name: String
        let build: @Sendable (_ create: Event, _ first: Int64, _ second: Int64) -> [String: Event]
        let state: MatterState
        let conflicts: [(ConflictRule, String, String)]
        var testDescription: String { name }
    }

    static let t = Fixtures.create().timestamp.wall
    static func sign(_ parents: [Event], _ at: Int64, node: String = "粤0106.a") -> Event {
        Fixtures.act(.sign(note: ""), by: "粤0106", after: parents, at: at, node: node)
    }
    static func start(_ parents: [Event], _ at: Int64, node: String = "粤0106.a") -> Event {
        Fixtures.act(.start(note: ""), by: "粤0106", after: parents, at: at, node: node)
    }
    static func complete(_ parents: [Event], _ at: Int64, _ outcome: Outcome = .full, node: String = "粤0106.a")
        -> Event
    {
        Fixtures.act(.complete(outcome: outcome, feedback: "办结"), by: "粤0106", after: parents, at: at, node: node)
    }
    static func giveBack(_ parents: [Event], _ at: Int64, node: String = "粤0106.b") -> Event {
        Fixtures.act(.return(reason: .assetNotFound, feedback: "退回"), by: "粤0106", after: parents, at: at, node: node)
    }
    static func withdraw(_ parents: [Event], _ at: Int64, node: String = "京0105.a") -> Event {
        Fixtures.act(.withdraw(note: "撤回"), by: "京0105", after: parents, at: at, node: node)
    }
    static func edit(_ court: String, _ field: DescriptiveField, _ value: String, _ parents: [Event], _ at: Int64)
        -> Event
    {
        Fixtures.act(.edit(field: field, value: value), by: court, after: parents, at: at)
    }

    static let cells: [Cell] = [
        Cell(
            name: "withdraw ∥ sign: the sign stands",
            build: { c, a, b in ["W": withdraw([c], a), "S": sign([c], b)] },
            state: .signed, conflicts: [(.signOverWithdraw, "W", "S")]),
        Cell(
            name: "withdraw ∥ start: the start stands",
            build: { c, a, b in
                let s = sign([c], b)
                return ["W": withdraw([c], a), "S": s, "St": start([s], b + 10)]
            },
            state: .inProgress, conflicts: [(.startOverWithdraw, "W", "St")]),
        Cell(
            name: "withdraw ∥ complete: the completion stands",
            build: { c, a, b in
                let s = sign([c], b)
                return ["W": withdraw([c], a), "S": s, "C": complete([s], b + 10)]
            },
            state: .completed, conflicts: [(.completeOverWithdraw, "W", "C")]),
        Cell(
            name: "withdraw ∥ return: the return stands",
            build: { c, a, b in ["W": withdraw([c], a), "R": giveBack([c], b)] },
            state: .returned, conflicts: [(.returnOverWithdraw, "W", "R")]),
        Cell(
            name: "withdraw after seeing the sign: no conflict",
            build: { c, a, b in
                let s = sign([c], min(a, b))
                return ["S": s, "W": withdraw([s], max(a, b) + 10)]
            },
            state: .withdrawn, conflicts: []),
        Cell(
            name: "return ∥ complete: the completion stands",
            build: { c, a, b in
                let s = sign([c], t + 1)
                return ["S": s, "R": giveBack([s], a), "C": complete([s], b)]
            },
            state: .completed, conflicts: [(.completeOverReturn, "R", "C")]),
        Cell(
            name: "return ∥ start: the return stands",
            build: { c, a, b in
                let s = sign([c], t + 1)
                return ["S": s, "R": giveBack([s], a), "St": start([s], b)]
            },
            state: .returned, conflicts: [(.returnOverStart, "St", "R")]),
        Cell(
            name: "complete ∥ complete, different outcomes: the fuller outcome stands",
            build: { c, a, b in
                let s = sign([c], t + 1)
                return ["S": s, "Cp": complete([s], a, .partial), "Cf": complete([s], b, .full, node: "粤0106.b")]
            },
            state: .completed, conflicts: [(.strongerCompletion, "Cp", "Cf")]),
        Cell(
            name: "complete ∥ complete, same outcome: the earlier stands",
            build: { c, a, b in
                let s = sign([c], t + 1)
                return ["S": s, "C1": complete([s], min(a, b)), "C2": complete([s], max(a, b), node: "粤0106.b")]
            },
            state: .completed, conflicts: [(.strongerCompletion, "C2", "C1")]),
        Cell(
            name: "sign ∥ sign: the earlier stands",
            build: { c, a, b in ["S1": sign([c], min(a, b)), "S2": sign([c], max(a, b), node: "粤0106.b")] },
            state: .signed, conflicts: [(.earlierDuplicate, "S2", "S1")]),
        Cell(
            name: "withdraw ∥ withdraw: the earlier stands",
            build: { c, a, b in
                ["W1": withdraw([c], min(a, b)), "W2": withdraw([c], max(a, b), node: "京0105.b")]
            },
            state: .withdrawn, conflicts: [(.earlierDuplicate, "W2", "W1")]),
        Cell(
            name: "sign ∥ return: both stand (signed, then returned)",
            build: { c, a, b in ["S": sign([c], a), "R": giveBack([c], b)] },
            state: .returned, conflicts: []),
        Cell(
            name: "urge ∥ complete: the urge is counted, no conflict",
            build: { c, a, b in
                let s = sign([c], t + 1)
                return [
                    "S": s, "U": Fixtures.act(.urge(note: "催"), by: "京0105", after: [c], at: a),
                    "C": complete([s], b),
                ]
            },
            state: .completed, conflicts: []),
        Cell(
            name: "supervise ∥ withdraw: supervision is recorded, no conflict",
            build: { c, a, b in
                ["V": Fixtures.act(.supervise(note: ""), by: "最高法", after: [c], at: a), "W": withdraw([c], b)]
            },
            state: .withdrawn, conflicts: []),
        Cell(
            name: "edit ∥ edit of one field: the later write stands",
            build: { c, a, b in
                ["E1": edit("京0105", .note, "甲", [c], min(a, b)), "E2": edit("粤0106", .note, "乙", [c], max(a, b))]
            },
            state: .sent, conflicts: [(.lastWriterWins, "E1", "E2")]),
        Cell(
            name: "edit ∥ edit with the same value: no conflict",
            build: { c, a, b in
                [
                    "E1": edit("京0105", .contactPhone, "12345", [c], a),
                    "E2": edit("粤0106", .contactPhone, "12345", [c], b),
                ]
            },
            state: .sent, conflicts: []),
        Cell(
            name: "edit ∥ edit of different fields: no conflict",
            build: { c, a, b in
                [
                    "E1": edit("京0105", .contactPerson, "张三", [c], a),
                    "E2": edit("粤0106", .contactPhone, "12345", [c], b),
                ]
            },
            state: .sent, conflicts: []),
    ]

    @Test("each cell of the table, whichever branch's clock is ahead", arguments: cells, [false, true])
    func cell(_ cell: Cell, swapClocks: Bool) throws {
        let create = Fixtures.create()
        let (first, second) = swapClocks ? (Self.t + 2_000, Self.t + 1_000) : (Self.t + 1_000, Self.t + 2_000)
        let named = cell.build(create, first, second)
        let events = [create] + named.values
        let matter = try #require(MatterFold.fold(events, directory: Fixtures.directory))
        #expect(matter.state == cell.state)
        let expected = cell.conflicts.map { rule, loser, winner in "\(rule) \(named[loser]!.id) \(named[winner]!.id)" }
        let found = matter.conflicts.map { "\($0.rule) \($0.superseded.id) \($0.winner.id)" }
        #expect(found.sorted() == expected.sorted())
        #expect(matter.conflicts.allSatisfy { $0.status == .open })
        var rng = SeededGenerator(seed: 7)
        for _ in 0..<6 {
            #expect(MatterFold.fold(events.shuffled(using: &rng), directory: Fixtures.directory) == matter)
        }
    }

    @Test("the register holds the last write by (HLC, origin node), and edits never change the state")
    func lastWriterWins() throws {
        let c = Fixtures.create()
        let early = Self.edit("京0105", .contactPerson, "张三", [c], Self.t + 1_000)
        let late = Self.edit("粤0106", .contactPerson, "李四", [c], Self.t + 2_000)
        let cleared = Self.edit("京0105", .contactPerson, "", [early, late], Self.t + 3_000)
        let m1 = try #require(MatterFold.fold([c, early, late], directory: Fixtures.directory))
        #expect(m1.contactPerson == "李四")
        let m2 = try #require(MatterFold.fold([c, early, late, cleared], directory: Fixtures.directory))
        #expect(m2.contactPerson == nil)
        // Two concurrent writes are a conflict until someone writes the field having seen both.
        #expect(m1.conflicts.map(\.superseded.id) == [early.id])
        #expect(m2.conflicts.isEmpty)
        #expect(m2.state == .sent)
        // Same clock reading: the origin node decides.
        let a = Fixtures.act(.edit(field: .note, value: "甲"), by: "京0105", after: [c], at: Self.t + 5_000, node: "a")
        let b = Fixtures.act(.edit(field: .note, value: "乙"), by: "粤0106", after: [c], at: Self.t + 5_000, node: "b")
        #expect(MatterFold.fold([c, b, a], directory: Fixtures.directory)?.note == "乙")
    }

    @Test("the note starts as the one sent with the matter")
    func noteStartsFromRequest() throws {
        let c = Fixtures.create()
        guard case .create(var request) = c.action else {
            Issue.record("the fixture is not a create event")
            return
        }
        request.note = "原始备注"
        let sent = try Event(
            matterID: c.matterID, author: c.author, origin: c.origin, timestamp: c.timestamp, parents: [],
            action: .create(request))
        #expect(MatterFold.fold([sent], directory: Fixtures.directory)?.note == "原始备注")
    }
}

@Suite("Acknowledging conflicts")
struct AcknowledgementTests {
    static let create = Fixtures.create()
    static let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_000_100_000)
    static let complete = Fixtures.act(
        .complete(outcome: .full, feedback: ""), by: "粤0106", after: [sign], at: 1_795_000_200_000)
    static let withdraw = Fixtures.act(.withdraw(note: ""), by: "京0105", after: [create], at: 1_795_000_150_000)
    static let history = [create, sign, complete, withdraw]

    static func ack(by court: String, after parents: [Event], at: Int64 = 1_795_000_300_000, conflict: EventID? = nil)
        -> Event
    {
        Fixtures.act(.acknowledge(conflict: conflict ?? withdraw.id, note: "已核实"), by: court, after: parents, at: at)
    }

    @Test(
        "a party or the hub may acknowledge; a superior or an outsider may not",
        arguments: [
            ("京0105", true), ("粤0106", true), ("最高法", true), ("京03", false), ("粤01", false), ("京0101", false),
        ])
    func who(court: String, allowed: Bool) {
        let event = Self.ack(by: court, after: [Self.complete, Self.withdraw])
        do {
            try Admission.check(
                event, history: Self.history, directory: Fixtures.directory, calendars: Fixtures.calendars)
            #expect(allowed)
        } catch {
            #expect(!allowed)
            #expect(error.code == .forbiddenRole)
        }
    }

    @Test("an acknowledgement closes the conflict on every replica that folds it")
    func acknowledged() throws {
        let ack = Self.ack(by: "粤0106", after: [Self.complete, Self.withdraw])
        try Admission.check(ack, history: Self.history, directory: Fixtures.directory, calendars: Fixtures.calendars)
        let matter = try #require(MatterFold.fold(Self.history + [ack], directory: Fixtures.directory))
        #expect(matter.conflicts.count == 1)
        #expect(matter.conflicts[0].status == .acknowledged)
        #expect(matter.conflicts[0].acknowledgement?.court == Fixtures.code("粤0106"))
        #expect(matter.openConflicts.isEmpty)
    }

    @Test("an acknowledgement must name a conflict its author could see, still open")
    func mustNameOpenConflict() throws {
        // Made before the withdrawal had arrived: no conflict in its causal past.
        let blind = Self.ack(by: "粤0106", after: [Self.complete])
        #expect(throws: DomainError.self) {
            try Admission.check(
                blind, history: Self.history, directory: Fixtures.directory, calendars: Fixtures.calendars)
        }
        let unknown = Self.ack(by: "粤0106", after: [Self.complete, Self.withdraw], conflict: Self.sign.id)
        #expect(throws: DomainError.self) {
            try Admission.check(
                unknown, history: Self.history, directory: Fixtures.directory, calendars: Fixtures.calendars)
        }
        let first = Self.ack(by: "粤0106", after: [Self.complete, Self.withdraw])
        let second = Self.ack(by: "京0105", after: [first], at: 1_795_000_400_000)
        #expect(throws: DomainError.self) {
            try Admission.check(
                second, history: Self.history + [first], directory: Fixtures.directory, calendars: Fixtures.calendars)
        }
    }

    @Test("two concurrent acknowledgements: the earlier is the one shown, whatever the order")
    func concurrentAcknowledgements() throws {
        let a = Self.ack(by: "粤0106", after: [Self.complete, Self.withdraw], at: 1_795_000_300_000)
        let b = Self.ack(by: "京0105", after: [Self.complete, Self.withdraw], at: 1_795_000_300_500)
        let one = try #require(MatterFold.fold(Self.history + [b, a], directory: Fixtures.directory))
        let other = try #require(MatterFold.fold([a] + Self.history + [b], directory: Fixtures.directory))
        #expect(one == other)
        #expect(one.conflicts.map(\.acknowledgement?.event) == [a.id])
    }
}

@Suite("Causal admission")
struct CausalAdmissionTests {
    @Test(
        "an act is judged against the matter as its author saw it",
        arguments: [
            // (what was seen before, the act, legal?)
            ("sent", EventKind.sign, true), ("signed", .sign, false), ("sent", .complete, false),
            ("signed", .complete, true), ("completed", .withdraw, false), ("signed", .withdraw, true),
            ("completed", .close, true), ("sent", .close, false), ("completed", .urge, false),
            ("completed", .edit, true),
        ])
    func judgedOnCausalPast(seen: String, kind: EventKind, legal: Bool) {
        let c = Fixtures.create()
        let s = Fixtures.act(.sign(note: ""), by: "粤0106", after: [c], at: 1_795_000_100_000)
        let done = Fixtures.act(.complete(outcome: .full, feedback: ""), by: "粤0106", after: [s], at: 1_795_000_200_000)
        let history = [c, s, done]
        let parents: [Event] = ["sent": [c], "signed": [s], "completed": [done]][seen]!
        let author = [.sign, .complete].contains(kind) ? "粤0106" : "京0105"
        let action: EventAction =
            switch kind {
            case .sign: .sign(note: "")
            case .complete: .complete(outcome: .full, feedback: "")
            case .withdraw: .withdraw(note: "")
            case .close: .close(note: "")
            case .urge: .urge(note: "")
            default: .edit(field: .note, value: "备注")
            }
        let event = Fixtures.act(action, by: author, after: parents, at: 1_795_000_300_000)
        let admitted =
            (try? Admission.check(event, history: history, directory: Fixtures.directory, calendars: Fixtures.calendars))
            != nil
        #expect(admitted == legal)
    }

    @Test("random histories reach every kind of conflict (the property tests exercise the table)")
    func generatorCoverage() {
        var rules: Set<ConflictRule> = []
        var acknowledged = 0
        for seed in UInt64(1)...400 {
            let events = RandomHistory.events(seed: seed, steps: 30)
            guard let matter = MatterFold.fold(events, directory: Fixtures.directory) else { continue }
            rules.formUnion(matter.conflicts.map(\.rule))
            acknowledged += matter.conflicts.filter { $0.status == .acknowledged }.count
        }
        #expect(rules.isSuperset(of: [.completeOverWithdraw, .signOverWithdraw, .lastWriterWins, .earlierDuplicate]))
        #expect(acknowledged > 0)
    }
}
