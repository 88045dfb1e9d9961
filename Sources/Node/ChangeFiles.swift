import Entrustment
import Foundation
import Replica
import SyncProtocol

/// What an export wrote.
public struct ExportReport: Sendable, Encodable {
    /// The file written.
    public var file: String
    /// Events in the file.
    public var events: Int
    /// The sender's arrival sequence the file covers up to: pass it as `--since` next time.
    public var throughSequence: UInt64
    /// The court the file was filtered for, if any.
    public var forCourt: String?
    /// The file's size in bytes.
    public var bytes: Int
    /// Documents carried (those the events attach and this node holds).
    public var documents: Int = 0
    /// Documents the events attach that this node does not hold yet (not carried), by hash.
    public var documentsNotHere: [String] = []
}

/// What an import did.
public struct ImportReport: Sendable, Encodable {
    /// The court that made the file.
    public var senderCourt: String
    /// The node that made the file.
    public var senderNode: String
    /// Events in the file.
    public var events: Int
    /// Events newly stored.
    public var stored: Int
    /// Events this replica already held.
    public var duplicates: Int
    /// Events of matters this court may not see, left out.
    public var notVisible: Int
    /// The hub's witnesses newly stored.
    public var witnesses: Int
    /// The matters whose state changed.
    public var matters: [String]
    /// Documents the file carried that are now stored here.
    public var documents: Int = 0
}

