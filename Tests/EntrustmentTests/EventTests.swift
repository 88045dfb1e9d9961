import Entrustment
import TestSupport
import Testing

@Suite("Events: canonical encoding and ids")
struct EventTests {
    static let create = Fixtures.create()
    static let actions: [EventAction] = [
        .sign(note: "已签收"), .start(note: ""), .complete(outcome: .partial, feedback: "冻结 3 个账户中的 1 个"),
        .return(reason: .notInJurisdiction, feedback: "财产不在本院辖区"), .withdraw(note: "已履行"),
        .urge(note: "请尽快办理"), .supervise(note: "督办"), .close(note: ""),
    ]

    @Test("every kind of event decodes from its encoding to the same event and id", arguments: actions)
    func roundTrip(action: EventAction) throws {
        let event = Fixtures.act(action, by: "粤0106", after: [Self.create], at: 1_795_000_100_000, counter: 3)
        let decoded = try Event(decoding: event.encoded)
        #expect(decoded.id == event.id)
        #expect(decoded.action == event.action)
        #expect(decoded.parents == event.parents)
        #expect(decoded.timestamp == event.timestamp)
        #expect(decoded.encoded == event.encoded)
    }

    @Test("a create round-trips with every optional field set")
    func createRoundTrip() throws {
        let request = MatterRequest(
            caseNumber: try CaseNumber(parsing: "（2026）京0105执恢7号"), entrustedCourt: Fixtures.code("粤0106"),
            kind: .realEstateRenewSeal, urgent: true, applicant: "甲", debtor: "乙", debtorID: "110105199001011234",
            measureExpires: Fixtures.date("2026-12-01"), note: "到期前续封", signDue: Fixtures.date("2026-11-24"),
            due: Fixtures.date("2026-11-26"))
        let event = try Event(
            matterID: MatterID(court: Fixtures.code("京0105"), year: 2026, sequence: 9), author: Fixtures.code("京0105"),
            origin: Fixtures.node("京0105.a"), timestamp: HybridTimestamp(wall: 1, counter: 0), parents: [],
            action: .create(request))
        let decoded = try Event(decoding: event.encoded)
        #expect(decoded.action == .create(request))
        #expect(decoded.id == event.id)
    }

    @Test("changing any byte changes the id or is refused")
    func anyByteMatters() {
        let event = Fixtures.act(.sign(note: "签"), by: "粤0106", after: [Self.create], at: 1_795_000_100_000)
        for index in event.encoded.indices {
            var bytes = event.encoded
            bytes[index] ^= 0x01
            if let altered = try? Event(decoding: bytes) {
                #expect(altered.id != event.id)
            }
        }
    }

    @Test("non-canonical encodings are refused")
    func nonCanonical() throws {
        let first = Fixtures.create(sequence: 1)
        let second = Fixtures.create(sequence: 2)
        let event = Fixtures.act(.urge(note: ""), by: "京0105", after: [first, second], at: 1_795_000_100_000)
        // Swap the two parents (sorted ascending in the canonical form).
        var bytes = event.encoded
        let parentStart = bytes.count - 2 - 64  // tag + empty note + 2 parents
        let a = Array(bytes[parentStart..<parentStart + 32])
        let b = Array(bytes[parentStart + 32..<parentStart + 64])
        bytes.replaceSubrange(parentStart..<parentStart + 64, with: b + a)
        #expect(throws: DomainError.self) { try Event(decoding: bytes) }
        // A trailing byte.
        #expect(throws: DomainError.self) { try Event(decoding: event.encoded + [0]) }
        // Truncated anywhere.
        for length in 0..<event.encoded.count {
            #expect(throws: DomainError.self) { try Event(decoding: Array(event.encoded.prefix(length))) }
        }
    }

    @Test("clock times past 9999-12-31 are refused when making and when reading events")
    func clockLimits() throws {
        let latest = Timestamp.latest.milliseconds
        let last = Fixtures.act(.urge(note: ""), by: "京0105", after: [Self.create], at: latest)
        #expect(try Event(decoding: last.encoded) == last)
        #expect(last.recordedAt.rfc3339.hasPrefix("9999-12-31T23:59:59"))
        #expect(throws: DomainError.self) {
            try Event(
                matterID: Self.create.matterID, author: Fixtures.code("京0105"), origin: Fixtures.node("n"),
                timestamp: HybridTimestamp(wall: latest + 1, counter: 0), parents: [Self.create.id],
                action: .urge(note: ""))
        }
        // The same bytes with the wall clock one millisecond later (the varint keeps its length).
        func varint(_ value: Int64) -> [UInt8] {
            var writer = ByteWriter()
            writer.write(varint: UInt64(value))
            return writer.bytes
        }
        let (within, beyond) = (varint(latest), varint(latest + 1))
        #expect(within.count == beyond.count)
        var bytes = last.encoded
        let start = try #require(
            bytes.indices.first { bytes[$0...].starts(with: within) }, "the wall clock's varint is in the encoding")
        bytes.replaceSubrange(start..<start + within.count, with: beyond)
        #expect { try Event(decoding: bytes) } throws: { ($0 as! DomainError).message.contains("hlc wall") }
    }

    @Test("field limits hold when making and when reading events")
    func limits() {
        let long = String(repeating: "长", count: FieldLimits.note)  // 3 bytes each
        #expect(throws: DomainError.self) {
            try Event(
                matterID: Self.create.matterID, author: Fixtures.code("粤0106"), origin: Fixtures.node("n"),
                timestamp: HybridTimestamp(wall: 1, counter: 0), parents: [Self.create.id], action: .sign(note: long))
        }
    }
}
