/// The canonical binary encoding of an event (`Protocol/changeset.md` §3).
enum EventCoding {
    struct Fields {
        var matterID: MatterID
        var author: CourtCode
        var origin: NodeID
        var timestamp: HybridTimestamp
        var parents: [EventID]
        var action: EventAction
    }

    static let tags: [EventKind: UInt8] = [
        .create: 1, .sign: 2, .start: 3, .complete: 4, .return: 5, .withdraw: 6, .urge: 7, .supervise: 8,
        .close: 9, .edit: 10, .acknowledge: 11, .acceptLate: 12, .attach: 13, .requestSupplement: 14,
        .requestExtension: 15, .decideExtension: 16,
    ]
    static let verdicts: [ExtensionVerdict] = [.approve, .refuse]
    /// The most days one request for more time may ask for (the policy's own limit is lower).
    static let maxExtensionDays = 366
    static let fields: [DescriptiveField] = [.contactPerson, .contactPhone, .note]
    static let outcomes: [Outcome] = [.full, .partial, .none]
    static let reasons: [ReturnReason] = [
        .notInJurisdiction, .documentsIncomplete, .assetNotFound, .duplicate, .other,
    ]

    static func checkLimits(
        timestamp: HybridTimestamp, parents: [EventID], action: EventAction
    ) throws(DomainError) {
        func check(_ value: String?, _ field: String, _ limit: Int) throws(DomainError) {
            guard let value else { return }
            guard value.utf8.count <= limit else {
                throw DomainError(.invalidField, "\(field) is \(value.utf8.count) bytes, over the limit of \(limit)")
            }
        }
        guard (0...Timestamp.latest.milliseconds).contains(timestamp.wall) else {
            throw DomainError(
                .invalidField, "clock time \(timestamp.wall) ms is outside 1970-01-01 … \(Timestamp.latest.rfc3339)")
        }
        if let receivedAt = action.receivedAt, !(0...Timestamp.latest.milliseconds).contains(receivedAt.milliseconds) {
            throw DomainError(
                .invalidField,
                "received at \(receivedAt.milliseconds) ms is outside 1970-01-01 … \(Timestamp.latest.rfc3339)")
        }
        guard parents.count <= FieldLimits.parents else {
            throw DomainError(.invalidField, "an event may have at most \(FieldLimits.parents) parents")
        }
        switch action {
        case .create(let request):
            try check(request.applicant, "applicant", FieldLimits.name)
            try check(request.debtor, "debtor", FieldLimits.name)
            try check(request.debtorID, "debtor id", FieldLimits.idNumber)
            try check(request.note, "note", FieldLimits.note)
        case .sign(let note, _), .start(let note), .withdraw(let note), .urge(let note), .supervise(let note),
            .close(let note):
            try check(note, "note", FieldLimits.note)
        case .complete(_, let feedback), .return(_, let feedback, _):
            try check(feedback, "feedback", FieldLimits.feedback)
        case .edit(let field, let value):
            try field.check(value)
        case .acknowledge(_, let note), .acceptLate(_, let note):
            try check(note, "note", FieldLimits.note)
        case .attach(let document, let note):
            try document.check()
            try check(note, "note", FieldLimits.note)
        case .requestSupplement(let kinds, let note, _):
            guard !kinds.isEmpty, kinds == Array(Set(kinds)).sorted() else {
                throw DomainError(
                    .invalidField,
                    "a request for supplement names one or more document kinds, each once, in table order")
            }
            try check(note, "note", FieldLimits.note)
        case .requestExtension(let days, let reason):
            guard (1...maxExtensionDays).contains(days) else {
                throw DomainError(
                    .invalidField, "a request for more time asks for 1 to \(maxExtensionDays) days, not \(days)")
            }
            try check(reason, "reason", FieldLimits.note)
        case .decideExtension(_, _, let note):
            try check(note, "note", FieldLimits.note)
        }
        if case .create(let request) = action, let version = request.calendarVersion,
            !(1...Int(UInt32.max)).contains(version)
        {
            throw DomainError(.invalidField, "calendar version \(version) is outside 1 … \(UInt32.max)")
        }
    }