/// Change files (离线介质): change sets written to and read from files, for courts that move
/// data by hand or while the network is down. Format: `Protocol/changeset.md`.
extension CourtNode {
    /// Writes the events stored after `since` (all by default), only those of matters
    /// `court` may see if given, to a change file.
    public func exportChanges(
        to file: URL, for court: String?, since: Int64, withDocuments: Bool = true
    ) throws(NodeError) -> ExportReport {
        var filter: CourtCode?
        if let court {
            do {
                let code = try CourtCode(court)
                _ = try replica.directory.court(code)
                filter = code
            } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
        }
        guard since >= 0 else { throw NodeError(code: "invalidField", "--since must be 0 or more") }
        let selection = try read { () throws(ReplicaError) in try replica.events(after: since, visibleTo: filter) }
        let set = ChangeSet(
            suite: replica.suite, senderCourt: identity.court, senderNode: identity.node, createdAt: time.now(),
            throughSequence: UInt64(selection.through), events: selection.events, witnesses: selection.witnesses)
        let bytes: [UInt8]
        do {
            bytes = try ChangeSetCodec.encode(set)
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        var documents: [DocumentReference] = []
        var notHere: [String] = []
        let store = documentStore()
        if withDocuments {
            var seen: Set<DocumentHash> = []
            for event in set.events {
                guard case .attach(let document, _) = event.action, seen.insert(document.hash).inserted else {
                    continue
                }
                // For a court, only what it may read: documents another court attached in its
                // matters (the hub reads all).
                if let filter {
                    let access = try read { () throws(ReplicaError) in
                        try replica.document(document.hash, visibleTo: filter)
                    }
                    guard access?.mayRead == true else { continue }
                }
                guard store.holds(document.hash) else {
                    notHere.append(document.hash.hex)
                    continue
                }
                // An attach whose size is not the stored bytes' (another court's mistake or lie)
                // is not a way to carry them.
                guard (try? store.manifest(of: document.hash))?.size == document.size else { continue }
                documents.append(document)
            }
        }
        let size = try DocumentSection.write(changeSet: bytes, documents: documents, from: store, to: file)
        let reader = filter ?? identity.court
        let node = identity.node
        let now = time.now()
        for document in documents {
            let matter = set.events.first { event in
                if case .attach(let attached, _) = event.action { return attached.hash == document.hash }
                return false
            }?.matterID.rawValue
            try read { () throws(ReplicaError) in
                try replica.recordRead(
                    of: document.hash, matter: matter, court: reader.rawValue, node: node.rawValue, how: "exported",
                    bytes: document.size, now: now)
            }
        }
        return ExportReport(
            file: file.path, events: set.events.count, throughSequence: set.throughSequence, forCourt: court,
            bytes: size, documents: documents.count, documentsNotHere: notHere)
    }

    /// Reads a change file and applies it, all or nothing: a damaged file, or any event or
    /// witness this replica refuses, leaves the replica as it was.
    public func importChanges(
        from file: URL, limits: ChangeSetLimits = .standard, documentLimits: DocumentStore.Limits = .init()
    ) throws(NodeError) -> ImportReport {
        let reader = try DocumentSection.Reader(file: file)
        defer { reader.close() }
        let set: ChangeSet
        let length: Int
        do {
            length = try ChangeSetCodec.encodedLength(startingWith: reader.prefix, limits: limits)
        } catch {
            throw NodeError(code: error.code.rawValue, "\(file.lastPathComponent): \(error.message)")
        }
        let bytes = try reader.changeSet(length: length)
        do {
            set = try ChangeSetCodec.decode(bytes, suite: replica.suite, limits: limits)
        } catch {
            throw NodeError(code: error.code.rawValue, "\(file.lastPathComponent): \(error.message)")
        }
        let store = documentStore(limits: documentLimits)
        var attached: [DocumentHash: DocumentReference] = [:]
        for event in set.events {
            if case .attach(let document, _) = event.action, attached[document.hash] == nil {
                attached[document.hash] = document
            }
        }
        let carried = try reader.readDocuments(into: store, attached: attached, file: file)
        let added = carried.filter(\.added).map(\.reference.hash)
        let now = time.now()
        let court = identity.court
        let applied: ReplicaTransaction.AppendReport
        let kept: Set<DocumentHash>
        do {
            (applied, kept) = try applyImported(set, documents: carried, now: now, court: court)
        } catch {
            for hash in added { try? FileManager.default.removeItem(at: store.url(of: hash)) }
            throw error
        }
        for hash in added where !kept.contains(hash) { try? FileManager.default.removeItem(at: store.url(of: hash)) }
        let documents = kept.count
        return ImportReport(
            senderCourt: set.senderCourt.rawValue, senderNode: set.senderNode.rawValue, events: set.events.count,
            stored: applied.stored, duplicates: applied.duplicates, notVisible: applied.notVisible,
            witnesses: applied.witnessesStored, matters: applied.touchedMatters.map(\.rawValue), documents: documents)
    }

    /// Applies a change file's events and witnesses and lists the documents it carried, in one
    /// transaction: a document is kept if this court may read it (its sender carried the bytes,
    /// so its attaches open them) or it was held here already. Returns the documents kept.
    private func applyImported(
        _ set: ChangeSet, documents: [(reference: DocumentReference, added: Bool)], now: Timestamp, court: CourtCode
    ) throws(NodeError) -> (ReplicaTransaction.AppendReport, Set<DocumentHash>) {
        try write { tx in
            var report = try tx.append(
                set.events, origin: .remote, now: now, visibleTo: court, receivedFrom: set.senderNode)
            let witnessed = try tx.store(set.witnesses, receivedFrom: set.senderNode, now: now, visibleTo: court)
            if let refused = witnessed.refused.first {
                throw ReplicaError(.badSignature, "witness of event \(refused.event.hex.prefix(12)): \(refused.reason)")
            }
            report.add(witnessed)
            var kept: Set<DocumentHash> = []
            for (reference, added) in documents {
                let hash = reference.hash
                try tx.recordHolder(of: hash, court: set.senderCourt, now: now)
                guard try tx.document(hash, visibleTo: court)?.mayRead == true || !added else { continue }
                try tx.recordDocument(
                    DocumentNeed(hash: hash, size: reference.size, mediaType: reference.mediaType), now: now)
                kept.insert(hash)
            }
            return (report, kept)
        }
    }
}
