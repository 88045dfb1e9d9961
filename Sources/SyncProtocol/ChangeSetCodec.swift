import Crypto
import Entrustment

/// Reads and writes change sets in the format of `Protocol/changeset.md`.
public enum ChangeSetCodec {
    /// The four bytes every change set starts with: `CSYN`.
    public static let magic: [UInt8] = Array("CSYN".utf8)
    /// The format version this build writes and reads. Version 2 adds each event's signature.
    public static let formatVersion: UInt8 = 2
    /// Compression method 1: zlib (RFC 1950).
    public static let zlibCompression: UInt8 = 1

    /// Encodes a change set: header, SHA-256 checksum, zlib-compressed signed events.
    public static func encode(_ set: ChangeSet) throws(ChangeSetError) -> [UInt8] {
        var payload = ByteWriter()
        for event in set.events {
            guard let signature = event.signature else {
                throw ChangeSetError(.malformedEvent, "event \(event.id.hex.prefix(12)) is not signed")
            }
            payload.write(varint: UInt64(event.encoded.count))
            payload.write(raw: event.encoded)
            payload.write(raw: signature)
        }
        let compressed: [UInt8]
        do {
            compressed = try Zlib.compress(payload.bytes)
        } catch {
            throw ChangeSetError(.decompressionFailed, error.description)
        }
        guard (0...Timestamp.latest.milliseconds).contains(set.createdAt.milliseconds),
            set.throughSequence <= UInt64(Int64.max)
        else {
            throw ChangeSetError(.malformedHeader, "creation time or through-sequence out of range")
        }
        var header = ByteWriter()
        header.write(raw: magic)
        header.write(byte: formatVersion)
        header.write(byte: zlibCompression)
        header.write(string: set.senderCourt.rawValue)
        header.write(string: set.senderNode.rawValue)
        header.write(varint: UInt64(set.createdAt.milliseconds))
        header.write(varint: set.throughSequence)
        header.write(varint: UInt64(set.events.count))
        header.write(varint: UInt64(payload.bytes.count))
        header.write(varint: UInt64(compressed.count))
        var out = header.bytes
        out.append(contentsOf: checksum(header: header.bytes, compressed: compressed))
        out.append(contentsOf: compressed)
        return out
    }

