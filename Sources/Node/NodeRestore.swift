import Entrustment
import Foundation
import Replica

/// `courtsync restore`: puts a node back from a backup archive (``NodeBackup``). Everything is
/// unpacked and checked beside the data directory first — the manifest's signature by the key
/// being installed, every entry against the manifest's size and SHA-256, the replica's integrity
/// and identity, every document against its hash, the key against the replica — and only then
/// moved into place, so a bad or altered archive changes nothing.
/// The restored replica is marked (``Replica/markRestored(now:)``): a new restore id, its arrival
/// sequence moved past anything given out before, and its links asking for this node's own events
/// until caught up, so that what it sent after the backup comes back from the hub. A hub's backup
/// is refused.
public enum NodeRestore {
    /// What a restore did.
    public struct Result: Sendable, Equatable {
        /// The archive's manifest.
        public var manifest: BackupManifest
        /// Where the data directory's previous contents went (`--force`), if it held any.
        public var replacedTo: URL?
        /// The restore's id (announced in hello).
        public var restoreID: String
        /// Documents the replica records as held that the archive lacks (fetched again from the
        /// hub by the document loop, where the node may read them).
        public var missingDocuments: Int
    }

    /// The most entries an archive may hold.
    static let maxEntries = 5_000_000

    /// Restores `archive` into `dataDirectory`, which must be absent or empty unless `force`
    /// (then its contents are moved aside to a sibling folder, never deleted). Without the key in
    /// the archive, the node's key comes from `keyFile`, else from the `node.key` already in
    /// `dataDirectory`. The caller makes sure no daemon runs on `dataDirectory`.
    public static func restore(
        _ archive: URL, into dataDirectory: URL, keyFile: URL?, force: Bool, time: any TimeSource
    ) throws(NodeError) -> Result {
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: dataDirectory.path)) ?? []
        let holdsSomething = existing.contains { $0 != "daemon.lock" }
        if holdsSomething && !force {
            throw NodeError(
                code: "exists",
                "\(dataDirectory.path) is not empty: pass --force to restore over it (its contents are moved aside, not deleted)"
            )
        }
        let parent = dataDirectory.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(".\(dataDirectory.lastPathComponent).restoring-\(getpid())")
        try? FileManager.default.removeItem(at: staging)
        guard mkdir(staging.path, 0o700) == 0 else {
            throw NodeError(code: "storage", "cannot create \(staging.path): \(String(cString: strerror(errno)))")
        }
        var placed = false
        defer { if !placed { try? FileManager.default.removeItem(at: staging) } }

        let (manifest, manifestBytes, signature) = try unpack(archive, into: staging)
        let snapshot: ReplicaSnapshot
        do {
            snapshot = try Replica.snapshot(at: staging.appendingPathComponent(Replica.fileName).path)
        } catch {
            throw NodeError(code: "badBackup", "\(archive.path): \(error.message)")
        }
        guard snapshot.identity.node.rawValue == manifest.node, snapshot.identity.court.rawValue == manifest.court,
            snapshot.suite.rawValue == manifest.suite
        else {
            throw NodeError(
                code: "badBackup",
                "\(archive.path): the manifest names \(manifest.node) but the replica is \(snapshot.identity.node)")
        }
        guard snapshot.identity.court != .supreme else {
            throw NodeError(
                code: "hubBackup",
                "\(archive.path) is the hub's backup: a hub is not put back from a node backup, since courts would not send back its own acts, witnesses and directory versions since then; keep the hub on PostgreSQL with a standby to promote (docs/postgres.md, docs/operations.md)"
            )
        }
        try placeKey(in: staging, keyFile: keyFile, dataDirectory: dataDirectory)
        // The manifest (and through its SHA-256s every entry) is the node's own: signed with the
        // key being installed, which the replica must hold as its own too (checked on opening).
        let key = try NodeKeyFile.load(from: staging, suite: snapshot.suite)
        guard SignaturePurpose.backup.isValid(signature, of: manifestBytes, by: key.publicKey) else {
            throw NodeError(
                code: "badBackup",
                "\(archive.path): the manifest's signature does not verify with the node's key: the backup was altered, or is another node's"
            )
        }
        let store = DocumentStore(dataDirectory: staging, suite: snapshot.suite)
        var missing = 0
        for document in snapshot.documents {
            guard let hash = try? DocumentHash(hex: document.hash) else { continue }
            switch store.check(hash) {
            case .intact: continue
            case .missing: missing += 1
            case .altered(let actual):
                throw NodeError(
                    code: "badBackup",
                    "\(archive.path): document \(hash.hex.prefix(12)) holds other bytes (\(actual.prefix(12)))")
            }
        }
        let restoreID: String
        do {
            let node = try CourtNode(dataDirectory: staging, time: time)
            defer { try? node.close() }
            guard node.identity.node.rawValue == manifest.node else {
                throw NodeError(code: "badBackup", "the restored replica is not \(manifest.node)")
            }
            do { restoreID = try node.replica.markRestored(now: node.wallClock.now()) } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
        }
        var replacedTo: URL?
        if FileManager.default.fileExists(atPath: dataDirectory.path) {
            if holdsSomething {
                let stamp = time.now().rfc3339.filter { $0.isNumber }.prefix(14)
                let aside = parent.appendingPathComponent("\(dataDirectory.lastPathComponent).replaced-\(stamp)")
                guard rename(dataDirectory.path, aside.path) == 0 else {
                    throw NodeError(
                        code: "storage",
                        "cannot move \(dataDirectory.path) aside: \(String(cString: strerror(errno)))")
                }
                replacedTo = aside
            } else {
                // Empty but for a stale lock file: removed only if that is all it holds.
                unlink(dataDirectory.appendingPathComponent("daemon.lock").path)
                guard rmdir(dataDirectory.path) == 0 else {
                    throw NodeError(
                        code: "storage", "cannot replace \(dataDirectory.path): \(String(cString: strerror(errno)))")
                }
            }
        }
        guard rename(staging.path, dataDirectory.path) == 0 else {
            throw NodeError(
                code: "storage",
                "cannot move the restored node into \(dataDirectory.path): \(String(cString: strerror(errno)))")
        }
        placed = true
        return Result(manifest: manifest, replacedTo: replacedTo, restoreID: restoreID, missingDocuments: missing)
    }

    /// Unpacks every entry into `staging` and checks them against the manifest; returns the
    /// manifest, its bytes and the signature that follows it.
    private static func unpack(_ archive: URL, into staging: URL) throws(NodeError) -> (
        BackupManifest, [UInt8], [UInt8]
    ) {
        let reader = try BackupArchive.Reader(file: archive)
        var extracted: [String: BackupArchive.Entry] = [:]
        var manifestBytes: Data?
        var signature: [UInt8]?
        func bad(_ why: String) -> NodeError { NodeError(code: "badBackup", "\(archive.path): \(why)") }
        while let (path, size) = try reader.next() {
            guard extracted.count < maxEntries else { throw bad("more than \(maxEntries) entries") }
            guard signature == nil else { throw bad("entries after the signature") }
            if path == BackupManifest.fileName {
                guard manifestBytes == nil else { throw bad("two manifests") }
                manifestBytes = try reader.contents(size: size, limit: BackupManifest.maxBytes)
                continue
            }
            if path == BackupManifest.signatureName, manifestBytes != nil {
                let text = try reader.contents(size: size, limit: 1_024)
                guard let bytes = Data(base64Encoded: text) else { throw bad("the signature is not base64") }
                signature = [UInt8](bytes)
                continue
            }
            guard manifestBytes == nil else { throw bad("entries after the manifest") }
            guard extracted[path] == nil else { throw bad("\(path) twice") }
            let destination = staging.appendingPathComponent(path)
            try makeFolders(for: path, in: staging)
            let digest = try reader.extract(size: size, to: destination)
            extracted[path] = BackupArchive.Entry(path: path, size: size, sha256: digest)
        }
        guard let manifestBytes else {
            throw bad("no \(BackupManifest.fileName): not a CourtSync backup, or cut short")
        }
        guard let signature else { throw bad("no \(BackupManifest.signatureName) after the manifest: cut short") }
        let manifest: BackupManifest
        do { manifest = try JSONDecoder().decode(BackupManifest.self, from: manifestBytes) } catch {
            throw bad("the manifest is not valid")
        }
        guard manifest.format == BackupManifest.formatName, manifest.version == 1 else {
            throw bad("a backup of format \(manifest.format) \(manifest.version), which this version cannot read")
        }
        let listed = Dictionary(manifest.files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        guard listed.count == manifest.files.count, Set(listed.keys) == Set(extracted.keys) else {
            throw bad("its entries differ from those its manifest lists")
        }
        for (path, entry) in extracted where listed[path] != entry {
            throw bad("\(path) is damaged (its size or SHA-256 differs from the manifest's)")
        }
        guard extracted[Replica.fileName] != nil else { throw bad("it holds no replica") }
        return (manifest, [UInt8](manifestBytes), signature)
    }

    /// Creates the folders of `path` under `staging` (owner only).
    private static func makeFolders(for path: String, in staging: URL) throws(NodeError) {
        var folder = staging
        for component in path.split(separator: "/").dropLast() {
            folder.appendPathComponent(String(component), isDirectory: true)
            guard mkdir(folder.path, 0o700) == 0 || errno == EEXIST else {
                throw NodeError(code: "storage", "cannot create \(folder.path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Puts the node's key into the staged node: the archive's, else `keyFile`, else the one in
    /// the data directory being replaced. (The replica refuses a key that is not its own.)
    private static func placeKey(
        in staging: URL, keyFile: URL?, dataDirectory: URL
    ) throws(NodeError) {
        let staged = staging.appendingPathComponent(NodeKeyFile.fileName)
        if FileManager.default.fileExists(atPath: staged.path) {
            guard keyFile == nil else {
                throw NodeError(code: "invalidArgument", "the backup holds the node's key: --key-file is not needed")
            }
            return
        }
        let source = keyFile ?? dataDirectory.appendingPathComponent(NodeKeyFile.fileName)
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw NodeError(
                code: "missingKey",
                "the backup holds no key (made without --include-key): give the node's key with --key-file (the node.key kept apart), or put it at \(source.path)"
            )
        }
        try NodeKeyFile.install([UInt8](try BoundedFile.read(source, limit: NodeKeyFile.maxBytes)), in: staging)
    }
}