    static func encode(
        matterID: MatterID, author: CourtCode, origin: NodeID, timestamp: HybridTimestamp, parents: [EventID],
        action: EventAction
    ) -> [UInt8] {
        var w = ByteWriter()
        w.write(byte: Event.encodingVersion)
        w.write(string: matterID.rawValue)
        w.write(string: author.rawValue)
        w.write(string: origin.rawValue)
        w.write(varint: UInt64(bitPattern: timestamp.wall))
        w.write(varint: UInt64(timestamp.counter))
        w.write(varint: UInt64(parents.count))
        for parent in parents { w.write(raw: parent.bytes) }
        w.write(byte: tags[action.kind]!)
        switch action {
        case .create(let r):
            w.write(string: r.caseNumber.description)
            w.write(string: r.entrustedCourt.rawValue)
            w.write(string: r.kind.id)
            w.write(bool: r.urgent)
            w.write(optional: r.applicant)
            w.write(optional: r.debtor)
            w.write(optional: r.debtorID)
            if let expires = r.measureExpires {
                w.write(byte: 1)
                w.write(varint: UInt64(expires.daysSinceEpoch))
            } else {
                w.write(byte: 0)
            }
            w.write(optional: r.note)
            w.write(varint: UInt64(r.signDue.daysSinceEpoch))
            w.write(varint: UInt64(r.due.daysSinceEpoch))
            if let version = r.calendarVersion {
                w.write(byte: 1)
                w.write(varint: UInt64(version))
            }
        case .sign(let note, let receivedAt):
            w.write(string: note)
            write(receivedAt: receivedAt, to: &w)
        case .start(let note), .withdraw(let note), .urge(let note), .supervise(let note), .close(let note):
            w.write(string: note)
        case .complete(let outcome, let feedback):
            w.write(byte: UInt8(outcomes.firstIndex(of: outcome)! + 1))
            w.write(string: feedback)
        case .return(let reason, let feedback, let receivedAt):
            w.write(byte: UInt8(reasons.firstIndex(of: reason)! + 1))
            w.write(string: feedback)
            write(receivedAt: receivedAt, to: &w)
        case .edit(let field, let value):
            w.write(byte: UInt8(fields.firstIndex(of: field)! + 1))
            w.write(string: value)
        case .acknowledge(let conflict, let note):
            w.write(raw: conflict.bytes)
            w.write(string: note)
        case .acceptLate(let event, let note):
            w.write(raw: event.bytes)
            w.write(string: note)
        case .attach(let document, let note):
            w.write(raw: document.hash.bytes)
            w.write(string: document.kind.rawValue)
            w.write(string: document.fileName)
            w.write(string: document.mediaType.rawValue)
            w.write(varint: UInt64(document.size))
            w.write(string: note)
        case .requestSupplement(let kinds, let note, let due):
            w.write(varint: UInt64(kinds.count))
            for kind in kinds { w.write(string: kind.rawValue) }
            w.write(string: note)
            w.write(varint: UInt64(due.daysSinceEpoch))
        case .requestExtension(let days, let reason):
            w.write(varint: UInt64(days))
            w.write(string: reason)
        case .decideExtension(let request, let verdict, let note):
            w.write(raw: request.bytes)
            w.write(byte: UInt8(verdicts.firstIndex(of: verdict)! + 1))
            w.write(string: note)
        }
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws(DomainError) -> Fields {
        var r = ByteReader(bytes)
        do {
            let version = try r.readByte("version")
            guard version == Event.encodingVersion else {
                throw DomainError(.malformedEvent, "event encoding version \(version) is not supported (expected 1)")
            }
            let matterID = try MatterID(r.readString("matter id", maxBytes: FieldLimits.identifier))
            let author = try CourtCode(r.readString("author", maxBytes: FieldLimits.identifier))
            let origin = try NodeID(r.readString("origin", maxBytes: NodeID.maxBytes))
            let wall = try r.readVarint("hlc wall", max: UInt64(Timestamp.latest.milliseconds))
            let counter = try r.readVarint("hlc counter", max: UInt64(UInt32.max))
            let parentCount = try r.readVarint("parent count", max: UInt64(FieldLimits.parents))
            var parents: [EventID] = []
            for _ in 0..<parentCount { parents.append(try EventID(bytes: Array(r.readRaw(count: 32, "parent")))) }
            let tag = try r.readByte("action tag")
            guard let kind = tags.first(where: { $0.value == tag })?.key else {
                throw DomainError(.malformedEvent, "unknown action tag \(tag)")
            }
            let action: EventAction
            switch kind {
            case .create:
                let caseNumber = try CaseNumber(parsing: r.readString("case number", maxBytes: FieldLimits.identifier))
                let entrusted = try CourtCode(r.readString("entrusted court", maxBytes: FieldLimits.identifier))
                let matterKind = try MatterKind(id: r.readString("kind", maxBytes: FieldLimits.identifier))
                let urgent = try r.readBool("urgent")
                let applicant = try r.readOptionalString("applicant", maxBytes: FieldLimits.name)
                let debtor = try r.readOptionalString("debtor", maxBytes: FieldLimits.name)
                let debtorID = try r.readOptionalString("debtor id", maxBytes: FieldLimits.idNumber)
                let expires: CivilDate? =
                    switch try r.readByte("measure expires presence") {
                    case 0: nil
                    case 1: try date(&r, "measure expires")
                    case let other: throw DomainError(.malformedEvent, "measure expires: presence byte \(other)")
                    }
                let note = try r.readOptionalString("note", maxBytes: FieldLimits.note)
                let signDue = try date(&r, "sign due")
                let due = try date(&r, "due")
                var calendarVersion: Int?
                if !r.isAtEnd {
                    let marker = try r.readByte("calendar-version marker")
                    guard marker == 1 else {
                        throw DomainError(.malformedEvent, "calendar version: marker byte \(marker)")
                    }
                    let version = try r.readVarint("calendar version", max: UInt64(UInt32.max))
                    guard version >= 1 else { throw DomainError(.malformedEvent, "calendar version 0") }
                    calendarVersion = Int(version)
                }
                action = .create(
                    MatterRequest(
                        caseNumber: caseNumber, entrustedCourt: entrusted, kind: matterKind, urgent: urgent,
                        applicant: applicant, debtor: debtor, debtorID: debtorID, measureExpires: expires, note: note,
                        signDue: signDue, due: due, calendarVersion: calendarVersion))
            case .sign:
                let note = try r.readString("note", maxBytes: FieldLimits.note)
                action = .sign(note: note, receivedAt: try readReceivedAt(&r))
            case .start: action = .start(note: try r.readString("note", maxBytes: FieldLimits.note))
            case .withdraw: action = .withdraw(note: try r.readString("note", maxBytes: FieldLimits.note))
            case .urge: action = .urge(note: try r.readString("note", maxBytes: FieldLimits.note))
            case .supervise: action = .supervise(note: try r.readString("note", maxBytes: FieldLimits.note))
            case .close: action = .close(note: try r.readString("note", maxBytes: FieldLimits.note))
            case .complete:
                let code = Int(try r.readByte("outcome"))
                guard (1...outcomes.count).contains(code) else {
                    throw DomainError(.malformedEvent, "unknown outcome code \(code)")
                }
                action = .complete(
                    outcome: outcomes[code - 1], feedback: try r.readString("feedback", maxBytes: FieldLimits.feedback))
            case .return:
                let code = Int(try r.readByte("return reason"))
                guard (1...reasons.count).contains(code) else {
                    throw DomainError(.malformedEvent, "unknown return reason code \(code)")
                }
                let feedback = try r.readString("feedback", maxBytes: FieldLimits.feedback)
                action = .return(reason: reasons[code - 1], feedback: feedback, receivedAt: try readReceivedAt(&r))
            case .edit:
                let code = Int(try r.readByte("field"))
                guard (1...fields.count).contains(code) else {
                    throw DomainError(.malformedEvent, "unknown field code \(code)")
                }
                let field = fields[code - 1]
                action = .edit(field: field, value: try r.readString("value", maxBytes: field.limit))
            case .acknowledge:
                let conflict = try EventID(bytes: Array(r.readRaw(count: 32, "conflict")))
                action = .acknowledge(conflict: conflict, note: try r.readString("note", maxBytes: FieldLimits.note))
            case .acceptLate:
                let accepted = try EventID(bytes: Array(r.readRaw(count: 32, "accepted event")))
                action = .acceptLate(event: accepted, note: try r.readString("note", maxBytes: FieldLimits.note))
            case .attach:
                let hash = try DocumentHash(bytes: Array(r.readRaw(count: 32, "document hash")))
                let kindID = try r.readString("document kind", maxBytes: FieldLimits.identifier)
                guard let documentKind = DocumentKind(rawValue: kindID) else {
                    throw DomainError(.malformedEvent, "unknown document kind \"\(kindID)\"")
                }
                let fileName = try r.readString("file name", maxBytes: DocumentReference.maxFileNameBytes)
                let mediaID = try r.readString("media type", maxBytes: FieldLimits.identifier)
                guard let mediaType = DocumentMediaType(rawValue: mediaID) else {
                    throw DomainError(
                        .malformedEvent, "media type \"\(mediaID)\" is not one of PDF, OFD, JPEG, PNG, TIFF")
                }
                let size = try r.readVarint("document size", max: UInt64(DocumentReference.maxSize))
                guard size >= 1 else { throw DomainError(.malformedEvent, "a document has at least one byte") }
                action = .attach(
                    document: DocumentReference(
                        hash: hash, kind: documentKind, fileName: fileName, mediaType: mediaType, size: Int(size)),
                    note: try r.readString("note", maxBytes: FieldLimits.note))
            case .requestSupplement:
                let count = try r.readVarint("kind count", max: UInt64(DocumentKind.allCases.count))
                guard count >= 1 else { throw DomainError(.malformedEvent, "a request for supplement names no kind") }
                var kinds: [DocumentKind] = []
                for _ in 0..<count {
                    let id = try r.readString("document kind", maxBytes: FieldLimits.identifier)
                    guard let documentKind = DocumentKind(rawValue: id) else {
                        throw DomainError(.malformedEvent, "unknown document kind \"\(id)\"")
                    }
                    guard kinds.last.map({ $0 < documentKind }) ?? true else {
                        throw DomainError(.malformedEvent, "document kinds must be distinct and in table order")
                    }
                    kinds.append(documentKind)
                }
                let note = try r.readString("note", maxBytes: FieldLimits.note)
                action = .requestSupplement(kinds: kinds, note: note, due: try date(&r, "supplement due"))
            case .requestExtension:
                let days = try r.readVarint("extension days", max: UInt64(maxExtensionDays))
                guard days >= 1 else { throw DomainError(.malformedEvent, "a request for more time asks for 0 days") }
                action = .requestExtension(
                    days: Int(days), reason: try r.readString("reason", maxBytes: FieldLimits.note))
            case .decideExtension:
                let request = try EventID(bytes: Array(r.readRaw(count: 32, "extension request")))
                let code = Int(try r.readByte("verdict"))
                guard (1...verdicts.count).contains(code) else {
                    throw DomainError(.malformedEvent, "unknown verdict code \(code)")
                }
                action = .decideExtension(
                    request: request, verdict: verdicts[code - 1],
                    note: try r.readString("note", maxBytes: FieldLimits.note))
            }
            guard r.isAtEnd else {
                throw DomainError(.malformedEvent, "\(r.remaining) unexpected bytes after the event")
            }
            return Fields(
                matterID: matterID, author: author, origin: origin,
                timestamp: HybridTimestamp(wall: Int64(wall), counter: UInt32(counter)), parents: parents,
                action: action)
        } catch let failure as ByteReader.Failure {
            throw DomainError(.malformedEvent, "malformed event: \(failure.description)")
        } catch let error as DomainError {
            throw DomainError(.malformedEvent, "malformed event: \(error.message)")
        } catch {
            throw DomainError(.malformedEvent, "malformed event: \(error)")
        }
    }

    /// The arrival time a `sign` or `return` may carry, last in the event: nothing when absent
    /// (the encoding of events recorded before it was carried), else the marker 1 and the
    /// milliseconds since the epoch. One encoding per value, so the encoding stays canonical.
    private static func write(receivedAt: Timestamp?, to w: inout ByteWriter) {
        guard let receivedAt else { return }
        w.write(byte: 1)
        w.write(varint: UInt64(receivedAt.milliseconds))
    }

    private static func readReceivedAt(_ r: inout ByteReader) throws -> Timestamp? {
        guard !r.isAtEnd else { return nil }
        let marker = try r.readByte("received-at marker")
        guard marker == 1 else { throw DomainError(.malformedEvent, "received at: marker byte \(marker)") }
        let ms = try r.readVarint("received at", max: UInt64(Timestamp.latest.milliseconds))
        return Timestamp(milliseconds: Int64(ms))
    }

    private static func date(_ r: inout ByteReader, _ field: String) throws -> CivilDate {
        let days = try r.readVarint(field, max: UInt64(CivilDate(year: 9999, month: 12, day: 31).daysSinceEpoch))
        return CivilDate(daysSinceEpoch: Int(days))
    }
}
