import Entrustment
import Foundation
import TestSupport
import Testing

/// The documents table (who attaches what, what a create needs), the formats by their magic
/// bytes, the `attach` and `request-supplement` encodings, and 补办 in the fold: a request not
/// answered by its deadline leaves the matter withdrawn (视为撤回) on every replica.
@Suite("documents and 补办 (domain)")
struct DocumentRulesTests {
    // MARK: The kinds table

    /// kind → (who may attach it, Chinese name), restated as the specification.
    static let attacherTable: [(DocumentKind, Set<Role>, String)] = [
        (.entrustmentLetter, [.entrusting], "委托执行函"),
        (.judgment, [.entrusting], "生效法律文书"),
        (.ruling, [.entrusting], "执行裁定书"),
        (.assistanceNotice, [.entrusting], "协助执行通知书"),
        (.serviceReceipt, [.entrusted], "送达回证"),
        (.receipt, [.entrusted], "回执"),
        (.actRecord, [.entrusted], "查封/冻结/扣押笔录"),
        (.supplement, [.entrusting], "补充材料"),
        (.other, [.entrusting, .entrusted], "其他"),
    ]

    @Test("who may attach each kind", arguments: attacherTable)
    func attachers(kind: DocumentKind, roles: Set<Role>, name: String) {
        #expect(kind.chineseName == name)
        #expect(DocumentKind(text: name) == kind && DocumentKind(text: kind.rawValue) == kind)
        for role in Role.allCases {
            let allowed = (try? kind.checkAttach(by: [role])) != nil
            #expect(allowed == roles.contains(role), "\(kind) by \(role)")
        }
    }

    /// matter kind → the documents a create of it needs.
    static let requiredTable: [(MatterKind, [DocumentKind])] = [
        (.depositFreeze, [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]),
        (.depositDeduct, [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]),
        (.equityFreeze, [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]),
        (.realEstateSeal, [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]),
        (.realEstateTransfer, [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]),
        (.vehicleSeize, [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]),
        (.receivableFreeze, [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]),
        (.movableSeize, [.entrustmentLetter, .judgment, .ruling]),
        (.personAssistDetention, [.entrustmentLetter, .judgment, .ruling]),
        (.assetsInvestigate, [.entrustmentLetter, .judgment]),
        (.documentsServe, [.entrustmentLetter, .judgment]),
        (.other, [.entrustmentLetter, .judgment]),
    ]

    @Test("what a create of each kind needs", arguments: requiredTable)
    func required(kind: MatterKind, documents: [DocumentKind]) {
        #expect(DocumentKind.required(for: kind) == documents)
    }

    @Test("every matter kind needs at least the letter and the title")
    func everyKindNeedsLetterAndJudgment() {
        for kind in MatterKind.allCases {
            #expect(DocumentKind.required(for: kind).starts(with: [.entrustmentLetter, .judgment]), "\(kind)")
        }
    }

    // MARK: Formats

