import Crypto
import Entrustment
import Foundation
import Replica
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
    public static var valid: [Vector] { valid(suite: .ed25519) }

    /// The valid vectors in `suite` (the `sm2` ones are `Protocol/vectors/sm2/`).
    public static func valid(suite: SignatureSuite) -> [Vector] {
        let beijing = Fixtures.code("京0105")
        let guangzhou = Fixtures.code("粤0106")
        let bjNode = Fixtures.node("京0105.5a1c9e02")
        let gzNode = Fixtures.node("粤0106.0be47f31")
        func event(
            _ matter: MatterID, _ author: CourtCode, _ node: NodeID, _ offset: Int64, _ counter: UInt32,
            _ parents: [Event], _ action: EventAction
        ) -> Event {
            try! Event(
                suite: suite, matterID: matter, author: author, origin: node,
                timestamp: HybridTimestamp(wall: t0 + offset, counter: counter), parents: parents.map(\.id),
                action: action
            ).testSigned(suite: suite)
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
                    signDue: Fixtures.date("2026-11-26"), due: Fixtures.date("2026-12-23"), calendarVersion: 1)))
        let create2 = event(
            m2, beijing, bjNode, 60_000, 0, [],
            .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执恢45号"), entrustedCourt: guangzhou,
                    kind: .realEstateRenewSeal, urgent: true, applicant: nil, debtor: "李某", debtorID: nil,
                    measureExpires: Fixtures.date("2026-11-28"), note: nil, signDue: Fixtures.date("2026-11-24"),
                    due: Fixtures.date("2026-11-26"), calendarVersion: 1)))
        let sign1 = event(
            m1, guangzhou, gzNode, 86_400_000, 0, [create1],
            .sign(note: "已签收", receivedAt: Timestamp(milliseconds: t0 + 1_800_000)))
        let start1 = event(m1, guangzhou, gzNode, 86_400_000, 1, [sign1], .start(note: ""))
        let complete1 = event(
            m1, guangzhou, gzNode, 2 * 86_400_000, 0, [start1],
            .complete(outcome: .partial, feedback: "冻结账户 1 个，冻结金额 152,300.00 元；另一账户余额为零。"))
        let return2 = event(
            m2, guangzhou, gzNode, 2 * 86_400_000, 1, [create2],
            .return(
                reason: .notInJurisdiction, feedback: "该不动产位于番禺区，不属本院辖区",
                receivedAt: Timestamp(milliseconds: t0 + 60_000 + 1_800_000)))
        let urge1 = event(m1, beijing, bjNode, 2 * 86_400_000 + 5, 0, [start1], .urge(note: "请尽快反馈"))
        let close1 = event(m1, beijing, bjNode, 3 * 86_400_000, 0, [complete1, urge1], .close(note: ""))
        let m3 = MatterID(court: beijing, year: 2026, sequence: 3)
        let hub = Fixtures.code("最高法")
        let hubNode = Fixtures.node("最高法.7d20aa45")
        let create3 = event(
            m3, beijing, bjNode, 120_000, 0, [],
            .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执200号"), entrustedCourt: guangzhou,
                    kind: .vehicleSeize, signDue: Fixtures.date("2026-11-26"), due: Fixtures.date("2026-12-23"),
                    calendarVersion: 1)))
        let sign3 = event(m3, guangzhou, gzNode, 3_600_000, 0, [create3], .sign(note: ""))
        let withdraw3 = event(m3, beijing, bjNode, 3_700_000, 0, [create3], .withdraw(note: "当事人已和解"))
        let complete3 = event(
            m3, guangzhou, gzNode, 7_200_000, 0, [sign3], .complete(outcome: .full, feedback: "已扣押车辆 粤A·12345"))
        let edit3 = event(
            m3, beijing, bjNode, 7_300_000, 0, [withdraw3], .edit(field: .contactPhone, value: "010-6551 2345"))
        let supervise3 = event(m3, hub, hubNode, 7_400_000, 0, [create3], .supervise(note: "请核实撤回情况"))
        let ack3 = event(
            m3, guangzhou, gzNode, 90_000_000, 0, [complete3, edit3, supervise3],
            .acknowledge(conflict: withdraw3.id, note: "车辆已扣押，已电话告知委托法院"))
        let hubKey = TestKeys.key(for: Fixtures.node("最高法.node"), suite: suite)
        func witness(
            _ kind: Witness.Kind, _ event: Event, court: CourtCode? = nil, at offset: Int64, downtime: Int64 = 0
        ) -> Witness {
            try! Witness(
                kind: kind, event: event.id, matter: event.matterID, court: court,
                at: Timestamp(milliseconds: t0 + offset), hubDowntimeMilliseconds: downtime,
                graceMilliseconds: 86_400_000
            ).signed(with: hubKey)
        }
        let hubTestNode = Fixtures.node("最高法.node")
        let m4 = MatterID(court: beijing, year: 2026, sequence: 4)
        let create4 = event(
            m4, beijing, bjNode, 180_000, 0, [],
            .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执201号"), entrustedCourt: guangzhou,
                    kind: .documentsServe, signDue: Fixtures.date("2026-11-26"), due: Fixtures.date("2026-12-03"),
                    calendarVersion: 1)))
        let sign4 = event(
            m4, guangzhou, gzNode, 4 * 3_600_000, 0, [create4],
            .sign(note: "", receivedAt: Timestamp(milliseconds: t0 + 240_000)))
        let complete4 = event(
            m4, guangzhou, gzNode, 5 * 86_400_000, 0, [sign4], .complete(outcome: .full, feedback: "已送达，附送达回证"))
        let accept4 = event(
            m4, hub, hubTestNode, 8 * 86_400_000, 0, [complete4],
            .acceptLate(event: complete4.id, note: "离线介质报送，经核实属实"))
        let m5 = MatterID(court: beijing, year: 2026, sequence: 5)
        let create5 = event(
            m5, beijing, bjNode, 300_000, 0, [],
            .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执202号"), entrustedCourt: guangzhou,
                    kind: .documentsServe, signDue: Fixtures.date("2026-11-26"), due: Fixtures.date("2026-12-03"),
                    calendarVersion: 1)))
        func reference(_ kind: DocumentKind, _ name: String) -> DocumentReference {
            let bytes = Self.documentBytes(kind)
            return DocumentReference(
                hash: DocumentHash(of: bytes, suite: suite), kind: kind, fileName: name, mediaType: .pdf,
                size: bytes.count)
        }
        let letter5 = event(
            m5, beijing, bjNode, 300_001, 0, [create5],
            .attach(document: reference(.entrustmentLetter, "委托执行函.pdf"), note: "原件扫描"))
        let judgment5 = event(
            m5, beijing, bjNode, 300_002, 0, [letter5],
            .attach(document: reference(.judgment, "（2026）京0105民初88号判决书.pdf"), note: ""))
        let sign5 = event(
            m5, guangzhou, gzNode, 3_600_000, 0, [judgment5],
            .sign(note: "", receivedAt: Timestamp(milliseconds: t0 + 400_000)))
        let request5 = event(
            m5, guangzhou, gzNode, 86_400_000, 0, [sign5],
            .requestSupplement(kinds: [.supplement], note: "缺受送达人地址确认书", due: Fixtures.date("2026-12-24")))
        let supplement5 = event(
            m5, beijing, bjNode, 2 * 86_400_000, 0, [request5],
            .attach(document: reference(.supplement, "送达地址确认书.pdf"), note: "补充材料"))
        let m6 = MatterID(court: beijing, year: 2026, sequence: 6)
        let create6 = event(
            m6, beijing, bjNode, 400_000, 0, [],
            .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执206号"), entrustedCourt: guangzhou,
                    kind: .realEstateSeal, signDue: Fixtures.date("2026-11-26"), due: Fixtures.date("2026-12-23"),
                    calendarVersion: 1)))
        let sign6 = event(
            m6, guangzhou, gzNode, 3_700_000, 0, [create6],
            .sign(note: "", receivedAt: Timestamp(milliseconds: t0 + 500_000)))
        let requestA6 = event(
            m6, guangzhou, gzNode, 86_400_000, 0, [sign6], .requestExtension(days: 10, reason: "拍卖公告期未满"))
        let approveA6 = event(
            m6, beijing, bjNode, 90_000_000, 0, [requestA6],
            .decideExtension(request: requestA6.id, verdict: .approve, note: "同意"))
        let refuseA6 = event(
            m6, hub, hubNode, 90_000_000, 1, [requestA6],
            .decideExtension(request: requestA6.id, verdict: .refuse, note: "理由不充分"))
        let requestB6 = event(
            m6, guangzhou, gzNode, 2 * 86_400_000, 0, [approveA6, refuseA6],
            .requestExtension(days: 7, reason: "案外人异议待听证"))
        let approveB6 = event(
            m6, beijing, bjNode, 2 * 86_400_000 + 3_600_000, 0, [requestB6],
            .decideExtension(request: requestB6.id, verdict: .approve, note: ""))
        return [
            Vector(
                name: "01-empty", summary: "A change set with no events (what an export with nothing new writes).",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: beijing, senderNode: bjNode, createdAt: Timestamp(milliseconds: t0),
                    throughSequence: 0,
                    events: [])),
            Vector(
                name: "02-one-create", summary: "One create event: 京0105 entrusts a deposit freeze to 粤0106.",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: beijing, senderNode: bjNode, createdAt: Timestamp(milliseconds: t0 + 1000),
                    throughSequence: 1, events: [create1])),
            Vector(
                name: "03-two-matters",
                summary:
                    "Two matters' histories as 粤0106 holds them: every event kind but withdraw and supervise, a merge (close has two parents), an urgent renewal with an expiry date, a return; the sign and the return carry their arrival time (receivedAt).",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: guangzhou, senderNode: gzNode,
                    createdAt: Timestamp(milliseconds: t0 + 3 * 86_400_000 + 1000),
                    throughSequence: 8, events: [create1, create2, sign1, start1, complete1, return2, urge1, close1])),
            Vector(
                name: "04-conflict",
                summary:
                    "A withdrawal concurrent with a sign and a completion (the completion stands), an edit of the contact phone, supervision by the hub, and 粤0106's acknowledgement of the conflict.",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: hub, senderNode: hubNode,
                    createdAt: Timestamp(milliseconds: t0 + 90_001_000),
                    throughSequence: 7, events: [create3, sign3, withdraw3, complete3, edit3, supervise3, ack3])),
            Vector(
                name: "05-witnesses",
                summary:
                    "A pull answer of the hub to 粤0106: a documents:serve matter, the hub's storage witness (存证) of its create and of the sign, and its delivery witness (送达) of the create to 粤0106.",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: hub, senderNode: hubTestNode, createdAt: Timestamp(milliseconds: t0 + 5 * 3_600_000),
                    throughSequence: 6, events: [create4, sign4],
                    witnesses: [
                        witness(.stored, create4, at: 181_000),
                        witness(.delivered, create4, court: guangzhou, at: 239_000),
                        witness(.stored, sign4, at: 4 * 3_600_000 + 2_000),
                    ])),
            Vector(
                name: "06-late-report",
                summary:
                    "A late report: 粤0106's completion recorded at day 5, first stored by the hub at day 7 (2 days later, 6 hours of which the hub was down: late by 42 hours, over the 24-hour grace), and the hub's acceptance of it (acceptLate).",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: hub, senderNode: hubTestNode,
                    createdAt: Timestamp(milliseconds: t0 + 8 * 86_400_000 + 1000),
                    throughSequence: 9, events: [complete4, accept4],
                    witnesses: [
                        witness(.stored, complete4, at: 7 * 86_400_000, downtime: 6 * 3_600_000),
                        witness(.stored, accept4, at: 8 * 86_400_000),
                    ])),
            Vector(
                name: "07-documents",
                summary:
                    "Documents and 补办: a documents:serve matter with its letter and judgment attached (attach), signed, a request for supplement (requestSupplement, due 2026-12-24: 30 days from 2026-11-24) and the entrusting court's supplement answering it.",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: beijing, senderNode: bjNode,
                    createdAt: Timestamp(milliseconds: t0 + 2 * 86_400_000 + 1000),
                    throughSequence: 6, events: [create5, letter5, judgment5, sign5, request5, supplement5])),
            Vector(
                name: "08-extensions",
                summary:
                    "延期: a real-estate seal sent 2026-11-23 (due 2026-12-23), signed; 粤0106 asks for 10 more days; 京0105 approves and, concurrently, the hub refuses (the refusal stands: refusalOverApproval); 粤0106 asks again for 7 days and 京0105 approves: the extended deadline is 2026-12-30, the original stays 2026-12-23.",
                changeSet: ChangeSet(
                    suite: suite,
                    senderCourt: guangzhou, senderNode: gzNode,
                    createdAt: Timestamp(milliseconds: t0 + 3 * 86_400_000),
                    throughSequence: 7, events: [create6, sign6, requestA6, approveA6, refuseA6, requestB6, approveB6])),
        ]
    }

    /// The bytes of the documents vector 07 attaches: a tiny PDF header, a line naming the kind,
    /// and the PDF end marker (`vectors/README.md` gives them).
    public static func documentBytes(_ kind: DocumentKind) -> [UInt8] {
        Array("%PDF-1.4\n% CourtSync test vector: \(kind.rawValue) \(kind.chineseName)\n%%EOF\n".utf8)
    }

    /// Vector 07 as a change file: the change set, then the documents section carrying its three
    /// documents (`changeset.md` §9).
    public static var documentsFile: [UInt8] {
        let set = valid.first { $0.name == "07-documents" }!.changeSet
        var bytes = try! ChangeSetCodec.encode(set)
        bytes += Array("CSDOC".utf8) + [1, 3]
        for kind in [DocumentKind.entrustmentLetter, .judgment, .supplement] {
            let document = documentBytes(kind)
            bytes += DocumentHash(of: document, suite: .ed25519).bytes
            bytes.append(UInt8(document.count))
            bytes += document
        }
        return bytes
    }

    /// The events the refused vectors build on: vector 05's matter as the hub sent it.
    public static var refusalBase: (events: [Event], witnesses: [Witness]) {
        let set = valid.first { $0.name == "05-witnesses" }!.changeSet
        return (set.events, set.witnesses)
    }

    /// A change set that decodes but whose content a receiver refuses, and how.
    public struct Refused: Sendable {
        public let name: String
        public let changeSet: ChangeSet
        /// The code the receiver refuses the last event (or witness) with.
        public let code: String
        /// Whether the receiver holds it in its quarantine rather than refusing it outright.
        public let quarantined: Bool
        public let why: String
    }

    /// The refused vectors: decodable sets whose last record a receiver (with
    /// ``Fixtures/referenceCalendar`` and ``TestKeys/directory(version:)``) refuses.
    public static var refused: [Refused] {
        let (base, _) = refusalBase
        let sign4 = base[1]
        let gzNode = Fixtures.node("粤0106.0be47f31")
        let bjNode = Fixtures.node("京0105.5a1c9e02")
        let guangzhou = Fixtures.code("粤0106")
        let beijing = Fixtures.code("京0105")
        func set(_ events: [Event], witnesses: [Witness] = []) -> ChangeSet {
            ChangeSet(
                suite: .ed25519, senderCourt: guangzhou, senderNode: gzNode,
                createdAt: Timestamp(milliseconds: t0 + 86_400_000),
                throughSequence: UInt64(events.count + witnesses.count), events: events, witnesses: witnesses)
        }
        let backdated = try! Event(
            suite: .ed25519, matterID: sign4.matterID, author: guangzhou, origin: gzNode,
            timestamp: HybridTimestamp(wall: sign4.timestamp.wall - 86_400_000, counter: 0), parents: [sign4.id],
            action: .complete(outcome: .full, feedback: "已送达")
        ).testSigned()
        func create(_ sequence: Int, _ request: MatterRequest) -> Event {
            try! Event(
                suite: .ed25519, matterID: MatterID(court: beijing, year: 2026, sequence: sequence), author: beijing,
                origin: bjNode,
                timestamp: HybridTimestamp(wall: t0, counter: 0), parents: [], action: .create(request)
            ).testSigned()
        }
        func request(signDue: String = "2026-11-26", due: String = "2026-12-23", version: Int = 1, note: String? = nil)
            -> MatterRequest
        {
            MatterRequest(
                caseNumber: try! CaseNumber(parsing: "（2026）京0105执300号"), entrustedCourt: guangzhou,
                kind: .depositFreeze, note: note, signDue: Fixtures.date(signDue), due: Fixtures.date(due),
                calendarVersion: version)
        }
        let forgedWitness = try! Witness(
            kind: .stored, event: sign4.id, matter: sign4.matterID, court: nil, at: Timestamp(milliseconds: t0),
            hubDowntimeMilliseconds: 0, graceMilliseconds: 86_400_000
        ).signed(with: TestKeys.key(for: gzNode))
        let receiptByEntrusting = try! Event(
            suite: .ed25519, matterID: sign4.matterID, author: beijing, origin: bjNode,
            timestamp: HybridTimestamp(wall: sign4.timestamp.wall + 3_600_000, counter: 0), parents: [sign4.id],
            action: .attach(
                document: DocumentReference(
                    hash: DocumentHash(of: documentBytes(.receipt), suite: .ed25519), kind: .receipt,
                    fileName: "回执.pdf",
                    mediaType: .pdf, size: documentBytes(.receipt).count), note: "")
        ).testSigned()
        let longSupplement = try! Event(
            suite: .ed25519, matterID: sign4.matterID, author: guangzhou, origin: gzNode,
            timestamp: HybridTimestamp(wall: sign4.timestamp.wall + 3_600_000, counter: 0), parents: [sign4.id],
            action: .requestSupplement(kinds: [.judgment], note: "", due: Fixtures.date("2027-01-22"))
        ).testSigned()
        func askForTime(days: Int, by author: CourtCode, _ origin: NodeID, at wall: Int64) -> Event {
            try! Event(
                suite: .ed25519, matterID: sign4.matterID, author: author, origin: origin,
                timestamp: HybridTimestamp(wall: wall, counter: 0),
                parents: [sign4.id], action: .requestExtension(days: days, reason: "拍卖程序尚未完成")
            ).testSigned()
        }
        let afterDeadline = askForTime(
            days: 5, by: guangzhou, gzNode, at: Fixtures.time("2026-12-04T10:00:00+08:00").milliseconds)
        let tooLong = askForTime(days: 31, by: guangzhou, gzNode, at: sign4.timestamp.wall + 3_600_000)
        let byEntrusting = askForTime(days: 5, by: beijing, bjNode, at: sign4.timestamp.wall + 3_600_000)
        return [
            Refused(
                name: "extension-after-deadline", changeSet: set(base + [afterDeadline]), code: "rejectedEvent",
                quarantined: false,
                why: "a request for more time made 2026-12-04, after the deadline (2026-12-03) passed"),
            Refused(
                name: "extension-too-long", changeSet: set(base + [tooLong]), code: "rejectedEvent",
                quarantined: false, why: "a request for 31 more days, over the 30 the calendar's rules allow"),
            Refused(
                name: "extension-by-entrusting", changeSet: set(base + [byEntrusting]), code: "rejectedEvent",
                quarantined: false, why: "the entrusting court asking for more time, which only the entrusted court may"
            ),
            Refused(
                name: "backdated", changeSet: set(base + [backdated]), code: "rejectedEvent", quarantined: false,
                why: "a complete dated a day before the sign it follows"),
            Refused(
                name: "wrong-deadlines", changeSet: set([create(9, request(signDue: "2020-01-01", due: "2020-01-02"))]),
                code: "rejectedEvent", quarantined: false,
                why: "a create sent 2026-11-23 claiming the deadlines 2020-01-01 / 2020-01-02"),
            Refused(
                name: "lengthened-deadline", changeSet: set([create(10, request(due: "2027-01-23"))]),
                code: "rejectedEvent", quarantined: false,
                why: "a create whose completion deadline is a month longer than calendar version 1 gives"),
            Refused(
                name: "control-character", changeSet: set([create(11, request(note: "冻结\u{0}存款"))]),
                code: "rejectedEvent", quarantined: false, why: "a create whose note holds U+0000"),
            Refused(
                name: "unknown-calendar", changeSet: set([create(12, request(version: 7))]), code: "unknownCalendar",
                quarantined: true,
                why: "a create naming calendar version 7, which the receiver does not hold: held until it does"),
            Refused(
                name: "forged-witness", changeSet: set(base, witnesses: [forgedWitness]), code: "badSignature",
                quarantined: false, why: "a storage witness signed by a court's key, not the hub's"),
            Refused(
                name: "attach-wrong-party", changeSet: set(base + [receiptByEntrusting]), code: "rejectedEvent",
                quarantined: false,
                why: "the entrusting court attaching a receipt (回执), which only the entrusted court may"),
            Refused(
                name: "supplement-deadline", changeSet: set(base + [longSupplement]), code: "rejectedEvent",
                quarantined: false,
                why:
                    "a request for supplement made 2026-11-23 whose last day is 2027-01-22, not the 2026-12-23 the calendar gives"
            ),
        ]
    }

    /// The invalid vectors, derived from the valid ones.
    public static var invalid: [Invalid] {
        let good = try! ChangeSetCodec.encode(valid[1].changeSet)
        var badMagic = good
        badMagic[0] = UInt8(ascii: "X")
        var badVersion = good
        badVersion[4] = 1
        var flipped = good
        flipped[good.count - 10] ^= 0x20
        let doubled = valid[1].changeSet.events[0]
        let duplicate = try! ChangeSetCodec.encode(
            ChangeSet(
                suite: .ed25519, senderCourt: valid[1].changeSet.senderCourt, senderNode: valid[1].changeSet.senderNode,
                createdAt: valid[1].changeSet.createdAt, throughSequence: 2, events: [doubled, doubled]))
        let witnessed = valid.first { $0.name == "05-witnesses" }!.changeSet
        return [
            Invalid(name: "bad-magic", bytes: badMagic, code: .badMagic, why: "first byte changed"),
            Invalid(
                name: "bad-version", bytes: badVersion, code: .unsupportedVersion,
                why: "format version 1 (unsigned events, before Trust)"),
            Invalid(
                name: "truncated", bytes: Array(good.prefix(good.count - 7)), code: .truncated, why: "last 7 bytes cut"),
            Invalid(name: "bit-flip", bytes: flipped, code: .checksumMismatch, why: "one payload bit flipped"),
            Invalid(name: "trailing", bytes: good + [0], code: .trailingBytes, why: "one byte appended"),
            Invalid(
                name: "duplicate-event", bytes: duplicate, code: .malformedEvent,
                why: "the same event twice in one set"),
            Invalid(
                name: "malformed-witness", bytes: encode(witnessed, corruptingFirstWitness: true),
                code: .malformedWitness, why: "a witness whose kind byte is 9"),
        ]
    }

    /// Encodes `set` as format 3, with the first witness's kind byte set to 9 (no such kind) when
    /// asked: a set only the witness decoder refuses.
    static func encode(_ set: ChangeSet, corruptingFirstWitness: Bool) -> [UInt8] {
        var payload = ByteWriter()
        for event in set.events {
            payload.write(varint: UInt64(event.encoded.count))
            payload.write(raw: event.encoded)
            payload.write(raw: event.signature!)
        }
        for (index, witness) in set.witnesses.enumerated() {
            var bytes = witness.encoded
            if corruptingFirstWitness && index == 0 { bytes[1] = 9 }
            payload.write(varint: UInt64(bytes.count))
            payload.write(raw: bytes)
            payload.write(raw: witness.signature!)
        }
        return frame(set, version: 3, payload: payload.bytes, records: (set.events.count, set.witnesses.count))
    }

    /// Frames a payload as a change set of format `version` (2 has no witness count).
    static func frame(_ set: ChangeSet, version: UInt8, payload: [UInt8], records: (Int, Int)) -> [UInt8] {
        let compressed = try! Zlib.compress(payload)
        var header = ByteWriter()
        header.write(raw: ChangeSetCodec.magic)
        header.write(byte: version)
        header.write(byte: 1)
        header.write(string: set.senderCourt.rawValue)
        header.write(string: set.senderNode.rawValue)
        header.write(varint: UInt64(set.createdAt.milliseconds))
        header.write(varint: set.throughSequence)
        header.write(varint: UInt64(records.0))
        if version >= 3 { header.write(varint: UInt64(records.1)) }
        header.write(varint: UInt64(payload.count))
        header.write(varint: UInt64(compressed.count))
        return header.bytes + SignatureSuite.ed25519.hash(header.bytes + compressed) + compressed
    }

    /// The legacy vector: vector 02's create as builds before calendar versions recorded it (no
    /// `calendarVersion`), in a change set of format version 2 (no witnesses), which readers still read.
    public static var legacy: (bytes: [UInt8], set: ChangeSet) {
        let create = try! Event(
            suite: .ed25519, matterID: MatterID(court: Fixtures.code("京0105"), year: 2026, sequence: 1),
            author: Fixtures.code("京0105"), origin: Fixtures.node("京0105.5a1c9e02"),
            timestamp: HybridTimestamp(wall: t0, counter: 0), parents: [],
            action: .create(
                MatterRequest(
                    caseNumber: try! CaseNumber(parsing: "（2026）京0105执123号"), entrustedCourt: Fixtures.code("粤0106"),
                    kind: .depositFreeze, signDue: Fixtures.date("2026-11-26"), due: Fixtures.date("2026-12-23")))
        ).testSigned()
        let set = ChangeSet(
            suite: .ed25519, senderCourt: Fixtures.code("京0105"), senderNode: Fixtures.node("京0105.5a1c9e02"),
            createdAt: Timestamp(milliseconds: t0 + 1000), throughSequence: 1, events: [create])
        var payload = ByteWriter()
        payload.write(varint: UInt64(create.encoded.count))
        payload.write(raw: create.encoded)
        payload.write(raw: create.signature!)
        return (frame(set, version: 2, payload: payload.bytes, records: (1, 0)), set)
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
        /// The suite, stated for sets of format 4 only (formats 2 and 3 are `ed25519`).
        var suite: String?
        var senderCourt: String
        var senderNode: String
        var createdAt: Int64
        var throughSequence: UInt64
        var events: [EventDescription]
        var witnesses: [WitnessDescription]

        init(_ set: ChangeSet, summary: String) {
            self.summary = summary
            suite = set.suite == .ed25519 ? nil : set.suite.rawValue
            senderCourt = set.senderCourt.rawValue
            senderNode = set.senderNode.rawValue
            createdAt = set.createdAt.milliseconds
            throughSequence = set.throughSequence
            events = set.events.map { EventDescription($0, suite: set.suite) }
            witnesses = set.witnesses.map { WitnessDescription($0, suite: set.suite) }
        }
    }

    struct WitnessDescription: Encodable {
        var kind: String
        var event: String
        var matterId: String
        var court: String
        var at: Int64
        var hubDowntime: Int64
        var grace: Int64
        var encoded: String
        var signature: String
        var publicKey: String
        /// What the signature covers (label, zero byte, canonical bytes), for `sm2` sets.
        var signedMessage: String?

        init(_ w: Witness, suite: SignatureSuite) {
            kind = w.kind.name
            event = w.event.hex
            matterId = w.matter.rawValue
            court = w.court?.rawValue ?? ""
            at = w.at.milliseconds
            hubDowntime = w.hubDowntimeMilliseconds
            grace = w.graceMilliseconds
            encoded = Hex.encode(w.encoded)
            signature = Hex.encode(w.signature ?? [])
            publicKey = TestKeys.publicKey(for: Fixtures.node("最高法.node"), suite: suite)
            signedMessage = suite == .ed25519 ? nil : Hex.encode(SignaturePurpose.witness.signedBytes(w.encoded))
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
        var signature: String
        var publicKey: String
        var kind: String
        var payload: [String: String?]
        /// What the signature covers (label, zero byte, the id), for `sm2` sets.
        var signedMessage: String?

        init(_ e: Event, suite: SignatureSuite) {
            id = e.id.hex
            encoded = e.encoded.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
            matterId = e.matterID.rawValue
            author = e.author.rawValue
            origin = e.origin.rawValue
            hlcWall = e.timestamp.wall
            hlcCounter = e.timestamp.counter
            parents = e.parents.map(\.hex)
            signature = Hex.encode(e.signature ?? [])
            publicKey = TestKeys.publicKey(for: e.origin, suite: suite)
            signedMessage = suite == .ed25519 ? nil : Hex.encode(SignaturePurpose.event.signedBytes(e.id.bytes))
            kind = e.kind.rawValue
            switch e.action {
            case .create(let r):
                payload = [
                    "caseNumber": r.caseNumber.description, "entrustedCourt": r.entrustedCourt.rawValue,
                    "kind": r.kind.id,
                    "urgent": r.urgent ? "true" : "false", "applicant": r.applicant, "debtor": r.debtor,
                    "debtorId": r.debtorID, "measureExpires": r.measureExpires?.description, "note": r.note,
                    "signDue": r.signDue.description, "due": r.due.description,
                    "calendarVersion": r.calendarVersion.map(String.init),
                ]
            case .sign(let note, let receivedAt):
                payload = ["note": note]
                if let receivedAt { payload["receivedAt"] = receivedAt.rfc3339 }
            case .start(let note), .withdraw(let note), .urge(let note), .supervise(let note), .close(let note):
                payload = ["note": note]
            case .complete(let outcome, let feedback):
                payload = ["outcome": outcome.rawValue, "feedback": feedback]
            case .return(let reason, let feedback, let receivedAt):
                payload = ["reason": reason.rawValue, "feedback": feedback]
                if let receivedAt { payload["receivedAt"] = receivedAt.rfc3339 }
            case .edit(let field, let value):
                payload = ["field": field.rawValue, "value": value]
            case .acknowledge(let conflict, let note):
                payload = ["conflict": conflict.hex, "note": note]
            case .acceptLate(let accepted, let note):
                payload = ["event": accepted.hex, "note": note]
            case .attach(let document, let note):
                payload = [
                    "hash": document.hash.hex, "documentKind": document.kind.rawValue, "fileName": document.fileName,
                    "mediaType": document.mediaType.rawValue, "size": String(document.size), "note": note,
                ]
            case .requestSupplement(let kinds, let note, let due):
                payload = [
                    "documentKinds": kinds.map(\.rawValue).joined(separator: ","), "note": note,
                    "due": due.description,
                ]
            case .requestExtension(let days, let reason):
                payload = ["days": String(days), "reason": reason]
            case .decideExtension(let request, let verdict, let note):
                payload = ["request": request.hex, "verdict": verdict.rawValue, "note": note]
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
            try c.encode(signature, forKey: Key("signature"))
            try c.encode(publicKey, forKey: Key("publicKey"))
            try c.encode(kind, forKey: Key("kind"))
            try c.encodeIfPresent(signedMessage, forKey: Key("signedMessage"))
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
