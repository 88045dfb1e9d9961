import Entrustment
import Foundation
import Replica

/// A clerk's file to attach: its kind and where it is.
public struct DocumentFile: Sendable {
    public var kind: DocumentKind
    public var file: URL

    public init(kind: DocumentKind, file: URL) {
        self.kind = kind
        self.file = file
    }
}

/// Documents (委托材料, 回执) as a clerk handles them: attached to a matter (stored here by content,
/// named in a signed `attach` event), listed, written out (each read recorded, 查阅留痕), asked
/// for again (补办), and re-checked by the audit.
extension CourtNode {
    /// The node's document store under `limits`.
    public func documentStore(limits: DocumentStore.Limits = DocumentStore.Limits()) -> DocumentStore {
        DocumentStore(dataDirectory: dataDirectory, suite: replica.suite, limits: limits)
    }

    /// 委托 with its documents: stores the files, then sends the matter and attaches them, all in
    /// one transaction. Unless `documentsLater`, every kind the matter kind requires must be among
    /// them (`missingDocuments`); with it, the matter shows 材料待补 until they are attached. If
    /// anything is refused, the files this call added are removed again and nothing is sent.
    public func createMatter(
        _ draft: MatterDraft, attaching files: [DocumentFile], documentsLater: Bool, limits: DocumentStore.Limits
    ) throws(NodeError) -> Matter {
        let kind: MatterKind
        do { kind = try MatterKind(id: draft.kind) } catch { throw NodeError(code: error.code.rawValue, error.message) }
        let missing = DocumentKind.required(for: kind).filter { required in !files.contains { $0.kind == required } }
        if !missing.isEmpty, !documentsLater {
            throw NodeError(
                code: "missingDocuments",
                "a \(kind.id) (\(kind.chineseName)) matter needs \(missing.map { "\($0.rawValue) \($0.chineseName)" }.joined(separator: ", ")): attach them with --attach KIND=FILE, or send now and attach later with --documents-later (the matter then shows 材料待补)"
            )
        }
        for file in files {
            do {
                try file.kind.checkAttach(by: [.entrusting])
            } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
        }
        let store = documentStore(limits: limits)
        let (references, added) = try storeFiles(files, in: store)
        do {
            return try createMatter(draft, attaching: references.map { ($0, "") })
        } catch {
            for hash in added { try? FileManager.default.removeItem(at: store.url(of: hash)) }
            throw error
        }
    }

    /// 提交材料: stores the file and attaches it to the matter (one signed `attach` event).
    public func attach(
        _ file: DocumentFile, to matterID: String, note: String, limits: DocumentStore.Limits
    ) throws(NodeError) -> Matter {
        let store = documentStore(limits: limits)
        let (references, added) = try storeFiles([file], in: store)
        do {
            return try attach(references.map { ($0, note) }, to: matterID)
        } catch {
            for hash in added { try? FileManager.default.removeItem(at: store.url(of: hash)) }
            throw error
        }
    }

    private func storeFiles(_ files: [DocumentFile], in store: DocumentStore) throws(NodeError) -> (
        [DocumentReference], [DocumentHash]
    ) {
        var references: [DocumentReference] = []
        var added: [DocumentHash] = []
        do throws(NodeError) {
            for file in files {
                let reference = try store.add(file: file.file, kind: file.kind)
                if try !read({ () throws(ReplicaError) in try replica.listsDocument(reference.hash) }) {
                    added.append(reference.hash)
                }
                references.append(reference)
            }
        } catch {
            for hash in added { try? FileManager.default.removeItem(at: store.url(of: hash)) }
            throw error
        }
        return (references, added)
    }

    /// Attaches documents already stored here, one `attach` event each, in one transaction.
    private func attach(_ documents: [(DocumentReference, String)], to matterID: String) throws(NodeError) -> Matter {
        let id = try parseMatterID(matterID)
        let now = time.now()
        return try write { tx in
            guard try tx.matter(id) != nil else {
                throw ReplicaError(.unknownMatter, "unknown matter \(id): this replica does not hold it")
            }
            return try appendAttaches(documents, to: id, in: &tx, now: now)
        }
    }

    /// Appends an `attach` event per document to a matter this transaction holds, and lists each
    /// document as stored here, all in the caller's transaction. Returns the matter.
    func appendAttaches(
        _ documents: [(DocumentReference, String)], to id: MatterID, in tx: inout ReplicaTransaction, now: Timestamp
    ) throws -> Matter {
        var matter = try tx.matter(id)!
        for (reference, note) in documents {
            let event = try Event(
                suite: replica.suite, matterID: id, author: identity.court, origin: identity.node,
                timestamp: tx.tick(now: now),
                parents: matter.heads, action: .attach(document: reference, note: note)
            ).signed(with: signingKey)
            try tx.append([event], origin: .local, now: now)
            try tx.recordDocument(
                DocumentNeed(hash: reference.hash, size: reference.size, mediaType: reference.mediaType), now: now)
            matter = try tx.matter(id)!
        }
        return matter
    }

