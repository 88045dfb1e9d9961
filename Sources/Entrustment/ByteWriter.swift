/// Appends the primitives of the canonical binary encoding (`Protocol/changeset.md` §2).
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    /// One byte.
    public mutating func write(byte: UInt8) { bytes.append(byte) }

    /// Raw bytes, no length prefix.
    public mutating func write(raw: some Sequence<UInt8>) { bytes.append(contentsOf: raw) }

    /// An unsigned LEB128 varint (shortest form).
    public mutating func write(varint value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    /// A UTF-8 string: varint byte length, then the bytes.
    public mutating func write(string: String) {
        let utf8 = Array(string.utf8)
        write(varint: UInt64(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// An optional string: 0x00 for absent, or 0x01 then the string.
    public mutating func write(optional string: String?) {
        if let string {
            write(byte: 1)
            write(string: string)
        } else {
            write(byte: 0)
        }
    }

    /// A boolean: 0x00 or 0x01.
    public mutating func write(bool: Bool) { write(byte: bool ? 1 : 0) }
}
