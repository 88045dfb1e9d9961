import Foundation

/// Reads files a node is handed (change files on removable media, reference data) with a size
/// limit that holds whatever the path names.
public enum BoundedFile {
    /// Reads at most `limit` bytes of a regular file (symbolic links followed). A device, a pipe,
    /// a folder or a larger file is refused without reading it all.
    public static func read(_ file: URL, limit: Int) throws(NodeError) -> Data {
        let target = file.resolvingSymlinksInPath()
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target.path) else {
            throw NodeError(code: "unreadable", "cannot read \(file.path): no such file")
        }
        guard attributes[.type] as? FileAttributeType == .typeRegular else {
            throw NodeError(code: "unreadable", "\(file.path) is not a regular file")
        }
        let bytes: Data?
        do {
            let handle = try FileHandle(forReadingFrom: target)
            defer { try? handle.close() }
            bytes = try handle.read(upToCount: limit + 1)
        } catch {
            throw NodeError(code: "unreadable", "cannot read \(file.path): \(error.localizedDescription)")
        }
        guard let bytes else { return Data() }
        guard bytes.count <= limit else {
            throw NodeError(code: "tooLarge", "\(file.path) is over the limit of \(limit) bytes")
        }
        return bytes
    }
}
