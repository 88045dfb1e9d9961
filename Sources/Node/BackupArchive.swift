import Crypto
import Entrustment
import Foundation

/// The container of a node's backup: a POSIX ustar archive (readable with `tar -tvf`), regular
/// files only, each name a relative path of at most 100 bytes; sizes from 8 GiB on in GNU tar's
/// base-256 form. ``Writer`` writes one entry at a time from a file; ``Reader`` reads entries one
/// at a time into files, refusing anything else a hostile or damaged file could hold (links,
/// devices, absolute or `..` names, bad header checksums, truncation).
public enum BackupArchive {
    /// The tar block size.
    static let block = 512
    /// How many bytes are copied at a time.
    static let copySize = 1 << 20

    /// One file as the archive holds it: its name, size and SHA-256 (hex).
    public struct Entry: Codable, Sendable, Equatable {
        public var path: String
        public var size: Int64
        public var sha256: String
    }

    /// Writes an archive to a new file.
    public final class Writer {
        private let handle: FileHandle
        private let file: URL
        /// The entries written so far.
        public private(set) var entries: [Entry] = []

        /// Creates `file` (refused if it exists), readable by its owner only.
        public init(creating file: URL) throws(NodeError) {
            let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw NodeError(code: "storage", "cannot create \(file.path): \(String(cString: strerror(errno)))")
            }
            self.file = file
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }

        /// Adds the regular file at `source` under `path`.
        public func add(_ path: String, from source: URL) throws(NodeError) {
            try BackupArchive.checkName(path)
            let input: FileHandle
            let size: Int64
            do {
                let attributes = try FileManager.default.attributesOfItem(atPath: source.path)
                guard attributes[.type] as? FileAttributeType == .typeRegular else {
                    throw NodeError(code: "unreadable", "\(source.path) is not a regular file")
                }
                size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
                input = try FileHandle(forReadingFrom: source)
            } catch let error as NodeError {
                throw error
            } catch {
                throw NodeError(code: "unreadable", "cannot read \(source.path): \(error.localizedDescription)")
            }
            defer { try? input.close() }
            var digest = SHA256()
            do {
                try handle.write(contentsOf: BackupArchive.header(name: path, size: size))
                var copied: Int64 = 0
                while copied < size {
                    guard let chunk = try input.read(upToCount: Int(min(Int64(copySize), size - copied))),
                        !chunk.isEmpty
                    else { break }
                    digest.update(data: chunk)
                    try handle.write(contentsOf: chunk)
                    copied += Int64(chunk.count)
                }
                guard copied == size else {
                    throw NodeError(code: "storage", "\(source.path) changed size while it was copied")
                }
                try handle.write(contentsOf: Data(count: BackupArchive.padding(size)))
            } catch let error as NodeError {
                throw error
            } catch {
                throw NodeError(code: "storage", "cannot write \(file.path): \(error.localizedDescription)")
            }
            entries.append(Entry(path: path, size: size, sha256: Hex.encode(Array(digest.finalize()))))
        }

        /// Adds `bytes` under `path`.
        public func add(_ path: String, bytes: Data) throws(NodeError) {
            try BackupArchive.checkName(path)
            do {
                try handle.write(contentsOf: BackupArchive.header(name: path, size: Int64(bytes.count)))
                try handle.write(contentsOf: bytes)
                try handle.write(contentsOf: Data(count: BackupArchive.padding(Int64(bytes.count))))
            } catch {
                throw NodeError(code: "storage", "cannot write \(file.path): \(error.localizedDescription)")
            }
            entries.append(
                Entry(path: path, size: Int64(bytes.count), sha256: Hex.encode(Array(SHA256.hash(data: bytes)))))
        }