    static func zip(entry: String) -> [UInt8] {
        var bytes: [UInt8] = [0x50, 0x4B, 0x03, 0x04, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        bytes += [0, 0, 0, 0, 0, 0, 0, 0]  // compressed and uncompressed sizes: 0
        bytes += [UInt8(entry.utf8.count), 0, 0, 0] + Array(entry.utf8)
        return bytes
    }

    static let formats: [(String, [UInt8], DocumentMediaType?)] = [
        ("PDF", Array("%PDF-1.7\n%âãÏÓ".utf8), .pdf),
        ("JPEG", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], .jpeg),
        ("PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0], .png),
        ("TIFF little-endian", [0x49, 0x49, 0x2A, 0x00, 8, 0], .tiff),
        ("TIFF big-endian", [0x4D, 0x4D, 0x00, 0x2A, 0, 8], .tiff),
        ("OFD (OFD.xml first)", zip(entry: "OFD.xml"), .ofd),
        ("OFD (OFD.xml second)", zip(entry: "Doc_0/Document.xml") + zip(entry: "OFD.xml"), .ofd),
        ("a ZIP that is not OFD", zip(entry: "word/document.xml"), nil),
        ("a Windows executable", Array("MZ\u{90}\u{0}".utf8) + [UInt8](repeating: 0, count: 60), nil),
        ("an ELF executable", [0x7F, 0x45, 0x4C, 0x46, 2, 1], nil),
        ("HTML", Array("<!DOCTYPE html><html>".utf8), nil),
        ("a PDF signature not at the start", Array(" %PDF-1.7".utf8), nil),
        ("empty", [], nil),
        ("a truncated PNG signature", [0x89, 0x50, 0x4E], nil),
    ]

    @Test("formats are judged by their first bytes", arguments: formats)
    func sniff(name: String, bytes: [UInt8], expected: DocumentMediaType?) {
        #expect(DocumentMediaType.sniff(bytes) == expected, "\(name)")
    }

    // MARK: Encoding

    static let letter = DocumentReference(
        hash: DocumentHash(of: Array("委托执行函".utf8), suite: .ed25519), kind: .entrustmentLetter, fileName: "委托执行函.pdf",
        mediaType: .pdf, size: 123_456)

    @Test("attach and request-supplement events round-trip through the canonical encoding")
    func roundTrip() throws {
        let create = Fixtures.create()
        for action: EventAction in [
            .attach(document: Self.letter, note: "原件扫描"),
            .requestSupplement(kinds: [.judgment, .ruling], note: "缺裁定书", due: Fixtures.date("2026-12-31")),
        ] {
            let event = Fixtures.act(action, by: "京0105", after: [create], at: 1_795_000_100_000)
            let decoded = try Event(decoding: event.encoded)
            #expect(decoded.action == action)
            #expect(decoded.id == event.id)
        }
    }

    static let malformed: [(String, EventAction)] = [
        ("a file name with a folder", .attach(document: rename(letter, "../etc/passwd"), note: "")),
        ("an empty file name", .attach(document: rename(letter, ""), note: "")),
        ("a control character in the name", .attach(document: rename(letter, "a\u{1B}[2J.pdf"), note: "")),
        ("a size of 0", .attach(document: resize(letter, 0), note: "")),
        ("a size over 1 GiB", .attach(document: resize(letter, (1 << 30) + 1), note: "")),
        ("no kinds asked for", .requestSupplement(kinds: [], note: "", due: Fixtures.date("2026-12-31"))),
        (
            "kinds out of table order",
            .requestSupplement(kinds: [.ruling, .judgment], note: "", due: Fixtures.date("2026-12-31"))
        ),
        (
            "a kind twice",
            .requestSupplement(kinds: [.judgment, .judgment], note: "", due: Fixtures.date("2026-12-31"))
        ),
    ]

    static func rename(_ d: DocumentReference, _ name: String) -> DocumentReference {
        var copy = d
        copy.fileName = name
        return copy
    }

    static func resize(_ d: DocumentReference, _ size: Int) -> DocumentReference {
        var copy = d
        copy.size = size
        return copy
    }

    @Test("a malformed attach or request is refused before it is an event", arguments: malformed)
    func malformedPayloads(name: String, action: EventAction) {
        let create = Fixtures.create()
        #expect(throws: DomainError.self, "\(name)") {
            let event = try Event(
                matterID: create.matterID, author: Fixtures.code("京0105"), origin: Fixtures.node("京0105.node"),
                timestamp: HybridTimestamp(wall: 1_795_000_100_000, counter: 0), parents: [create.id], action: action)
            try Admission.check(
                event, history: [create], directory: Fixtures.directory, calendars: Fixtures.calendars)
        }
    }

    @Test("an unknown document kind or media type in the bytes is malformed")
    func unknownTagsInBytes() throws {
        let create = Fixtures.create()
        let event = Fixtures.act(
            .attach(document: Self.letter, note: ""), by: "京0105", after: [create], at: 1_795_000_100_000)
        var bytes = event.encoded
        let kind = Array("entrustment-letter".utf8)
        let at = try #require(bytes.indices.first { bytes[$0...].starts(with: kind) })
        bytes[at] = UInt8(ascii: "x")
        #expect(throws: DomainError.self) { try Event(decoding: bytes) }
        var media = event.encoded
        let pdf = Array("application/pdf".utf8)
        let mediaAt = try #require(media.indices.first { media[$0...].starts(with: pdf) })
        media[mediaAt] = UInt8(ascii: "x")
        #expect(throws: DomainError.self) { try Event(decoding: media) }
    }

    // MARK: Admission

    static let create = Fixtures.create(kind: .documentsServe)
    static let createdAt = create.timestamp.wall
    static let day: Int64 = 86_400_000

    static func check(_ event: Event, _ history: [Event]) throws(DomainError) {
        try Admission.check(event, history: history, directory: Fixtures.directory, calendars: Fixtures.calendars)
    }

    static func request(after parents: [Event], at wall: Int64, kinds: [DocumentKind] = [.judgment]) -> Event {
        let due = try! Fixtures.calendars.supplementDue(
            requestedOn: Timestamp(milliseconds: wall).chinaDate, version: 1)
        return Fixtures.act(
            .requestSupplement(kinds: kinds, note: "缺判决书", due: due), by: "粤0106", after: parents, at: wall)
    }

