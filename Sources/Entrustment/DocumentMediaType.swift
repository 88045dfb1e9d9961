/// The formats a document may have, recognised by their first bytes (magic numbers), never by
/// the file's name: PDF, OFD (the national fixed-layout format, a ZIP package with `OFD.xml`),
/// JPEG, PNG and TIFF. Anything else is refused.
public enum DocumentMediaType: String, CaseIterable, Sendable, Codable {
    case pdf = "application/pdf"
    case ofd = "application/ofd"
    case jpeg = "image/jpeg"
    case png = "image/png"
    case tiff = "image/tiff"

    /// How many leading bytes ``sniff(_:)`` looks at, at most.
    public static let sniffBytes = 64 * 1024

    /// A short name for tables.
    public var label: String {
        switch self {
        case .pdf: "PDF"
        case .ofd: "OFD"
        case .jpeg: "JPEG"
        case .png: "PNG"
        case .tiff: "TIFF"
        }
    }

    /// The format the leading bytes of a file show, or `nil` if none of the five. `prefix` is the
    /// first ``sniffBytes`` bytes (or the whole file, if shorter).
    public static func sniff(_ prefix: some Collection<UInt8>) -> DocumentMediaType? {
        let head = Array(prefix.prefix(sniffBytes))
        func starts(_ magic: [UInt8]) -> Bool { head.starts(with: magic) }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts([0x50, 0x4B, 0x03, 0x04]), containsOFDEntry(head) { return .ofd }
        return nil
    }

    /// Whether a ZIP's local file headers within `head` name the root entry `OFD.xml` (GB/T 33190).
    private static func containsOFDEntry(_ head: [UInt8]) -> Bool {
        let name = Array("OFD.xml".utf8)
        var offset = 0
        while offset + 30 <= head.count, head[offset..<offset + 4].elementsEqual([0x50, 0x4B, 0x03, 0x04]) {
            let nameLength = Int(head[offset + 26]) | Int(head[offset + 27]) << 8
            let extraLength = Int(head[offset + 28]) | Int(head[offset + 29]) << 8
            let compressed =
                Int(head[offset + 18]) | Int(head[offset + 19]) << 8 | Int(head[offset + 20]) << 16
                | Int(head[offset + 21]) << 24
            let start = offset + 30
            guard start + nameLength <= head.count else { return false }
            if head[start..<start + nameLength].elementsEqual(name) { return true }
            let flags = Int(head[offset + 6]) | Int(head[offset + 7]) << 8
            guard flags & 0x08 == 0 else { return false }
            offset = start + nameLength + extraLength + compressed
        }
        return false
    }
}