    /// 要求补办: asks the entrusting court for documents of `kinds`; the deadline is computed with
    /// the calendar version the matter's `create` names, from the day of the request.
    public func requestSupplement(
        _ matterID: String, kinds: [DocumentKind], note: String
    ) throws(NodeError) -> Matter {
        let id = try parseMatterID(matterID)
        guard !kinds.isEmpty else {
            throw NodeError(code: "invalidField", "name at least one document kind to ask for (--kinds)")
        }
        let identity = self.identity
        let now = time.now()
        return try write { tx in
            guard let matter = try tx.matter(id) else {
                throw ReplicaError(.unknownMatter, "unknown matter \(id): this replica does not hold it")
            }
            guard let calendars = tx.calendars else {
                throw ReplicaError(.unknownCalendar, "this node holds no signed calendar from the hub yet")
            }
            let stamp = tx.tick(now: now)
            let due = try calendars.supplementDue(
                requestedOn: stamp.timestamp.chinaDate, version: matter.request.effectiveCalendarVersion)
            let event = try Event(
                suite: replica.suite, matterID: id, author: identity.court, origin: identity.node, timestamp: stamp,
                parents: matter.heads,
                action: .requestSupplement(kinds: Array(Set(kinds)).sorted(), note: note, due: due)
            ).signed(with: signingKey)
            try tx.append([event], origin: .local, now: now)
            return try tx.matter(id)!
        }
    }

    /// Where ``readDocument(_:to:limits:)`` puts the bytes.
    public enum DocumentDestination {
        /// A file, written beside its final name and renamed once checked (`saved`).
        case file(URL)
        /// The screen or a pipe, chunk by chunk, after the stored copy is checked (`opened`).
        case stream((Data) -> Void)
    }

    /// Writes a document a matter here names to `destination`, checked against its hash, never
    /// holding more than a chunk in memory, and records the read.
    public func readDocument(
        _ hashText: String, to destination: DocumentDestination, limits: DocumentStore.Limits
    ) throws(NodeError) -> (document: DocumentNeed, matter: String) {
        let hash: DocumentHash
        do { hash = try DocumentHash(hex: hashText) } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        let court = identity.court
        guard let access = try read({ () throws(ReplicaError) in try replica.document(hash, visibleTo: court) })
        else {
            throw NodeError(code: "unknownDocument", "no matter held here names document \(hash.hex)")
        }
        let (need, matter) = (access.need, access.matter)
        let store = documentStore(limits: limits)
        guard store.holds(hash) else {
            throw NodeError(
                code: "documentNotHere",
                "document \(hash.hex.prefix(12)) of \(matter) has not arrived yet: it comes with the next sync (courtsync sync)"
            )
        }
        let how: String
        switch destination {
        case .file(let file):
            try store.copy(hash, to: file)
            how = "saved"
        case .stream(let sink):
            guard case .intact = store.check(hash) else {
                throw NodeError(code: "documentAltered", "the stored copy of \(hash.hex) was altered on disk")
            }
            for index in 0..<(try store.manifest(of: hash)).chunks.count {
                sink(Data(try store.chunk(index, of: hash)))
            }
            how = "opened"
        }
        let identity = self.identity
        try read { () throws(ReplicaError) in
            try replica.recordRead(
                of: hash, matter: matter, court: identity.court.rawValue, node: identity.node.rawValue, how: how,
                bytes: need.size, now: time.now())
        }
        return (need, matter)
    }

    /// The read log (查阅留痕) of a matter's documents, of one document, or of all.
    public func documentReads(matter: String?, hash: String?) throws(NodeError) -> [DocumentRead] {
        try read { () throws(ReplicaError) in try replica.documentReads(matter: matter, hash: hash) }
    }

    /// Re-hashes every document the replica lists as stored here: the ones missing or altered.
    public func auditDocuments() throws(NodeError) -> (checked: Int, findings: [AuditFinding]) {
        let stored = try read { () throws(ReplicaError) in try replica.storedDocuments() }
        let store = documentStore()
        var findings: [AuditFinding] = []
        for (hex, _) in stored {
            guard let hash = try? DocumentHash(hex: hex) else { continue }
            let check = store.check(hash)
            if case .intact = check { continue }
            let matter =
                (try? read { () throws(ReplicaError) in try replica.document(hash, visibleTo: .supreme) })??.matter
                ?? ""
            switch check {
            case .intact: continue
            case .missing:
                findings.append(
                    AuditFinding(
                        matter: matter, event: nil, sequence: nil,
                        problem: "document \(hex) is missing from \(store.url(of: hash).path)"))
            case .altered(let actual):
                findings.append(
                    AuditFinding(
                        matter: matter, event: nil, sequence: nil,
                        problem: "document \(hex) was altered on disk: its bytes hash to \(actual)"))
            }
        }
        return (stored.count, findings)
    }

    /// Makes the matters whose request for supplement lapsed unanswered withdrawn (视为撤回).
    @discardableResult
    public func settleLapsedSupplements() throws(NodeError) -> [MatterID] {
        let now = time.now()
        return try write { tx in try tx.settleLapsedSupplements(now: now) }
    }
}