    static func attach(_ kind: DocumentKind, by court: String, after parents: [Event], at wall: Int64) -> Event {
        var document = letter
        document.kind = kind
        document.hash = DocumentHash(of: Array("\(kind) \(wall)".utf8), suite: .ed25519)
        return Fixtures.act(.attach(document: document, note: ""), by: court, after: parents, at: wall)
    }

    @Test("each party attaches only its own kinds; a third court attaches nothing")
    func attachRoles() throws {
        try Self.check(Self.attach(.judgment, by: "京0105", after: [Self.create], at: Self.createdAt + 1), [Self.create])
        try Self.check(Self.attach(.receipt, by: "粤0106", after: [Self.create], at: Self.createdAt + 1), [Self.create])
        for (kind, court) in [
            (DocumentKind.receipt, "京0105"), (.judgment, "粤0106"), (.other, "京03"), (.other, "沪0115"),
        ] {
            #expect(throws: DomainError.self, "\(kind) by \(court)") {
                try Self.check(
                    Self.attach(kind, by: court, after: [Self.create], at: Self.createdAt + 1), [Self.create])
            }
        }
    }

    @Test("a request's deadline must be the one the calendar gives; a second open request is refused")
    func requestRules() throws {
        let request = Self.request(after: [Self.create], at: Self.createdAt + Self.day)
        try Self.check(request, [Self.create])
        guard case .requestSupplement(let kinds, _, let due) = request.action else { return }
        let longer = Fixtures.act(
            .requestSupplement(kinds: kinds, note: "", due: due.adding(days: 30)), by: "粤0106", after: [Self.create],
            at: Self.createdAt + Self.day)
        #expect { try Self.check(longer, [Self.create]) } throws: {
            ($0 as? DomainError)?.message.contains("supplement deadline") == true
        }
        let second = Self.request(after: [request], at: Self.createdAt + 2 * Self.day)
        #expect { try Self.check(second, [Self.create, request]) } throws: {
            ($0 as? DomainError)?.message.contains("already waits") == true
        }
        let byEntrusting = Fixtures.act(
            request.action, by: "京0105", after: [Self.create], at: Self.createdAt + Self.day)
        #expect(throws: DomainError.self) { try Self.check(byEntrusting, [Self.create]) }
    }

    // MARK: 补办 in the fold

    /// The moment a request made at `wall` lapses.
    static func lapse(of request: Event) -> Timestamp {
        guard case .requestSupplement(_, _, let due) = request.action else { fatalError() }
        return DeadlinePolicy.end(of: due)
    }

    @Test(
        "an unanswered request leaves the matter withdrawn at its deadline: not before, at it and after",
        arguments: [(-1, false), (0, true), (86_400_000, true)])
    func lapseBoundaries(offset: Int64, withdrawn: Bool) throws {
        let request = Self.request(after: [Self.create], at: Self.createdAt + Self.day)
        let matter = try #require(MatterFold.fold([Self.create, request], directory: Fixtures.directory))
        let lapse = Self.lapse(of: request)
        // The default period: 30 calendar days from the day after the request (art. 85).
        let thirty = request.recordedAt.chinaDate.adding(days: 30)
        #expect((thirty...thirty.adding(days: 10)).contains(try #require(matter.supplement?.due)))
        let at = matter.lapsing(at: lapse.adding(milliseconds: offset))
        #expect(at.state == (withdrawn ? .withdrawn : .sent))
        #expect(at.deemedWithdrawn == withdrawn)
        #expect(at.withdrawnAt == (withdrawn ? lapse : nil))
    }

    @Test("answered in time (every kind asked for attached after the request), the matter stays open")
    func answeredInTime() throws {
        let request = Self.request(
            after: [Self.create], at: Self.createdAt + Self.day, kinds: [.judgment, .supplement])
        let one = Self.attach(.judgment, by: "京0105", after: [request], at: Self.createdAt + 2 * Self.day)
        let partial = try #require(MatterFold.fold([Self.create, request, one], directory: Fixtures.directory))
        #expect(partial.supplement?.answeredAt == nil)
        #expect(partial.lapsing(at: Self.lapse(of: request)).state == .withdrawn)
        let two = Self.attach(.supplement, by: "京0105", after: [one], at: Self.createdAt + 3 * Self.day)
        let answered = try #require(MatterFold.fold([Self.create, request, one, two], directory: Fixtures.directory))
        #expect(answered.supplement?.answeredAt == two.recordedAt)
        let later = answered.lapsing(at: Self.lapse(of: request).adding(milliseconds: 10 * Self.day))
        #expect(later.state == .sent && !later.deemedWithdrawn)
        // Once answered, the entrusted court may act again.
        let sign = Fixtures.act(
            .sign(note: ""), by: "粤0106", after: [two], at: Self.lapse(of: request).milliseconds + 1)
        try Self.check(sign, [Self.create, request, one, two])
    }

    @Test("a document attached before the request, or by the wrong court, or after the lapse, does not answer it")
    func notAnswers() throws {
        let early = Self.attach(.judgment, by: "京0105", after: [Self.create], at: Self.createdAt + 1)
        let request = Self.request(after: [early], at: Self.createdAt + Self.day)
        let matter = try #require(MatterFold.fold([Self.create, early, request], directory: Fixtures.directory))
        #expect(matter.supplement?.answeredAt == nil)
        let lapse = Self.lapse(of: request)
        // After the lapse the entrusting court can no longer attach: the matter is withdrawn.
        let late = Self.attach(.judgment, by: "京0105", after: [request], at: lapse.milliseconds + 1)
        #expect { try Self.check(late, [Self.create, early, request]) } throws: {
            ($0 as? DomainError)?.message.contains("视为撤回") == true
        }
        // Nor may the entrusted court sign it.
        let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [request], at: lapse.milliseconds + 1)
        #expect(throws: DomainError.self) { try Self.check(sign, [Self.create, early, request]) }
    }

    @Test(
        "a withdrawal before the deadline stands as the entrusting court's own; a completion concurrent with the request stands"
    )
    func concurrentActs() throws {
        let request = Self.request(after: [Self.create], at: Self.createdAt + Self.day)
        let withdraw = Fixtures.act(
            .withdraw(note: "撤回"), by: "京0105", after: [request], at: Self.createdAt + 2 * Self.day)
        let withdrawn = try #require(MatterFold.fold([Self.create, request, withdraw], directory: Fixtures.directory))
        let settled = withdrawn.lapsing(at: Self.lapse(of: request).adding(milliseconds: Self.day))
        #expect(settled.state == .withdrawn && !settled.deemedWithdrawn && settled.withdrawnAt == withdraw.recordedAt)

        // 粤0106's other node signs and completes without having seen the request: acts done in
        // the world stand, and the request no longer withdraws anything.
        let sign = Fixtures.act(
            .sign(note: ""), by: "粤0106", after: [Self.create], at: Self.createdAt + 2 * Self.day, node: "粤0106.b")
        let complete = Fixtures.act(
            .complete(outcome: .full, feedback: "已送达"), by: "粤0106", after: [sign],
            at: Self.lapse(of: request).milliseconds + Self.day, node: "粤0106.b")
        try Self.check(complete, [Self.create, sign])
        let events = [Self.create, request, sign, complete]
        for order in [events, events.reversed(), [Self.create, sign, request, complete]] {
            let folded = try #require(MatterFold.fold(order, directory: Fixtures.directory))
            let settledLater = folded.lapsing(at: Self.lapse(of: request).adding(milliseconds: 5 * Self.day))
            #expect(settledLater.state == .completed && !settledLater.deemedWithdrawn)
        }
    }

    @Test("材料待补: the kinds required and not attached by the entrusting court")
    func missingDocuments() throws {
        let bare = try #require(MatterFold.fold([Self.create], directory: Fixtures.directory))
        #expect(bare.missingDocuments == [.entrustmentLetter, .judgment])
        let letter = Self.attach(.entrustmentLetter, by: "京0105", after: [Self.create], at: Self.createdAt + 1)
        let receipt = Self.attach(.receipt, by: "粤0106", after: [letter], at: Self.createdAt + 2)
        let some = try #require(MatterFold.fold([Self.create, letter, receipt], directory: Fixtures.directory))
        #expect(some.missingDocuments == [.judgment])
        #expect(some.documents.map(\.court.rawValue) == ["京0105", "粤0106"])
    }

    @Test(
        "histories with documents and requests converge whatever the arrival order",
        arguments: try TestSeed.table(0..<12))
    func convergence(seed: UInt64) throws {
        let events = RandomHistory.events(seed: 900 &+ seed, steps: 40, documents: true)
        let reference = MatterFold.fold(events, directory: Fixtures.directory)
        let later = Timestamp(milliseconds: 1_900_000_000_000)
        for shuffle in 0..<4 {
            let order = RandomHistory.causalShuffle(events, seed: seed &* 10 &+ UInt64(shuffle))
            let folded = MatterFold.fold(order, directory: Fixtures.directory)
            #expect(folded == reference)
            #expect(folded?.lapsing(at: later) == reference?.lapsing(at: later))
        }
    }
}