    /// Decodes and checks a change set. Any problem refuses the whole set with a specific error.
    public static func decode(_ bytes: [UInt8], limits: ChangeSetLimits = .standard) throws(ChangeSetError) -> ChangeSet
    {
        guard bytes.count <= limits.maxEncodedBytes else {
            throw ChangeSetError(
                .tooLarge, "change set is \(bytes.count) bytes, over the limit of \(limits.maxEncodedBytes)")
        }
        guard bytes.starts(with: magic.prefix(min(bytes.count, 4))) else {
            throw ChangeSetError(.badMagic, "does not start with CSYN: not a change set")
        }
        guard bytes.count >= 4 else {
            throw ChangeSetError(.truncated, "only \(bytes.count) bytes: not a change set, or cut short")
        }
        guard Array(bytes[0..<4]) == magic else {
            throw ChangeSetError(.badMagic, "does not start with CSYN: not a change set")
        }
        var r = ByteReader(bytes, offset: 4)
        let header:
            (court: CourtCode, node: NodeID, created: Int64, through: UInt64, count: Int, payload: Int, compressed: Int)
        do {
            let version = try r.readByte("format version")
            guard version == formatVersion else {
                throw ChangeSetError(
                    .unsupportedVersion,
                    "format version \(version) is not supported (this build reads \(formatVersion))")
            }
            let compression = try r.readByte("compression")
            guard compression == zlibCompression else {
                throw ChangeSetError(
                    .unsupportedCompression, "compression method \(compression) is not supported (1 = zlib)")
            }
            let courtText = try r.readString("sender court", maxBytes: FieldLimits.identifier)
            let nodeText = try r.readString("sender node", maxBytes: NodeID.maxBytes)
            let created = try r.readVarint("created at", max: UInt64(Timestamp.latest.milliseconds))
            let through = try r.readVarint("through sequence", max: UInt64(Int64.max))
            let count = try r.readVarint("event count")
            let payload = try r.readVarint("payload length")
            let compressed = try r.readVarint("compressed length")
            guard count <= UInt64(max(0, limits.maxEvents)) else {
                throw ChangeSetError(.tooLarge, "\(count) events, over the limit of \(limits.maxEvents)")
            }
            guard payload <= UInt64(max(0, limits.maxPayloadBytes)) else {
                throw ChangeSetError(
                    .tooLarge, "payload of \(payload) bytes, over the limit of \(limits.maxPayloadBytes)")
            }
            guard compressed <= UInt64(max(0, limits.maxEncodedBytes)) else {
                throw ChangeSetError(
                    .tooLarge,
                    "compressed length \(compressed) is over the limit of \(limits.maxEncodedBytes) bytes")
            }
            let court: CourtCode
            let node: NodeID
            do {
                court = try CourtCode(courtText)
                node = try NodeID(nodeText)
            } catch {
                throw ChangeSetError(.malformedHeader, error.message)
            }
            header = (
                court, node, Int64(created), through, Int(count), Int(payload), Int(compressed)
            )
        } catch let failure as ByteReader.Failure {
            throw ChangeSetError(failure.isEndOfData ? .truncated : .malformedHeader, "header: \(failure.description)")
        } catch let error as ChangeSetError {
            throw error
        } catch {
            throw ChangeSetError(.malformedHeader, "header: \(error)")
        }
        let headerEnd = r.offset
        guard bytes.count - headerEnd - 32 >= header.compressed else {
            throw ChangeSetError(
                .truncated,
                "expected \(headerEnd + 32 + header.compressed) bytes, got \(bytes.count): the file is cut short")
        }
        guard bytes.count - headerEnd - 32 == header.compressed else {
            throw ChangeSetError(
                .trailingBytes, "\(bytes.count - headerEnd - 32 - header.compressed) unexpected bytes after the payload"
            )
        }
        let stated = Array(bytes[headerEnd..<headerEnd + 32])
        let compressed = Array(bytes[(headerEnd + 32)...])
        guard stated == checksum(header: Array(bytes[0..<headerEnd]), compressed: compressed) else {
            throw ChangeSetError(.checksumMismatch, "SHA-256 checksum does not match: the file was altered or damaged")
        }
        let payload: [UInt8]
        do {
            payload = try Zlib.decompress(compressed, limit: header.payload)
        } catch {
            throw ChangeSetError(.decompressionFailed, error.description)
        }
        guard payload.count == header.payload else {
            throw ChangeSetError(
                .lengthMismatch, "payload is \(payload.count) bytes, the header says \(header.payload)")
        }
        var events: [Event] = []
        events.reserveCapacity(header.count)
        var p = ByteReader(payload)
        for index in 0..<header.count {
            let length: UInt64
            do {
                length = try p.readVarint("event \(index) length")
            } catch {
                throw ChangeSetError(
                    error.isEndOfData ? .lengthMismatch : .malformedEvent,
                    error.isEndOfData
                        ? "payload holds fewer events than the header's \(header.count)" : "event \(index): \(error)")
            }
            guard length <= UInt64(FieldLimits.eventBytes) else {
                throw ChangeSetError(
                    .malformedEvent, "event \(index) is \(length) bytes, over the limit of \(FieldLimits.eventBytes)")
            }
            do {
                let event = try Event(decoding: Array(p.readRaw(count: Int(length), "event \(index)")))
                let signature = Array(
                    try p.readRaw(count: SignaturePurpose.signatureLength, "event \(index) signature"))
                events.append(try event.withSignature(signature))
            } catch let failure as ByteReader.Failure {
                throw ChangeSetError(
                    .lengthMismatch, "payload holds fewer events than the header's \(header.count): \(failure)")
            } catch let error as DomainError {
                throw ChangeSetError(.malformedEvent, "event \(index): \(error.message)")
            } catch {
                throw ChangeSetError(.malformedEvent, "event \(index): \(error)")
            }
        }
        guard p.isAtEnd else {
            throw ChangeSetError(.lengthMismatch, "payload holds more than the header's \(header.count) events")
        }
        return ChangeSet(
            senderCourt: header.court, senderNode: header.node, createdAt: Timestamp(milliseconds: header.created),
            throughSequence: header.through, events: events)
    }

    static func checksum(header: [UInt8], compressed: [UInt8]) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data: header)
        hasher.update(data: compressed)
        return Array(hasher.finalize())
    }
}
