/// Reads the primitives of the canonical binary encoding, strictly: non-shortest varints,
/// invalid UTF-8, over-long fields and reads past the end are errors.
public struct ByteReader: Sendable {
    /// Why a read failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
        /// The data ended before the field did (as opposed to a field that is invalid).
        public let isEndOfData: Bool
        public init(_ description: String, isEndOfData: Bool = false) {
            self.description = description
            self.isEndOfData = isEndOfData
        }
    }

    private let bytes: [UInt8]
    /// The offset of the next byte to read.
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Moves back to `offset` (at most the current offset), to read again from there.
    public mutating func rewind(to offset: Int) {
        precondition(offset >= 0 && offset <= self.offset, "rewind beyond what was read")
        self.offset = offset
    }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }
    /// How many bytes are left.
    public var remaining: Int { bytes.count - offset }

    public mutating func readByte(_ field: String) throws(Failure) -> UInt8 {
        guard offset < bytes.count else {
            throw Failure("\(field): unexpected end of data at byte \(offset)", isEndOfData: true)
        }
        defer { offset += 1 }
        return bytes[offset]
    }

    public mutating func readRaw(count: Int, _ field: String) throws(Failure) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else {
            throw Failure(
                "\(field): needs \(count) bytes at byte \(offset), only \(remaining) left", isEndOfData: count >= 0)
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func readVarint(_ field: String) throws(Failure) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        let start = offset
        while true {
            let byte = try readByte(field)
            guard shift < 64, shift != 63 || byte <= 1 else {
                throw Failure("\(field): varint overflows 64 bits at byte \(start)")
            }
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                guard byte != 0 || offset - start == 1 else {
                    throw Failure("\(field): varint at byte \(start) is not in shortest form")
                }
                return value
            }
            shift += 7
        }
    }

    /// A varint that must be at most `max`.
    public mutating func readVarint(_ field: String, max: UInt64) throws(Failure) -> UInt64 {
        let start = offset
        let value = try readVarint(field)
        guard value <= max else { throw Failure("\(field): \(value) at byte \(start) exceeds the limit \(max)") }
        return value
    }

    public mutating func readString(_ field: String, maxBytes: Int) throws(Failure) -> String {
        let start = offset
        let length = try readVarint(field, max: UInt64(maxBytes))
        let raw = try readRaw(count: Int(length), field)
        guard let text = String(validating: raw, as: UTF8.self) else {
            throw Failure("\(field): invalid UTF-8 at byte \(start)")
        }
        return text
    }

    public mutating func readOptionalString(_ field: String, maxBytes: Int) throws(Failure) -> String? {
        switch try readByte(field) {
        case 0: return nil
        case 1: return try readString(field, maxBytes: maxBytes)
        case let other: throw Failure("\(field): presence byte must be 0 or 1, not \(other)")
        }
    }

    public mutating func readBool(_ field: String) throws(Failure) -> Bool {
        switch try readByte(field) {
        case 0: return false
        case 1: return true
        case let other: throw Failure("\(field): a boolean must be 0 or 1, not \(other)")
        }
    }
}
