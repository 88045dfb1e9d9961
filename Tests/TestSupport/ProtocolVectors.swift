import Entrustment
import Foundation
import SyncProtocol

/// The change sets behind `Protocol/vectors/`, built deterministically, and the JSON that
/// describes each one for implementers (see `Protocol/vectors/README.md`).
public enum ProtocolVectors {
    /// A valid vector: its file stem and change set.
    public struct Vector: Sendable {
        public let name: String
        public let summary: String
        public let changeSet: ChangeSet
    }

    /// An invalid vector: its file stem, bytes and the error code a reader must report.
    public struct Invalid: Sendable {
        public let name: String
        public let bytes: [UInt8]
        public let code: ChangeSetError.Code
        public let why: String
    }

    static let t0: Int64 = 1_795_395_600_000  // 2026-11-23T09:00:00+08:00

    /// The valid vectors.
    public static var valid: [Vector] {
        let beijing = Fixtures.code("京0105")
        let guangzhou = Fixtures.code("粤0106")
        let bjNode = Fixtures.node("京0105.5a1c9e02")
        let gzNode = Fixtures.node("粤0106.0be47f31")
        func event(
            _ matter: MatterID, _ author: CourtCode, _ node: NodeID, _ offset: Int64, _ counter: UInt32,
            _ parents: [Event], _ action: EventAction
        ) -> Event {
            try! Event(
                matterID: matter, author: author, origin: node,
                timestamp: HybridTimestamp(wall: t0 + offset, counter: counter), parents: parents.map(\.id),
                action: action)
        }
        let m1 = MatterID(court: beijing, year: 2026, sequence: 1)
        let m2 = MatterID(court: beijing, year: 2026, sequence: 2)
        let create1 = event(
            m1, beijing, bjNode, 0, 0, [],
            .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执123号"), entrustedCourt: guangzhou,
                    kind: .depositFreeze, urgent: false, applicant: "北京某银行股份有限公司", debtor: "广州某贸易有限公司",
                    debtorID: "91440101MA5CXXXX0X", measureExpires: nil, note: "冻结被执行人在工商银行天河支行账户",
                    signDue: Fixtures.date("2026-11-26"), due: Fixtures.date("2026-12-23"))))
        let create2 = event(
            m2, beijing, bjNode, 60_000, 0, [],
            .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执恢45号"), entrustedCourt: guangzhou,
                    kind: .realEstateRenewSeal, urgent: true, applicant: nil, debtor: "李某", debtorID: nil,
                    measureExpires: Fixtures.date("2026-11-28"), note: nil, signDue: Fixtures.date("2026-11-24"),
                    due: Fixtures.date("2026-11-26"))))
        let sign1 = event(m1, guangzhou, gzNode, 86_400_000, 0, [create1], .sign(note: "已签收"))
        let start1 = event(m1, guangzhou, gzNode, 86_400_000, 1, [sign1], .start(note: ""))
        let complete1 = event(
            m1, guangzhou, gzNode, 2 * 86_400_000, 0, [start1],
            .complete(outcome: .partial, feedback: "冻结账户 1 个，冻结金额 152,300.00 元；另一账户余额为零。"))
        let return2 = event(
            m2, guangzhou, gzNode, 2 * 86_400_000, 1, [create2],
            .return(reason: .notInJurisdiction, feedback: "该不动产位于番禺区，不属本院辖区"))
        let urge1 = event(m1, beijing, bjNode, 2 * 86_400_000 + 5, 0, [start1], .urge(note: "请尽快反馈"))
        let close1 = event(m1, beijing, bjNode, 3 * 86_400_000, 0, [complete1, urge1], .close(note: ""))
        return [
            Vector(
                name: "01-empty", summary: "A change set with no events (what an export with nothing new writes).",
                changeSet: ChangeSet(
                    senderCourt: beijing, senderNode: bjNode, createdAt: Timestamp(milliseconds: t0),
                    throughSequence: 0,
                    events: [])),
            Vector(
                name: "02-one-create", summary: "One create event: 京0105 entrusts a deposit freeze to 粤0106.",
                changeSet: ChangeSet(
                    senderCourt: beijing, senderNode: bjNode, createdAt: Timestamp(milliseconds: t0 + 1000),
                    throughSequence: 1, events: [create1])),
            Vector(
                name: "03-two-matters",
                summary:
                    "Two matters' histories as 粤0106 holds them: every event kind but withdraw and supervise, a merge (close has two parents), an urgent renewal with an expiry date, a return.",
                changeSet: ChangeSet(
                    senderCourt: guangzhou, senderNode: gzNode,
                    createdAt: Timestamp(milliseconds: t0 + 3 * 86_400_000 + 1000),
                    throughSequence: 8, events: [create1, create2, sign1, start1, complete1, return2, urge1, close1])),
        ]
    }

    /// The invalid vectors, derived from the valid ones.
    public static var invalid: [Invalid] {
        let good = try! ChangeSetCodec.encode(valid[1].changeSet)
        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        var badVersion = good
        badVersion[4] = 2
        var flipped = good
        flipped[good.count - 10] ^= 0x20
        return [
            Invalid(name: "bad-magic", bytes: badMagic, code: .badMagic, why: "first byte changed"),
            Invalid(name: "bad-version", bytes: badVersion, code: .unsupportedVersion, why: "format version 2"),
            Invalid(
                name: "truncated", bytes: Array(good.prefix(good.count - 7)), code: .truncated, why: "last 7 bytes cut"),
            Invalid(name: "bit-flip", bytes: flipped, code: .checksumMismatch, why: "one payload bit flipped"),
            Invalid(name: "trailing", bytes: good + [0], code: .trailingBytes, why: "one byte appended"),
        ]
    }

    /// The JSON description of a decoded change set (what `Protocol/vectors/NAME.json` holds).
    public static func describe(_ set: ChangeSet, summary: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try! encoder.encode(SetDescription(set, summary: summary))
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    struct SetDescription: Encodable {
        var summary: String
        var senderCourt: String
        var senderNode: String
        var createdAt: Int64
        var throughSequence: UInt64
        var events: [EventDescription]

        init(_ set: ChangeSet, summary: String) {
            self.summary = summary
            senderCourt = set.senderCourt.rawValue
            senderNode = set.senderNode.rawValue
            createdAt = set.createdAt.milliseconds
            throughSequence = set.throughSequence
            events = set.events.map(EventDescription.init)
        }
    }

    struct EventDescription: Encodable {
        var id: String
        var encoded: String
        var matterId: String
        var author: String
        var origin: String
        var hlcWall: Int64
        var hlcCounter: UInt32
        var parents: [String]
        var kind: String
        var payload: [String: String?]

        init(_ e: Event) {
            id = e.id.hex
            encoded = e.encoded.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
            matterId = e.matterID.rawValue
            author = e.author.rawValue
            origin = e.origin.rawValue
            hlcWall = e.timestamp.wall
            hlcCounter = e.timestamp.counter
            parents = e.parents.map(\.hex)
            kind = e.kind.rawValue
            switch e.action {
            case .create(let r):
                payload = [
                    "caseNumber": r.caseNumber.description, "entrustedCourt": r.entrustedCourt.rawValue,
                    "kind": r.kind.id,
                    "urgent": r.urgent ? "true" : "false", "applicant": r.applicant, "debtor": r.debtor,
                    "debtorId": r.debtorID, "measureExpires": r.measureExpires?.description, "note": r.note,
                    "signDue": r.signDue.description, "due": r.due.description,
                ]
            case .sign(let note), .start(let note), .withdraw(let note), .urge(let note), .supervise(let note),
                .close(let note):
                payload = ["note": note]
            case .complete(let outcome, let feedback):
                payload = ["outcome": outcome.rawValue, "feedback": feedback]
            case .return(let reason, let feedback):
                payload = ["reason": reason.rawValue, "feedback": feedback]
            }
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(id, forKey: Key("id"))
            try c.encode(encoded, forKey: Key("encoded"))
            try c.encode(matterId, forKey: Key("matterId"))
            try c.encode(author, forKey: Key("author"))
            try c.encode(origin, forKey: Key("origin"))
            try c.encode(hlcWall, forKey: Key("hlcWall"))
            try c.encode(hlcCounter, forKey: Key("hlcCounter"))
            try c.encode(parents, forKey: Key("parents"))
            try c.encode(kind, forKey: Key("kind"))
            var p = c.nestedContainer(keyedBy: Key.self, forKey: Key("payload"))
            for (key, value) in payload { try p.encode(value, forKey: Key(key)) }
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ s: String) { stringValue = s }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
    }
}
