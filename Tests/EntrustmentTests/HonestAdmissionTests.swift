import Crypto
import Entrustment
import TestSupport
import Testing

/// What every replica refuses at the door (`Protocol/changeset.md` §2.2, §7): an act dated before
/// what it follows, deadlines other than the calendar gives, free text with control characters,
/// an acceptance of a late report the hub has not seen.
@Suite("admission: causality, computed deadlines, free text")
struct HonestAdmissionTests {
    static let create = Fixtures.create()
    static let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_000_100_000)

    static func check(_ event: Event, history: [Event]) throws(DomainError) {
        try Admission.check(event, history: history, directory: Fixtures.directory, calendars: Fixtures.calendars)
    }

    @Test(
        "an event dated before (or at) its parent is refused, whoever made it",
        arguments: [
            ("a day before its parent", Int64(-86_400_000), UInt32(0), false),
            ("the same instant, a lower counter", Int64(0), UInt32(0), false),
            ("one millisecond after", Int64(1), UInt32(0), true),
        ])
    func causality(name: String, offset: Int64, counter: UInt32, admitted: Bool) {
        let complete = Fixtures.act(
            .complete(outcome: .full, feedback: ""), by: "粤0106", after: [Self.sign],
            at: Self.sign.timestamp.wall + offset, counter: counter)
        do {
            try Self.check(complete, history: [Self.create, Self.sign])
            #expect(admitted, "\(name)")
        } catch {
            #expect(!admitted, "\(name)")
            #expect(error.code == .backdated && error.message.contains("cannot precede"), "\(name)")
        }
    }

    @Test("a create's deadlines must be those its calendar version gives; an unknown version waits")
    func deadlines() throws {
        let good = Fixtures.create(sequence: 2)
        try Self.check(good, history: [])
        func create(signDue: String, due: String, version: Int? = 1) -> Event {
            let request = MatterRequest(
                caseNumber: CaseNumber(year: 2026, court: Fixtures.code("京0105"), type: .enforcement, sequence: 7),
                entrustedCourt: Fixtures.code("粤0106"), kind: .depositFreeze, signDue: Fixtures.date(signDue),
                due: Fixtures.date(due), calendarVersion: version)
            return try! Event(
                matterID: MatterID(court: Fixtures.code("京0105"), year: 2026, sequence: 7),
                author: Fixtures.code("京0105"), origin: Fixtures.node("京0105.node"), timestamp: good.timestamp,
                parents: [], action: .create(request)
            ).testSigned()
        }
        let right = Fixtures.deadlines(sentAt: good.recordedAt)
        #expect { try Self.check(create(signDue: "2020-01-01", due: "2020-01-02"), history: []) } throws: {
            ($0 as? DomainError)?.code == .invalidField
        }
        #expect { try Self.check(create(signDue: right.signDue.description, due: "2027-06-30"), history: []) } throws: {
            ($0 as? DomainError)?.message.contains("calendar version 1") == true
        }
        #expect {
            try Self.check(
                create(signDue: right.signDue.description, due: right.due.description, version: 9), history: [])
        } throws: { ($0 as? DomainError)?.code == .unknownCalendar }
        // No version named (recorded before versions were carried): checked against version 1.
        try Self.check(
            create(signDue: right.signDue.description, due: right.due.description, version: nil), history: [])
    }

    @Test(
        "a create numbers its matter for the year it is sent and names a case of its own court",
        arguments: [
            ("as made", "京0105", 2026, true),
            ("another court's case number", "沪0115", 2026, false),
            ("a matter numbered for another year", "京0105", 2099, false),
        ])
    func numbering(name: String, caseCourt: String, idYear: Int, admitted: Bool) {
        let good = Fixtures.create(sequence: 3)
        let deadlines = Fixtures.deadlines(sentAt: good.recordedAt)
        let request = MatterRequest(
            caseNumber: CaseNumber(year: 2026, court: Fixtures.code(caseCourt), type: .enforcement, sequence: 8),
            entrustedCourt: Fixtures.code("粤0106"), kind: .depositFreeze, signDue: deadlines.signDue,
            due: deadlines.due, calendarVersion: 1)
        let create = try! Event(
            matterID: MatterID(court: Fixtures.code("京0105"), year: idYear, sequence: 8),
            author: Fixtures.code("京0105"), origin: Fixtures.node("京0105.node"), timestamp: good.timestamp,
            parents: [], action: .create(request)
        ).testSigned()
        do {
            try Self.check(create, history: [])
            #expect(admitted, "\(name)")
        } catch {
            #expect(!admitted && error.code == .invalidField, "\(name): \(error.message)")
        }
    }

    @Test(
        "control characters other than tab and newline are refused in every free-text field",
        arguments: ["\u{0}", "\u{1B}[31m", "\r", "\u{7F}", "\u{85}", "\u{9B}"])
    func controlCharacters(bad: String) throws {
        let actions: [EventAction] = [
            .sign(note: "已签收\(bad)"), .complete(outcome: .full, feedback: "已冻结\(bad)"),
            .edit(field: .contactPerson, value: "张三\(bad)"), .urge(note: bad),
        ]
        for action in actions {
            let author = action.kind == .urge ? "京0105" : "粤0106"
            let event = Fixtures.act(action, by: author, after: [Self.create], at: 1_795_000_100_000)
            #expect(throws: DomainError.self, "\(action.kind)") { try Self.check(event, history: [Self.create]) }
        }
        let fine = Fixtures.act(.sign(note: "第一行\n\t第二行 ‮"), by: "粤0106", after: [Self.create], at: 1_795_000_100_000)
        try Self.check(fine, history: [Self.create])
    }

    @Test("only the hub accepts a late report, and only of an event its acceptance follows")
    func acceptLate() throws {
        let byHub = Fixtures.act(
            .acceptLate(event: Self.sign.id, note: "已核实"), by: "最高法", after: [Self.sign], at: 1_795_000_200_000)
        try Self.check(byHub, history: [Self.create, Self.sign])
        let byCourt = Fixtures.act(
            .acceptLate(event: Self.sign.id, note: ""), by: "粤0106", after: [Self.sign], at: 1_795_000_200_000)
        #expect { try Self.check(byCourt, history: [Self.create, Self.sign]) } throws: {
            ($0 as? DomainError)?.code == .forbiddenRole
        }
        let unseen = Fixtures.act(
            .acceptLate(event: Self.sign.id, note: ""), by: "最高法", after: [Self.create], at: 1_795_000_200_000)
        #expect { try Self.check(unseen, history: [Self.create, Self.sign]) } throws: {
            ($0 as? DomainError)?.code == .illegalTransition
        }
        let decoded = try Event(decoding: byHub.encoded)
        #expect(decoded.action == byHub.action)
    }

    @Test(
        "node ids: letters, digits and . - _ only",
        arguments: [
            ("京0105.3f9a1c2e", true), ("最高法", true), ("bench-12_a", true), ("a b", false), ("x\u{7}", false),
            ("x\u{200B}", false), ("x/y", false), ("", false),
        ])
    func nodeIDs(text: String, valid: Bool) {
        #expect(((try? NodeID(text)) != nil) == valid, "\(text.unicodeScalars.map { $0.value })")
    }

    @Test("a witness round-trips canonically, verifies only with the hub's key, and says whether an act is late")
    func witnesses() throws {
        let hub = TestKeys.key(for: Fixtures.node("最高法.node"))
        let witness = try Witness(
            kind: .stored, event: Self.sign.id, matter: Self.sign.matterID, court: nil,
            at: Timestamp(milliseconds: Self.sign.timestamp.wall + 30 * 3_600_000), hubDowntimeMilliseconds: 7_200_000,
            graceMilliseconds: 86_400_000
        ).signed(with: hub)
        let decoded = try Witness(decoding: witness.encoded).withSignature(witness.signature!)
        #expect(decoded == witness && decoded.encoded == witness.encoded && decoded.at == witness.at)
        try decoded.verify(hubKey: hub.publicKey)
        #expect(throws: DomainError.self) { try decoded.verify(hubKey: SigningKey.generate(.ed25519).publicKey) }
        #expect(decoded.delay(after: Self.sign.recordedAt) == 28 * 3_600_000)
        #expect(decoded.isLate(recordedAt: Self.sign.recordedAt))
        for broken in [witness.encoded + [0], Array(witness.encoded.dropLast()), [2] + witness.encoded.dropFirst()] {
            #expect { try Witness(decoding: broken) } throws: { ($0 as? DomainError)?.code == .malformedWitness }
        }
        #expect(throws: DomainError.self) {
            try Witness(
                kind: .delivered, event: Self.create.id, matter: Self.create.matterID, court: nil, at: .latest,
                hubDowntimeMilliseconds: 0, graceMilliseconds: 0)
        }
    }
}
