import Entrustment
import Foundation

/// The nonces a node has spent, on disk (`DATA_DIR/nonces/`), so that a request accepted before
/// a restart is still a replay after it (`Protocol/sync.md` §2).
///
/// Append-only files, a new one each replay window; a file is deleted once every nonce in it has
/// expired. Each record is written (not flushed to the disk) before the request is served, so a
/// killed daemon forgets none; a power cut may lose the last few, which only an attacker who
/// captured those requests could use, and only over plain HTTP. A record is a byte with the
/// length of the node id, the node id (UTF-8), the 16 nonce bytes and the expiry (milliseconds,
/// 8 bytes big-endian); a torn last record is ignored. Not `Sendable`: it lives inside
/// ``NonceLedger``'s `Mutex` and is used only under it.
final class NonceJournal {
    /// One spent nonce.
    struct Record: Equatable {
        var node: NodeID
        var nonce: [UInt8]
        var expires: Int64
    }

    private struct File {
        var url: URL
        var started: Int64
        var latestExpiry: Int64
    }

    /// The largest journal file read back; a larger one is left unread (and deleted when its
    /// window has passed).
    static let maxFileBytes = 512 << 20

    private let folder: URL
    private let windowMilliseconds: Int64
    private var files: [File] = []
    private var handle: FileHandle?

    init(folder: URL, windowMilliseconds: Int64) {
        self.folder = folder
        self.windowMilliseconds = windowMilliseconds
    }

    /// The records of every file not yet expired at `now`; deletes the files whose records have
    /// all expired.
    func load(now: Int64) -> [Record] {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        var records: [Record] = []
        for name in names.sorted() {
            guard name.hasPrefix("nonces-"), name.hasSuffix(".log"),
                let started = Int64(name.dropFirst("nonces-".count).dropLast(".log".count))
            else { continue }
            let url = folder.appendingPathComponent(name)
            let read = Self.records(in: url)
            let latest = read.map(\.expires).max() ?? started
            if latest < now {
                try? FileManager.default.removeItem(at: url)
                continue
            }
            files.append(File(url: url, started: started, latestExpiry: latest))
            records += read.filter { $0.expires >= now }
        }
        return records
    }

    /// Appends a record, starting a new file when the current one is a window old and deleting
    /// the files whose records have all expired.
    func append(_ record: Record, now: Int64) {
        if handle == nil || now - (files.last?.started ?? now) >= windowMilliseconds { rotate(now: now) }
        guard let handle else { return }
        let node = Array(record.node.rawValue.utf8)
        var bytes = [UInt8(node.count)] + node + record.nonce
        bytes += (0..<8).reversed().map { UInt8(truncatingIfNeeded: record.expires >> ($0 * 8)) }
        try? handle.write(contentsOf: bytes)
        files[files.count - 1].latestExpiry = max(files[files.count - 1].latestExpiry, record.expires)
    }

    private func rotate(now: Int64) {
        try? handle?.close()
        handle = nil
        files.removeAll { file in
            guard file.latestExpiry < now else { return false }
            try? FileManager.default.removeItem(at: file.url)
            return true
        }
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("nonces-\(now).log")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let opened = try? FileHandle(forWritingTo: url)
        else { return }
        _ = try? opened.seekToEnd()
        handle = opened
        files.append(File(url: url, started: now, latestExpiry: now))
    }

    /// The whole records of one file.
    private static func records(in url: URL) -> [Record] {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int,
            size <= maxFileBytes, let data = FileManager.default.contents(atPath: url.path)
        else { return [] }
        let bytes = [UInt8](data)
        var records: [Record] = []
        var index = 0
        while index < bytes.count {
            let length = Int(bytes[index])
            let end = index + 1 + length + 16 + 8
            guard end <= bytes.count,
                let node = try? NodeID(String(decoding: bytes[(index + 1)..<(index + 1 + length)], as: UTF8.self))
            else { break }
            let nonceStart = index + 1 + length
            let expires = bytes[(nonceStart + 16)..<end].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            records.append(Record(node: node, nonce: Array(bytes[nonceStart..<(nonceStart + 16)]), expires: expires))
            index = end
        }
        return records
    }
}
