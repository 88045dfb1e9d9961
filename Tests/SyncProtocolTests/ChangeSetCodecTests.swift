import Entrustment
import Foundation
@testable import SyncProtocol
import TestSupport
import Testing

@Suite("Change sets: encoding and every kind of corruption")
struct ChangeSetCodecTests {
    static let sample = ProtocolVectors.valid[2].changeSet

    @Test("a change set decodes to the same sender, cursor and events")
    func roundTrip() throws {
        let bytes = try ChangeSetCodec.encode(Self.sample)
        let decoded = try ChangeSetCodec.decode(bytes)
        #expect(decoded == Self.sample)
        #expect(decoded.events.map(\.id) == Self.sample.events.map(\.id))
        #expect(try ChangeSetCodec.encode(decoded) == bytes)
    }

    @Test("a file cut short at any length is refused as truncated or damaged")
    func truncatedEverywhere() throws {
        let bytes = try ChangeSetCodec.encode(Self.sample)
        for length in 0..<bytes.count {
            #expect(throws: ChangeSetError.self, "length \(length)") {
                try ChangeSetCodec.decode(Array(bytes.prefix(length)))
            }
        }
    }

    @Test("flipping any single bit anywhere in the file is detected")
    func bitFlipsEverywhere() throws {
        let bytes = try ChangeSetCodec.encode(ProtocolVectors.valid[1].changeSet)
        for index in bytes.indices {
            for bit in [0, 3, 7] {
                var damaged = bytes
                damaged[index] ^= UInt8(1 << bit)
                #expect(throws: ChangeSetError.self, "byte \(index) bit \(bit)") { try ChangeSetCodec.decode(damaged) }
            }
        }
    }

    @Test("wrong magic, version and compression are refused by name")
    func headerFields() throws {
        let bytes = try ChangeSetCodec.encode(Self.sample)
        var magic = bytes
        magic[1] = 0
        #expect(throws: ChangeSetError(.badMagic, "does not start with CSYN: not a change set")) {
            try ChangeSetCodec.decode(magic)
        }
        var version = bytes
        version[4] = 9
        #expect { try ChangeSetCodec.decode(version) } throws: { ($0 as! ChangeSetError).code == .unsupportedVersion }
        var compression = bytes
        compression[5] = 0
        #expect { try ChangeSetCodec.decode(compression) } throws: {
            ($0 as! ChangeSetError).code == .unsupportedCompression
        }
        #expect { try ChangeSetCodec.decode(Array("garbage, not a change file".utf8)) } throws: {
            ($0 as! ChangeSetError).code == .badMagic
        }
    }

    @Test("sets over the limits are refused before decompressing")
    func oversized() throws {
        let bytes = try ChangeSetCodec.encode(Self.sample)
        #expect { try ChangeSetCodec.decode(bytes, limits: .init(maxEncodedBytes: bytes.count - 1)) } throws: {
            ($0 as! ChangeSetError).code == .tooLarge
        }
        #expect { try ChangeSetCodec.decode(bytes, limits: .init(maxEvents: 7)) } throws: {
            ($0 as! ChangeSetError).code == .tooLarge
        }
        #expect { try ChangeSetCodec.decode(bytes, limits: .init(maxPayloadBytes: 100)) } throws: {
            ($0 as! ChangeSetError).code == .tooLarge
        }
    }

    @Test("a zip bomb (payload far larger than the header says) stops at the stated size")
    func zipBomb() throws {
        // A valid header and checksum whose payload inflates to 8 MiB while the header says 100 bytes.
        let bomb = try Zlib.compress([UInt8](repeating: 0, count: 8 << 20))
        let file = Self.handMade(count: 1, payloadLength: 100, compressed: bomb)
        #expect { try ChangeSetCodec.decode(file) } throws: { error in
            let error = error as! ChangeSetError
            return error.code == .decompressionFailed && error.message.contains("exceeds the limit of 100")
        }
    }

    @Test(
        "a compressed length the file cannot hold is refused without arithmetic overflow",
        arguments: [UInt64.max, UInt64(Int64.max), UInt64(Int64.max) - 31, UInt64(64 << 20 + 1), UInt64(1000)]
            as [UInt64])
    func impossibleCompressedLength(stated: UInt64) throws {
        let compressed = try Zlib.compress([0])
        let file = Self.handMade(count: 0, payloadLength: 1, compressedLength: stated, compressed: compressed)
        #expect { try ChangeSetCodec.decode(file) } throws: {
            [.tooLarge, .truncated].contains(($0 as! ChangeSetError).code)
        }
    }

    @Test("a creation time past 9999-12-31 is a malformed header")
    func creationTimeLimit() throws {
        let payload = try Zlib.compress([])
        let latest = UInt64(Timestamp.latest.milliseconds)
        let last = Self.handMade(createdAt: latest, count: 0, payloadLength: 0, compressed: payload)
        #expect(try ChangeSetCodec.decode(last).createdAt == .latest)
        let beyond = Self.handMade(createdAt: latest + 1, count: 0, payloadLength: 0, compressed: payload)
        #expect { try ChangeSetCodec.decode(beyond) } throws: { ($0 as! ChangeSetError).code == .malformedHeader }
    }

    @Test("an event length over the event limit is a malformed event, not a short payload")
    func oversizedEventLength() throws {
        var payload = ByteWriter()
        payload.write(varint: UInt64(FieldLimits.eventBytes + 1))
        payload.write(raw: [UInt8](repeating: 0, count: FieldLimits.eventBytes + 1))
        let file = Self.handMade(
            count: 1, payloadLength: UInt64(payload.bytes.count), compressed: try Zlib.compress(payload.bytes))
        #expect { try ChangeSetCodec.decode(file) } throws: { error in
            let error = error as! ChangeSetError
            return error.code == .malformedEvent && error.message.contains("over the limit")
        }
    }

    @Test("an event without its signature is refused whole, and an unsigned event cannot be encoded")
    func unsignedEvent() throws {
        let event = Self.sample.events[0]
        var payload = ByteWriter()
        payload.write(varint: UInt64(event.encoded.count))
        payload.write(raw: event.encoded)
        let file = Self.handMade(
            count: 1, payloadLength: UInt64(payload.bytes.count), compressed: try Zlib.compress(payload.bytes))
        #expect { try ChangeSetCodec.decode(file) } throws: { error in
            let error = error as! ChangeSetError
            return error.code == .lengthMismatch && error.message.contains("signature")
        }
        let unsigned = try Event(
            matterID: event.matterID, author: event.author, origin: event.origin, timestamp: event.timestamp,
            parents: event.parents, action: event.action)
        var set = Self.sample
        set.events = [unsigned]
        #expect { try ChangeSetCodec.encode(set) } throws: { ($0 as! ChangeSetError).code == .malformedEvent }
    }

    @Test("a payload whose event count or length differs from the header is refused")
    func countMismatch() throws {
        let payloadEvent = Self.sample.events[0].encoded
        var payload = ByteWriter()
        payload.write(varint: UInt64(payloadEvent.count))
        payload.write(raw: payloadEvent)
        payload.write(raw: Self.sample.events[0].signature!)
        let compressed = try Zlib.compress(payload.bytes)
        func file(count: UInt64) -> [UInt8] {
            Self.handMade(count: count, payloadLength: UInt64(payload.bytes.count), compressed: compressed)
        }
        #expect(try ChangeSetCodec.decode(file(count: 1)).events.count == 1)
        for wrong: UInt64 in [0, 2] {
            #expect { try ChangeSetCodec.decode(file(count: wrong)) } throws: {
                ($0 as! ChangeSetError).code == .lengthMismatch
            }
        }
    }

    /// A change file built by hand with a valid checksum, so that its header may lie.
    static func handMade(
        createdAt: UInt64 = 0, count: UInt64, witnesses: UInt64 = 0, payloadLength: UInt64,
        compressedLength: UInt64? = nil, compressed: [UInt8]
    ) -> [UInt8] {
        var header = ByteWriter()
        header.write(raw: ChangeSetCodec.magic)
        header.write(byte: ChangeSetCodec.formatVersion)
        header.write(byte: ChangeSetCodec.zlibCompression)
        header.write(string: "京0105")
        header.write(string: "京0105.n")
        header.write(varint: createdAt)
        header.write(varint: 1)
        header.write(varint: count)
        header.write(varint: witnesses)
        header.write(varint: payloadLength)
        header.write(varint: compressedLength ?? UInt64(compressed.count))
        return header.bytes + ChangeSetCodec.checksum(header: header.bytes, compressed: compressed, suite: .ed25519)
            + compressed
    }

    @Test("zlib round-trips and refuses corrupt or over-limit streams")
    func zlib() throws {
        let text = Array(String(repeating: "冻结银行存款 ", count: 1000).utf8)
        let compressed = try Zlib.compress(text)
        #expect(compressed.count < text.count / 10)
        #expect(try Zlib.decompress(compressed, limit: text.count) == text)
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(compressed, limit: text.count - 1) }
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(Array(compressed.dropLast(3)), limit: 1 << 20) }
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress([0x78, 0x9C, 0xFF, 0xFF], limit: 1 << 20) }
        #expect(throws: Zlib.Failure.self) { try Zlib.decompress(compressed + [1, 2], limit: 1 << 20) }
    }
}
