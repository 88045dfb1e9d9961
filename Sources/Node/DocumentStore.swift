import Crypto
import Entrustment
import Foundation
import Replica
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A node's documents, content-addressed in `DATA_DIR/documents/`: one file per distinct
/// content, named by its hash in the network's suite (`documents/ab/abcd…`), however many matters name it, beside a
/// list of its chunks' hashes (`….chunks`). Files rather than SQLite rows (`docs/performance.md`
/// measures both): a document streams in and out without passing through memory or the WAL, and a
/// transfer cut short resumes from the partial file.
///
/// Nothing is ever partial under its final name: bytes are written to `documents/partial/`,
/// synced, checked against their hash, and only then renamed into place (and the folder synced).
public final class DocumentStore: Sendable {
    /// The size of a transfer chunk: 4 MiB (the last chunk of a document may be shorter).
    public static let chunkSize = 4 << 20

    /// What a node accepts as a document.
    public struct Limits: Sendable, Hashable {
        /// The largest document, in bytes (default 100 MiB).
        public var maxBytes: Int
        /// The formats accepted (default all five).
        public var mediaTypes: Set<DocumentMediaType>

        public init(maxBytes: Int = 100 << 20, mediaTypes: Set<DocumentMediaType> = Set(DocumentMediaType.allCases)) {
            self.maxBytes = maxBytes
            self.mediaTypes = mediaTypes
        }
    }

    /// A document's chunks: how a receiver checks each piece as it arrives.
    public struct Manifest: Sendable, Hashable, Codable {
        /// The document's size in bytes.
        public var size: Int
        /// The chunk size.
        public var chunkSize: Int
        /// The suite's hash of each chunk, in order.
        public var chunks: [String]

        /// The number of chunks a document of `size` bytes has.
        public static func chunkCount(size: Int, chunkSize: Int = DocumentStore.chunkSize) -> Int {
            (size + chunkSize - 1) / chunkSize
        }
    }

    /// What checking a stored document found.
    public enum Check: Sendable, Hashable {
        case intact
        case missing
        case altered(actual: String)
    }

    /// `DATA_DIR/documents`.
    public let directory: URL
    /// What this node accepts.
    public let limits: Limits
    /// The network's suite, whose hash names documents and their chunks.
    public let suite: SignatureSuite
    /// The transfers being written, process-wide (every store of every data directory in this
    /// process), each with the open file that holds its cross-process lock.
    private static let receiving = Mutex<[String: Int32]>([:])

    /// The store of the node in `dataDirectory`.
    public init(dataDirectory: URL, suite: SignatureSuite, limits: Limits = Limits()) {
        self.suite = suite
        directory = dataDirectory.appendingPathComponent("documents", isDirectory: true)
        self.limits = limits
    }

    /// Where a document's bytes live.
    public func url(of hash: DocumentHash) -> URL {
        directory.appendingPathComponent(String(hash.hex.prefix(2)), isDirectory: true).appendingPathComponent(hash.hex)
    }

    private func manifestURL(of hash: DocumentHash) -> URL {
        url(of: hash).appendingPathExtension("chunks")
    }

    private var partialDirectory: URL { directory.appendingPathComponent("partial", isDirectory: true) }

    /// Where a document being received is written until it is whole: one file per document and
    /// sender (`owner`: the sending node, for uploads; `nil` for what this node fetches or
    /// imports itself), so that one sender's bytes never mix with another's.
    public func partialURL(of hash: DocumentHash, owner: String? = nil) -> URL {
        partialDirectory.appendingPathComponent(owner.map { "\(hash.hex).\(Self.ownerTag($0))" } ?? hash.hex)
    }

    /// A file-name-safe tag for a sending node: the first 16 hex digits of its id's SHA-256.
    static func ownerTag(_ owner: String) -> String {
        String(Hex.encode(Array(SHA256.hash(data: Array(owner.utf8)))).prefix(16))
    }

    /// Whether the whole document is here.
    public func holds(_ hash: DocumentHash) -> Bool { FileManager.default.fileExists(atPath: url(of: hash).path) }

    // MARK: Adding a clerk's file

