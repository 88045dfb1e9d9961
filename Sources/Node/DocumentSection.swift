import Entrustment
import Foundation

/// The documents section of a change file (`Protocol/changeset.md` §9): after the change set,
/// the bytes of the documents its `attach` events name, so that a court that moves data by hand
/// loses nothing. Written and read in chunks, so memory does not grow with the documents' size.
///
/// ```
/// "CSDOC" 0x01 | varint count | count × (bytes32 sha256 | varint size | size bytes)
/// ```
enum DocumentSection {
    static let magic: [UInt8] = Array("CSDOC".utf8) + [1]

    /// Writes the change set and the documents to `file` (beside it first, then renamed: the file
    /// is never partial). Returns the file's size.
    static func write(
        changeSet: [UInt8], documents: [DocumentReference], from store: DocumentStore, to file: URL
    ) throws(NodeError) -> Int {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(
            ".\(file.lastPathComponent).\(UUID().uuidString.prefix(8)).part")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw NodeError(code: "storage", "cannot write \(file.path)")
        }
        var size = 0
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            func put(_ bytes: [UInt8]) throws {
                try handle.write(contentsOf: bytes)
                size += bytes.count
            }
            try put(changeSet)
            if !documents.isEmpty {
                var header = ByteWriter()
                header.write(raw: magic)
                header.write(varint: UInt64(documents.count))
                try put(header.bytes)
                for document in documents {
                    var entry = ByteWriter()
                    entry.write(raw: document.hash.bytes)
                    entry.write(varint: UInt64(document.size))
                    try put(entry.bytes)
                    for index in 0..<DocumentStore.Manifest.chunkCount(size: document.size) {
                        try put(try store.chunk(index, of: document.hash))
                    }
                }
            }
            try handle.synchronize()
        } catch let error as NodeError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw NodeError(code: "storage", "cannot write \(file.path): \(error.localizedDescription)")
        }
        guard rename(temporary.path, file.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw NodeError(code: "storage", "cannot write \(file.path): \(reason)")
        }
        return size
    }

    /// A change file being read: the change set, then the documents streamed into the store.
    final class Reader {
        private let handle: FileHandle
        /// The file's size.
        let size: Int
        /// Its first bytes (the change set's header is among them).
        let prefix: [UInt8]
        private var offset = 0

        init(file: URL) throws(NodeError) {
            let target = file.resolvingSymlinksInPath()
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: target.path) else {
                throw NodeError(code: "unreadable", "cannot read \(file.path): no such file")
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular else {
                throw NodeError(code: "unreadable", "\(file.path) is not a regular file")
            }
            size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            do {
                handle = try FileHandle(forReadingFrom: target)
                prefix = [UInt8](try handle.read(upToCount: 4096) ?? Data())
            } catch {
                throw NodeError(code: "unreadable", "cannot read \(file.path): \(error.localizedDescription)")
            }
        }

        func close() { try? handle.close() }

        /// The change set's bytes (the file's first `length`).
        func changeSet(length: Int) throws(NodeError) -> [UInt8] {
            guard length <= size else {
                throw NodeError(
                    code: "truncated", "expected at least \(length) bytes, the file has \(size): it is cut short")
            }
            offset = 0
            return try read(length)
        }

        private func read(_ count: Int) throws(NodeError) -> [UInt8] {
            guard count <= size - offset else {
                throw NodeError(code: "truncated", "the change file is cut short in its documents section")
            }
            do {
                try handle.seek(toOffset: UInt64(offset))
                let bytes = [UInt8](try handle.read(upToCount: count) ?? Data())
                guard bytes.count == count else {
                    throw NodeError(code: "truncated", "the change file is cut short in its documents section")
                }
                offset += count
                return bytes
            } catch let error as NodeError {
                throw error
            } catch {
                throw NodeError(code: "unreadable", "cannot read the change file: \(error.localizedDescription)")
            }
        }

        private func readVarint() throws(NodeError) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 70, by: 7) {
                let byte = try read(1)[0]
                guard shift < 63 || byte <= 1 else {
                    throw NodeError(code: "badDocumentSection", "a varint in the documents section is over 64 bits")
                }
                value |= UInt64(byte & 0x7F) << UInt64(shift)
                if byte & 0x80 == 0 {
                    guard byte != 0 || shift == 0 else {
                        throw NodeError(code: "badDocumentSection", "a varint in the documents section is not minimal")
                    }
                    return value
                }
            }
            throw NodeError(code: "badDocumentSection", "a varint in the documents section is too long")
        }

        /// Reads the documents section (if any) into `store`: each document must be named by an
        /// `attach` in the change set with the same size, of the format it states, within this
        /// node's limits, and hash to its name. Any failure removes what this call added and
        /// refuses the file. Returns the documents carried and whether each was new here.
        func readDocuments(
            into store: DocumentStore, attached: [DocumentHash: DocumentReference], file: URL
        ) throws(NodeError) -> [(reference: DocumentReference, added: Bool)] {
            var carried: [(reference: DocumentReference, added: Bool)] = []
            do throws(NodeError) {
                guard offset < size else { return [] }
                guard try read(DocumentSection.magic.count) == DocumentSection.magic else {
                    throw NodeError(
                        code: "badDocumentSection",
                        "\(file.lastPathComponent): unexpected bytes after the change set (not a CSDOC documents section)"
                    )
                }
                let count = try readVarint()
                guard count <= UInt64(attached.count) else {
                    throw NodeError(
                        code: "badDocumentSection",
                        "the documents section says \(count) documents; the change set attaches \(attached.count)")
                }
                var seen: Set<DocumentHash> = []
                for _ in 0..<count {
                    guard let hash = try? DocumentHash(bytes: read(32)) else {
                        throw NodeError(code: "truncated", "the change file is cut short in its documents section")
                    }
                    let length = try readVarint()
                    guard let reference = attached[hash], seen.insert(hash).inserted else {
                        throw NodeError(
                            code: "unexpectedDocument",
                            "document \(hash.hex.prefix(12)) is carried twice or named by no attach event in the file")
                    }
                    guard length == UInt64(reference.size) else {
                        throw NodeError(
                            code: "badDocumentSection",
                            "document \(hash.hex.prefix(12)) has \(length) bytes here, \(reference.size) in its attach event"
                        )
                    }
                    guard reference.size <= store.limits.maxBytes else {
                        throw NodeError(
                            code: "documentTooLarge",
                            "document \(hash.hex.prefix(12)) has \(reference.size) bytes, over this node's limit of \(store.limits.maxBytes)"
                        )
                    }
                    let added = try receive(reference, into: store)
                    carried.append((reference, added))
                }
                guard offset == size else {
                    throw NodeError(
                        code: "trailingBytes", "\(size - offset) unexpected bytes after the documents section")
                }
            } catch {
                for document in carried where document.added {
                    try? FileManager.default.removeItem(at: store.url(of: document.reference.hash))
                }
                throw error
            }
            return carried
        }

        /// Streams one document into the store (skipped if held). Returns whether it was added.
        private func receive(_ reference: DocumentReference, into store: DocumentStore) throws(NodeError) -> Bool {
            let hash = reference.hash
            if store.holds(hash) {
                // Held already: the bytes are still read and checked, so that a damaged file is
                // refused whatever this node holds.
                var whole = store.suite.hasher()
                var left = reference.size
                while left > 0 {
                    let bytes = try read(min(DocumentStore.chunkSize, left))
                    whole.update(bytes)
                    left -= bytes.count
                }
                guard DocumentHash(finishing: whole) == hash else {
                    throw NodeError(
                        code: "documentMismatch",
                        "the bytes carried for document \(hash.hex.prefix(12)) do not hash to it: the file was altered or damaged"
                    )
                }
                return false
            }
            try store.claim(hash)
            defer { store.release(hash) }
            try? FileManager.default.removeItem(at: store.partialURL(of: hash))
            do throws(NodeError) {
                for index in 0..<DocumentStore.Manifest.chunkCount(size: reference.size) {
                    let bytes = try read(min(DocumentStore.chunkSize, reference.size - index * DocumentStore.chunkSize))
                    if index == 0 {
                        let media = try store.acceptedType(of: bytes, name: reference.fileName)
                        guard media == reference.mediaType else {
                            throw NodeError(
                                code: "unsupportedMediaType",
                                "\(reference.fileName) is a \(media.label) file, but its attach event says \(reference.mediaType.label)"
                            )
                        }
                    }
                    try store.write(
                        chunk: bytes, index: index, of: hash, size: reference.size,
                        digest: Hex.encode(store.suite.hash(bytes)))
                }
                guard try store.finish(hash, size: reference.size) else {
                    throw NodeError(code: "truncated", "document \(hash.hex.prefix(12)) is incomplete")
                }
            } catch {
                try? FileManager.default.removeItem(at: store.partialURL(of: hash))
                throw error
            }
            return true
        }
    }
}
