import Entrustment
import Foundation
import Replica

/// `courtsync backup`: a consistent copy of a node, taken while its daemon runs, in one archive
/// (``BackupArchive``): the replica (SQLite's online backup), the documents it records as held,
/// the node's settings, and its private key only when asked.
public enum NodeBackup {
    /// What a backup wrote.
    public struct Result: Sendable, Equatable {
        /// The archive's manifest.
        public var manifest: BackupManifest
        /// Documents the replica records as held that were not on disk (left out; the archive is
        /// otherwise whole). Expected empty.
        public var missingDocuments: [String]
    }

    /// Writes the backup of `node` to the new file `out`. `files` are the other files of the data
    /// directory to carry, relative to it (`node.json`, `clock.json`, TLS files; `node.key` only
    /// when the operator asked for the key); those absent are skipped. The archive appears at
    /// `out` only when complete.
    public static func write(
        _ node: CourtNode, files: [String], to out: URL, includesKey: Bool, software: String
    ) throws(NodeError) -> Result {
        guard !FileManager.default.fileExists(atPath: out.path) else {
            throw NodeError(code: "exists", "\(out.path) already exists: name a new file")
        }
        let folder = out.deletingLastPathComponent()
        let partial = folder.appendingPathComponent(".\(out.lastPathComponent).partial-\(getpid())")
        let copy = folder.appendingPathComponent(".\(out.lastPathComponent).replica-\(getpid()).sqlite")
        defer {
            try? FileManager.default.removeItem(at: copy)
            try? FileManager.default.removeItem(at: partial)
        }
        let snapshot: ReplicaSnapshot
        do {
            snapshot = try node.replica.backup(to: copy.path)
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        let writer = try BackupArchive.Writer(creating: partial)
        try writer.add(Replica.fileName, from: copy)
        for file in files {
            let source = node.dataDirectory.appendingPathComponent(file)
            guard FileManager.default.fileExists(atPath: source.path) else { continue }
            try writer.add(file, from: source)
        }
        let store = DocumentStore(dataDirectory: node.dataDirectory, suite: node.suite)
        var missing: [String] = []
        for document in snapshot.documents {
            guard let hash = try? DocumentHash(hex: document.hash), store.holds(hash) else {
                missing.append(document.hash)
                continue
            }
            try writer.add(documentPath(hash), from: store.url(of: hash))
        }
        let manifest = BackupManifest(
            format: BackupManifest.formatName, version: 1, software: software,
            court: snapshot.identity.court.rawValue, node: snapshot.identity.node.rawValue,
            suite: snapshot.suite.rawValue, createdAt: node.time.now().rfc3339, head: snapshot.head,
            events: snapshot.events, documents: snapshot.documents.count - missing.count, includesKey: includesKey,
            files: writer.entries)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let manifestBytes: Data
        do { manifestBytes = try encoder.encode(manifest) } catch {
            throw NodeError(code: "internal", "cannot encode the backup manifest: \(error.localizedDescription)")
        }
        try writer.add(BackupManifest.fileName, bytes: manifestBytes)
        let signature = node.sign([UInt8](manifestBytes), for: .backup)
        try writer.add(BackupManifest.signatureName, bytes: Data(Data(signature).base64EncodedString().utf8))
        try writer.finish()
        guard rename(partial.path, out.path) == 0 else {
            throw NodeError(code: "storage", "cannot write \(out.path): \(String(cString: strerror(errno)))")
        }
        return Result(manifest: manifest, missingDocuments: missing)
    }

    /// A document's name in the archive: its path under the data directory.
    static func documentPath(_ hash: DocumentHash) -> String {
        "documents/\(hash.hex.prefix(2))/\(hash.hex)"
    }
}