    /// Checks a clerk's file against this node's limits (size, format by its first bytes) and
    /// stores it: streamed through the suite's hash into a partial file, synced, renamed into place. A
    /// content already held is not stored twice. Returns what an `attach` event says of it.
    public func add(file: URL, kind: DocumentKind) throws(NodeError) -> DocumentReference {
        let source = file.resolvingSymlinksInPath()
        let attributes = try? FileManager.default.attributesOfItem(atPath: source.path)
        guard let attributes, attributes[.type] as? FileAttributeType == .typeRegular else {
            throw NodeError(code: "unreadable", "\(file.path) is not a regular file")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        guard size > 0 else { throw NodeError(code: "invalidField", "\(file.path) is empty") }
        guard size <= limits.maxBytes else {
            throw NodeError(
                code: "documentTooLarge",
                "\(file.lastPathComponent) has \(size) bytes, over this node's limit of \(limits.maxBytes) bytes (node.json limits.maxDocumentBytes)"
            )
        }
        let input = try open(source, flags: O_RDONLY)
        defer { close(input) }
        let head = try readUpTo(input, count: DocumentMediaType.sniffBytes, at: 0)
        let media = try acceptedType(of: head, name: file.lastPathComponent)
        let name = file.lastPathComponent
        try createDirectories()
        let temporary = partialDirectory.appendingPathComponent("add-\(UUID().uuidString)")
        let output = try open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        var whole = suite.hasher()
        var chunks: [String] = []
        var offset = 0
        do throws(NodeError) {
            defer { close(output) }
            while offset < size {
                let chunk = try readUpTo(input, count: min(Self.chunkSize, size - offset), at: offset)
                guard !chunk.isEmpty else { break }
                whole.update(chunk)
                chunks.append(Hex.encode(suite.hash(Array(chunk))))
                try writeAll(output, chunk, at: offset)
                offset += chunk.count
            }
            guard offset == size else {
                throw NodeError(code: "unreadable", "\(file.path) changed while it was read")
            }
            try sync(output, temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        let hash = DocumentHash(finishing: whole)
        let reference = DocumentReference(hash: hash, kind: kind, fileName: name, mediaType: media, size: size)
        do {
            try reference.check()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw NodeError(code: error.code.rawValue, error.message)
        }
        if holds(hash) {
            try? FileManager.default.removeItem(at: temporary)
        } else {
            CrashPoint.documentSynced.reached()
            try promote(
                temporary, hash: hash, manifest: Manifest(size: size, chunkSize: Self.chunkSize, chunks: chunks))
        }
        return reference
    }

    /// The format `head` (a file's first bytes) shows, if this node accepts it.
    public func acceptedType(of head: [UInt8], name: String) throws(NodeError) -> DocumentMediaType {
        guard let media = DocumentMediaType.sniff(head) else {
            throw NodeError(
                code: "unsupportedMediaType",
                "\(name) is not a PDF, OFD, JPEG, PNG or TIFF file (judged by its first bytes, not its name): refused")
        }
        guard limits.mediaTypes.contains(media) else {
            throw NodeError(
                code: "unsupportedMediaType",
                "\(name) is a \(media.label) file, which this node does not accept (node.json limits.documentMediaTypes)"
            )
        }
        return media
    }

    // MARK: Reading

    /// The chunk list of a stored document (computed once and kept beside it).
    public func manifest(of hash: DocumentHash) throws(NodeError) -> Manifest {
        guard holds(hash) else { throw NodeError(code: "unknownDocument", "document \(hash.hex) is not stored here") }
        if let data = try? Data(contentsOf: manifestURL(of: hash)),
            let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
        {
            return manifest
        }
        let input = try open(url(of: hash), flags: O_RDONLY)
        defer { close(input) }
        var chunks: [String] = []
        var offset = 0
        while true {
            let chunk = try readUpTo(input, count: Self.chunkSize, at: offset)
            if chunk.isEmpty { break }
            chunks.append(Hex.encode(suite.hash(Array(chunk))))
            offset += chunk.count
        }
        let manifest = Manifest(size: offset, chunkSize: Self.chunkSize, chunks: chunks)
        try? JSONEncoder().encode(manifest).write(to: manifestURL(of: hash), options: .atomic)
        return manifest
    }

    /// Chunk `index` of a stored document.
    public func chunk(_ index: Int, of hash: DocumentHash) throws(NodeError) -> [UInt8] {
        guard holds(hash) else { throw NodeError(code: "unknownDocument", "document \(hash.hex) is not stored here") }
        let input = try open(url(of: hash), flags: O_RDONLY)
        defer { close(input) }
        let size = partialSize(url(of: hash))
        guard (0..<Manifest.chunkCount(size: size)).contains(index) else {
            throw NodeError(code: "badRequest", "document \(hash.hex.prefix(12)) has no chunk \(index)")
        }
        let chunk = try readUpTo(input, count: Self.chunkSize, at: index * Self.chunkSize)
        guard !chunk.isEmpty else {
            throw NodeError(code: "badRequest", "document \(hash.hex.prefix(12)) has no chunk \(index)")
        }
        return chunk
    }

    /// Writes a stored document to `file`, streamed and checked against its hash on the way
    /// (written beside `file` and renamed, so `file` is never a partial copy).
    public func copy(_ hash: DocumentHash, to file: URL) throws(NodeError) {
        guard holds(hash) else { throw NodeError(code: "unknownDocument", "document \(hash.hex) is not stored here") }
        let input = try open(url(of: hash), flags: O_RDONLY)
        defer { close(input) }
        let temporary = file.deletingLastPathComponent().appendingPathComponent(
            ".\(file.lastPathComponent).\(UUID().uuidString.prefix(8)).part")
        let output = try open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL, mode: 0o600)
        var whole = suite.hasher()
        var offset = 0
        do throws(NodeError) {
            defer { close(output) }
            while true {
                let chunk = try readUpTo(input, count: Self.chunkSize, at: offset)
                if chunk.isEmpty { break }
                whole.update(chunk)
                try writeAll(output, chunk, at: offset)
                offset += chunk.count
            }
            let actual = DocumentHash(finishing: whole)
            guard actual == hash else {
                throw NodeError(
                    code: "documentAltered",
                    "the stored copy of \(hash.hex) hashes to \(actual.hex): it was altered on disk; nothing written (run courtsync audit verify)"
                )
            }
            try sync(output, temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw NodeError(code: "storage", "cannot write \(file.path): \(reason)")
        }
    }

    /// Re-hashes a stored document.
    public func check(_ hash: DocumentHash) -> Check {
        guard holds(hash), let input = try? open(url(of: hash), flags: O_RDONLY) else { return .missing }
        defer { close(input) }
        var whole = suite.hasher()
        var offset = 0
        while let chunk = try? readUpTo(input, count: Self.chunkSize, at: offset), !chunk.isEmpty {
            whole.update(chunk)
            offset += chunk.count
        }
        let actual = DocumentHash(finishing: whole)
        return actual == hash ? .intact : .altered(actual: actual.hex)
    }

    // MARK: Receiving

    /// Marks a partial file as being written until ``release(_:owner:)``: in this process and,
    /// by a lock file (`flock`), in every other (`courtsync import` beside the daemon). Two
    /// transfers never write one partial file at once (`busy`).
    public func claim(_ hash: DocumentHash, owner: String? = nil) throws(NodeError) {
        try createDirectories()
        let path = partialURL(of: hash, owner: owner).path
        let busy = NodeError(code: "busy", "document \(hash.hex.prefix(12)) is being received by another transfer")
        try Self.receiving.withLock { (held: inout [String: Int32]) throws(NodeError) in
            guard held[path] == nil else { throw busy }
            let lock = Glibc.open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard lock >= 0 else {
                throw NodeError(code: "storage", "cannot lock \(path): \(String(cString: strerror(errno)))")
            }
            guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
                close(lock)
                throw busy
            }
            held[path] = lock
        }
    }

    /// Ends a ``claim(_:owner:)``.
    public func release(_ hash: DocumentHash, owner: String? = nil) {
        let path = partialURL(of: hash, owner: owner).path
        Self.receiving.withLock { held in
            guard let lock = held.removeValue(forKey: path) else { return }
            unlink(path + ".lock")
            close(lock)
        }
    }

    /// How many bytes of whole chunks the partial file of a document of `size` bytes holds (the
    /// last chunk may be short). With `expected` (the sender's chunk hashes), each whole chunk is
    /// checked from the start and the file is cut at the first one that does not match; without,
    /// only a trailing piece of a chunk is cut off.
    /// With `repair` false (a status answer, which holds no claim) the file is only measured.
    public func receivedLength(
        of hash: DocumentHash, size: Int, expected: [String]? = nil, owner: String? = nil, repair: Bool = true
    ) throws(NodeError) -> Int {
        let url = partialURL(of: hash, owner: owner)
        let held = partialSize(url)
        guard held > 0 else { return 0 }
        var whole = held >= size ? size : held / Self.chunkSize * Self.chunkSize
        if let expected {
            let input = try open(url, flags: O_RDONLY)
            defer { close(input) }
            var offset = 0
            while offset < whole, offset / Self.chunkSize < expected.count {
                let chunk = try readUpTo(input, count: min(Self.chunkSize, whole - offset), at: offset)
                guard Hex.encode(suite.hash(Array(chunk))) == expected[offset / Self.chunkSize] else { break }
                offset += chunk.count
            }
            whole = offset
        }
        if whole != held, repair { truncate(url.path, off_t(whole)) }
        return whole
    }

    /// Writes chunk `index` of a document of `size` bytes being received. The chunk must be the
    /// next one the partial file lacks (`chunkOutOfOrder` otherwise), of the right length
    /// (`badChunk`), and hash to `digest`.
    public func write(
        chunk bytes: [UInt8], index: Int, of hash: DocumentHash, size: Int, digest: String, owner: String? = nil
    ) throws(NodeError) {
        let count = Manifest.chunkCount(size: size)
        guard (0..<count).contains(index) else {
            throw NodeError(code: "badChunk", "a document of \(size) bytes has chunks 0 … \(count - 1), not \(index)")
        }
        let expectedLength = index == count - 1 ? size - index * Self.chunkSize : Self.chunkSize
        guard bytes.count == expectedLength else {
            throw NodeError(code: "badChunk", "chunk \(index) has \(bytes.count) bytes, not \(expectedLength)")
        }
        guard Hex.encode(suite.hash(Array(bytes))) == digest.lowercased() else {
            throw NodeError(code: "badChunk", "chunk \(index) does not hash to the digest sent with it")
        }
        let held = try receivedLength(of: hash, size: size, owner: owner)
        guard held == index * Self.chunkSize else {
            throw NodeError(
                code: "chunkOutOfOrder",
                "this node holds \(held / Self.chunkSize) whole chunks of \(hash.hex.prefix(12)); send chunk \(held / Self.chunkSize), not \(index)"
            )
        }
        try createDirectories()
        let url = partialURL(of: hash, owner: owner)
        let output = try open(url, flags: O_WRONLY | O_CREAT, mode: 0o600)
        defer { close(output) }
        try writeAll(output, bytes, at: index * Self.chunkSize)
        CrashPoint.documentChunkWritten.reached()
    }

    /// Completes a document whose partial file holds all `size` bytes: checks the whole hash
    /// (a mismatch deletes the partial file: `documentMismatch`), syncs, and renames it into place.
    /// Returns `false` if bytes are still missing.
    public func finish(_ hash: DocumentHash, size: Int, owner: String? = nil) throws(NodeError) -> Bool {
        if holds(hash) {
            try? FileManager.default.removeItem(at: partialURL(of: hash, owner: owner))
            return true
        }
        let url = partialURL(of: hash, owner: owner)
        guard try receivedLength(of: hash, size: size, owner: owner) == size else { return false }
        let input = try open(url, flags: O_RDWR)
        var whole = suite.hasher()
        var chunks: [String] = []
        var offset = 0
        do throws(NodeError) {
            defer { close(input) }
            while offset < size {
                let chunk = try readUpTo(input, count: min(Self.chunkSize, size - offset), at: offset)
                guard !chunk.isEmpty else { break }
                whole.update(chunk)
                chunks.append(Hex.encode(suite.hash(Array(chunk))))
                offset += chunk.count
            }
            let actual = DocumentHash(finishing: whole)
            guard offset == size, actual == hash else {
                throw NodeError(
                    code: "documentMismatch",
                    "the \(offset) bytes received hash to \(actual.hex.prefix(12)), not \(hash.hex.prefix(12)): discarded; the transfer starts again"
                )
            }
            try sync(input, url)
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        CrashPoint.documentSynced.reached()
        try promote(url, hash: hash, manifest: Manifest(size: size, chunkSize: Self.chunkSize, chunks: chunks))
        return true
    }

    /// The most bytes any partial file of the document holds (any sender's): how far it has
    /// arrived, for a reader waiting for it.
    public func arrivingBytes(of hash: DocumentHash) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDirectory.path)) ?? []
        return names.filter { $0.hasPrefix(hash.hex) && !$0.hasSuffix(".lock") }.map {
            partialSize(partialDirectory.appendingPathComponent($0))
        }.max() ?? 0
    }