        /// Ends the archive (two zero blocks) and makes it durable.
        public func finish() throws(NodeError) {
            do {
                try handle.write(contentsOf: Data(count: 2 * BackupArchive.block))
                try handle.synchronize()
                try handle.close()
            } catch {
                throw NodeError(code: "storage", "cannot write \(file.path): \(error.localizedDescription)")
            }
        }
    }

    /// Reads an archive made by ``Writer``.
    public final class Reader {
        private let handle: FileHandle
        private let file: URL
        private var finished = false

        public init(file: URL) throws(NodeError) {
            do {
                let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
                guard attributes[.type] as? FileAttributeType == .typeRegular else {
                    throw NodeError(code: "badBackup", "\(file.path) is not a regular file")
                }
                handle = try FileHandle(forReadingFrom: file)
            } catch let error as NodeError {
                throw error
            } catch {
                throw NodeError(code: "unreadable", "cannot read \(file.path): \(error.localizedDescription)")
            }
            self.file = file
        }

        deinit { try? handle.close() }

        /// Reads the next entry's header: its name and size, or `nil` at the end of the archive.
        public func next() throws(NodeError) -> (path: String, size: Int64)? {
            guard !finished else { return nil }
            let header = try read(BackupArchive.block)
            if header.allSatisfy({ $0 == 0 }) {
                finished = true
                return nil
            }
            return try BackupArchive.parseHeader(header, in: file)
        }

        /// Copies the current entry's `size` bytes into the new file `destination` (mode 0600),
        /// returning their SHA-256 (hex).
        public func extract(size: Int64, to destination: URL) throws(NodeError) -> String {
            let fd = open(destination.path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else {
                throw NodeError(
                    code: "storage", "cannot create \(destination.path): \(String(cString: strerror(errno)))")
            }
            let output = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            var digest = SHA256()
            var left = size
            do {
                while left > 0 {
                    let chunk = try read(Int(min(Int64(copySize), left)))
                    digest.update(data: chunk)
                    try output.write(contentsOf: chunk)
                    left -= Int64(chunk.count)
                }
                try output.synchronize()
                try output.close()
            } catch let error as NodeError {
                throw error
            } catch {
                throw NodeError(code: "storage", "cannot write \(destination.path): \(error.localizedDescription)")
            }
            _ = try read(BackupArchive.padding(size))
            return Hex.encode(Array(digest.finalize()))
        }

        /// Reads the current entry into memory, refusing one over `limit` bytes.
        public func contents(size: Int64, limit: Int) throws(NodeError) -> Data {
            guard size <= Int64(limit) else {
                throw NodeError(
                    code: "badBackup", "\(file.path): an entry of \(size) bytes is over the limit of \(limit)")
            }
            let bytes = try read(Int(size))
            _ = try read(BackupArchive.padding(size))
            return bytes
        }

        /// Exactly `count` bytes, or `badBackup` (the file ends early).
        private func read(_ count: Int) throws(NodeError) -> Data {
            guard count > 0 else { return Data() }
            let bytes: Data
            do {
                bytes = try handle.read(upToCount: count) ?? Data()
            } catch {
                throw NodeError(code: "unreadable", "cannot read \(file.path): \(error.localizedDescription)")
            }
            guard bytes.count == count else {
                throw NodeError(code: "badBackup", "\(file.path) ends in the middle of an entry: the file is truncated")
            }
            return bytes
        }
    }

    /// Refuses a name the archive cannot carry or a restore must not write: empty, absolute, with
    /// an empty, `.` or `..` component, a control character, or over 100 bytes.
    static func checkName(_ path: String) throws(NodeError) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, path.utf8.count <= 100, !path.hasPrefix("/"),
            components.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }),
            path.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw NodeError(code: "badBackup", "\"\(path.prefix(120))\" is not a name a backup may hold")
        }
    }

    /// Zero bytes after `size` bytes of content, up to the next block.
    static func padding(_ size: Int64) -> Int {
        Int((Int64(block) - size % Int64(block)) % Int64(block))
    }

    /// A ustar header for a regular file.
    static func header(name: String, size: Int64) -> Data {
        var header = [UInt8](repeating: 0, count: block)
        func put(_ text: String, at offset: Int) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        put(name, at: 0)
        put("0000600\0", at: 100)
        put("0000000\0", at: 108)
        put("0000000\0", at: 116)
        if size < 0o77777777777 {
            put(String(format: "%011llo\0", size), at: 124)
        } else {
            header[124] = 0x80
            for index in 0..<8 { header[135 - index] = UInt8(truncatingIfNeeded: size >> (8 * index)) }
        }
        put(String(format: "%011llo\0", Int64(Date().timeIntervalSince1970)), at: 136)
        header[156] = UInt8(ascii: "0")
        put("ustar\0", at: 257)
        put("00", at: 263)
        put("courtsync", at: 265)
        put("courtsync", at: 297)
        put("        ", at: 148)
        let sum = header.reduce(0) { $0 + Int($1) }
        put(String(format: "%06o\0 ", sum), at: 148)
        return Data(header)
    }

    /// The name and size in a header, after its checks.
    static func parseHeader(_ header: Data, in file: URL) throws(NodeError) -> (path: String, size: Int64) {
        let bytes = [UInt8](header)
        func bad(_ why: String) -> NodeError {
            NodeError(code: "badBackup", "\(file.path) is not a CourtSync backup: \(why)")
        }
        guard bytes[257..<263].elementsEqual(Array("ustar\0".utf8)) else { throw bad("an entry lacks the ustar mark") }
        var blank = bytes
        for index in 148..<156 { blank[index] = UInt8(ascii: " ") }
        let sum = blank.reduce(0) { $0 + Int($1) }
        guard let stored = octal(bytes[148..<156]), stored == sum else { throw bad("an entry's header checksum fails") }
        guard bytes[156] == UInt8(ascii: "0") || bytes[156] == 0 else {
            throw bad("an entry is not a regular file (type \(bytes[156]))")
        }
        guard bytes[345] == 0 else { throw bad("an entry's name uses the ustar prefix") }
        let nameBytes = bytes[0..<100].prefix { $0 != 0 }
        guard let path = String(bytes: nameBytes, encoding: .utf8) else { throw bad("an entry's name is not UTF-8") }
        try checkName(path)
        let size: Int64
        if bytes[124] == 0x80 {
            guard bytes[125..<128].allSatisfy({ $0 == 0 }), bytes[128] < 0x80 else {
                throw bad("an entry is too large")
            }
            size = bytes[128..<136].reduce(Int64(0)) { $0 << 8 | Int64($1) }
        } else {
            guard let value = octal(bytes[124..<136]) else { throw bad("an entry's size is not a number") }
            size = Int64(value)
        }
        return (path, size)
    }

    /// An octal field (digits, then NUL or space padding), or `nil`.
    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        let digits = field.drop { $0 == UInt8(ascii: " ") }.prefix { $0 != 0 && $0 != UInt8(ascii: " ") }
        guard !digits.isEmpty, digits.count <= 11, digits.allSatisfy({ (48...55).contains($0) }) else { return nil }
        return digits.reduce(0) { $0 * 8 + Int($1 - 48) }
    }
}
