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
}

/// Change files (离线介质): change sets written to and read from files, for courts that move
/// data by hand or while the network is down. Format: `Protocol/changeset.md`.
extension CourtNode {
    /// Writes the events stored after `since` (all by default), only those of matters
    /// `court` may see if given, to a change file.
    public func exportChanges(to file: URL, for court: String?, since: Int64) throws(NodeError) -> ExportReport {
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
            senderCourt: identity.court, senderNode: identity.node, createdAt: time.now(),
            throughSequence: UInt64(selection.through), events: selection.events, witnesses: selection.witnesses)
        let bytes: [UInt8]
        do {
            bytes = try ChangeSetCodec.encode(set)
            try Data(bytes).write(to: file, options: .atomic)
        } catch let error as ChangeSetError {
            throw NodeError(code: error.code.rawValue, error.message)
        } catch {
            throw NodeError(code: "storage", "cannot write \(file.path): \(error.localizedDescription)")
        }
        return ExportReport(
            file: file.path, events: set.events.count, throughSequence: set.throughSequence, forCourt: court,
            bytes: bytes.count)
    }

    /// Reads a change file and applies it, all or nothing: a damaged file, or any event or
    /// witness this replica refuses, leaves the replica as it was.
    public func importChanges(from file: URL, limits: ChangeSetLimits = .standard) throws(NodeError) -> ImportReport {
        let bytes = [UInt8](try BoundedFile.read(file, limit: limits.maxEncodedBytes))
        let set: ChangeSet
        do {
            set = try ChangeSetCodec.decode(bytes, limits: limits)
        } catch {
            throw NodeError(code: error.code.rawValue, "\(file.lastPathComponent): \(error.message)")
        }
        let now = time.now()
        let court = identity.court
        let report = try write { tx in
            var report = try tx.append(
                set.events, origin: .remote, now: now, visibleTo: court, receivedFrom: set.senderNode)
            let witnessed = try tx.store(set.witnesses, receivedFrom: set.senderNode, now: now, visibleTo: court)
            if let refused = witnessed.refused.first {
                throw ReplicaError(.badSignature, "witness of event \(refused.event.hex.prefix(12)): \(refused.reason)")
            }
            report.add(witnessed)
            return report
        }
        return ImportReport(
            senderCourt: set.senderCourt.rawValue, senderNode: set.senderNode.rawValue, events: set.events.count,
            stored: report.stored, duplicates: report.duplicates, notVisible: report.notVisible,
            witnesses: report.witnessesStored, matters: report.touchedMatters.map(\.rawValue))
    }
}