    /// The bytes all partial files hold: what transfers to this node have begun and not finished.
    public func partialBytes() -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDirectory.path)) ?? []
        return names.filter { !$0.hasSuffix(".lock") }.reduce(0) {
            $0 + partialSize(partialDirectory.appendingPathComponent($1))
        }
    }

    /// Deletes partial files untouched for `seconds` (a transfer abandoned, or a sender that
    /// never finishes), and files a clerk's interrupted `add` left. Returns how many.
    @discardableResult
    public func removeStalePartials(olderThan seconds: Double) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: partialDirectory.path)) ?? []
        var removed = 0
        for name in names where !name.hasSuffix(".lock") {
            let url = partialDirectory.appendingPathComponent(name)
            guard
                let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate]
                    as? Date,
                Date().timeIntervalSince(modified) > seconds
            else { continue }
            if (try? FileManager.default.removeItem(at: url)) != nil { removed += 1 }
        }
        return removed
    }

    // MARK: Files

    private func partialSize(_ url: URL) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber)?.intValue ?? 0
    }

    /// Renames a synced file into its final place, writes its chunk list, and syncs the folder.
    private func promote(_ file: URL, hash: DocumentHash, manifest: Manifest) throws(NodeError) {
        let final = url(of: hash)
        let folder = final.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try JSONEncoder().encode(manifest).write(to: manifestURL(of: hash), options: .atomic)
        } catch {
            throw NodeError(code: "storage", "cannot write to \(folder.path): \(error.localizedDescription)")
        }
        guard rename(file.path, final.path) == 0 else {
            throw NodeError(code: "storage", "cannot store \(hash.hex): \(String(cString: strerror(errno)))")
        }
        let descriptor = Glibc.open(folder.path, O_RDONLY | O_DIRECTORY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
    }

    private func createDirectories() throws(NodeError) {
        do {
            try FileManager.default.createDirectory(at: partialDirectory, withIntermediateDirectories: true)
        } catch {
            throw NodeError(code: "storage", "cannot create \(partialDirectory.path): \(error.localizedDescription)")
        }
    }

    private func open(_ url: URL, flags: Int32, mode: mode_t = 0) throws(NodeError) -> Int32 {
        let descriptor = Glibc.open(url.path, flags | O_CLOEXEC, mode)
        guard descriptor >= 0 else {
            throw NodeError(code: "storage", "cannot open \(url.path): \(String(cString: strerror(errno)))")
        }
        return descriptor
    }

    private func readUpTo(_ descriptor: Int32, count: Int, at offset: Int) throws(NodeError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let n = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + filled, count - filled, off_t(offset + filled))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw NodeError(code: "storage", "cannot read a document: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            filled += n
        }
        buffer.removeLast(count - filled)
        return buffer
    }

    private func writeAll(_ descriptor: Int32, _ bytes: [UInt8], at offset: Int) throws(NodeError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes {
                pwrite(descriptor, $0.baseAddress! + written, bytes.count - written, off_t(offset + written))
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw NodeError(
                    code: errno == ENOSPC ? "diskFull" : "storage",
                    "cannot write a document: \(String(cString: strerror(errno)))")
            }
            written += n
        }
    }

    private func sync(_ descriptor: Int32, _ url: URL) throws(NodeError) {
        guard fsync(descriptor) == 0 else {
            throw NodeError(code: "storage", "cannot sync \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}
