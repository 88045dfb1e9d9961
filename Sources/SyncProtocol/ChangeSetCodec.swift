import Entrustment

/// Reads and writes change sets in the format of `Protocol/changeset.md`.
public enum ChangeSetCodec {
    /// The four bytes every change set starts with: `CSYN`.
    public static let magic: [UInt8] = Array("CSYN".utf8)
    /// The format version this build writes for an `ed25519` network. Version 3 adds the hub's
    /// witnesses; version 2 (signed events, no witnesses) is still read.
    public static let formatVersion: UInt8 = 3
    /// The format version this build writes for any other suite: version 3 with a suite byte
    /// after the compression byte. Readers also take it with suite byte 1 (`ed25519`).
    public static let suiteFormatVersion: UInt8 = 4
    /// The format versions this build reads.
    public static let readableVersions: ClosedRange<UInt8> = 2...4
    /// Compression method 1: zlib (RFC 1950).
    public static let zlibCompression: UInt8 = 1

    /// Encodes a change set: header, checksum (the suite's hash), zlib-compressed signed events and
    /// witnesses. An `ed25519` set is written as format 3, any other as format 4.
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
        for witness in set.witnesses {
            guard let signature = witness.signature else {
                throw ChangeSetError(.malformedWitness, "the witness of \(witness.event.hex.prefix(12)) is not signed")
            }
            payload.write(varint: UInt64(witness.encoded.count))
            payload.write(raw: witness.encoded)
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
        header.write(byte: set.suite == .ed25519 ? formatVersion : suiteFormatVersion)
        header.write(byte: zlibCompression)
        if set.suite != .ed25519 { header.write(byte: set.suite.byte) }
        header.write(string: set.senderCourt.rawValue)
        header.write(string: set.senderNode.rawValue)
        header.write(varint: UInt64(set.createdAt.milliseconds))
        header.write(varint: set.throughSequence)
        header.write(varint: UInt64(set.events.count))
        header.write(varint: UInt64(set.witnesses.count))
        header.write(varint: UInt64(payload.bytes.count))
        header.write(varint: UInt64(compressed.count))
        var out = header.bytes
        out.append(contentsOf: checksum(header: header.bytes, compressed: compressed, suite: set.suite))
        out.append(contentsOf: compressed)
        return out
    }

    /// The fields of a header, as read.
    private struct Header {
        var suite: SignatureSuite
        var court: CourtCode
        var node: NodeID
        var created: Int64
        var through: UInt64
        var events: Int
        var witnesses: Int
        var payload: Int
        var compressed: Int
    }

    /// Decodes and checks a change set made in a network of `suite` (a set of another suite is
    /// refused, `wrongSuite`). Any problem refuses the whole set with a specific error.
    ///
    /// The payload is inflated twice, in pieces: once to check the stream and its length, then
    /// again to read the records as they come out. Memory thus holds the encoded set and the
    /// decoded records, never the whole decompressed payload, and the checks keep the order of
    /// `Protocol/changeset.md` §7.
    public static func decode(
        _ bytes: [UInt8], suite: SignatureSuite, limits: ChangeSetLimits = .standard
    ) throws(ChangeSetError) -> ChangeSet {
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
        let header = try readHeader(&r, limits: limits)
        let headerEnd = r.offset
        guard header.suite == suite else {
            throw ChangeSetError(
                .wrongSuite,
                "the set was made in a network of suite \(header.suite) (\(header.suite.signatureName)/\(header.suite.hashName)), but this node's network uses \(suite) (\(suite.signatureName)/\(suite.hashName))"
            )
        }
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
        guard stated == checksum(header: Array(bytes[0..<headerEnd]), compressed: compressed, suite: suite) else {
            throw ChangeSetError(
                .checksumMismatch, "\(suite.hashName) checksum does not match: the file was altered or damaged")
        }
        let produced: Int
        do {
            produced = try Zlib.inflate(compressed, limit: header.payload) { _ in }
        } catch {
            throw ChangeSetError(.decompressionFailed, error.description)
        }
        guard produced == header.payload else {
            throw ChangeSetError(.lengthMismatch, "payload is \(produced) bytes, the header says \(header.payload)")
        }
        var records = RecordReader(events: header.events, witnesses: header.witnesses, suite: suite)
        do {
            try Zlib.inflate(compressed, limit: header.payload) { chunk throws(Zlib.Failure) in
                do { try records.take(chunk) } catch { throw Zlib.Failure(description: "") }
            }
        } catch {
            // Only the reader's own error can stop the second pass: the first one read the stream.
            throw records.failure ?? ChangeSetError(.decompressionFailed, error.description)
        }
        try records.finish()
        return ChangeSet(
            suite: suite, senderCourt: header.court, senderNode: header.node,
            createdAt: Timestamp(milliseconds: header.created),
            throughSequence: header.through, events: records.events, witnesses: records.witnesses)
    }

    /// The length of the change set that `prefix` (the first bytes of a file, at least its
    /// header) begins: header, checksum and payload. A change file may carry a documents section
    /// after it (`Protocol/changeset.md` §9).
    public static func encodedLength(
        startingWith prefix: [UInt8], limits: ChangeSetLimits = .standard
    ) throws(ChangeSetError) -> Int {
        guard prefix.count >= 4 else {
            throw ChangeSetError(.truncated, "only \(prefix.count) bytes: not a change set, or cut short")
        }
        guard Array(prefix[0..<4]) == magic else {
            throw ChangeSetError(.badMagic, "does not start with CSYN: not a change set")
        }
        var r = ByteReader(prefix, offset: 4)
        let header = try readHeader(&r, limits: limits)
        let length = r.offset + 32 + header.compressed
        guard length <= limits.maxEncodedBytes else {
            throw ChangeSetError(
                .tooLarge, "change set is \(length) bytes, over the limit of \(limits.maxEncodedBytes)")
        }
        return length
    }

    private static func readHeader(_ r: inout ByteReader, limits: ChangeSetLimits) throws(ChangeSetError) -> Header {
        do {
            let version = try r.readByte("format version")
            guard readableVersions.contains(version) else {
                throw ChangeSetError(
                    .unsupportedVersion,
                    "format version \(version) is not supported (this build reads \(readableVersions.lowerBound) to \(readableVersions.upperBound))"
                )
            }
            let compression = try r.readByte("compression")
            guard compression == zlibCompression else {
                throw ChangeSetError(
                    .unsupportedCompression, "compression method \(compression) is not supported (1 = zlib)")
            }
            var suite = SignatureSuite.ed25519
            if version >= suiteFormatVersion {
                let byte = try r.readByte("suite")
                guard let stated = SignatureSuite(byte: byte) else {
                    throw ChangeSetError(
                        .unsupportedSuite, "suite byte \(byte) is not known (1 = ed25519, 2 = sm2)")
                }
                suite = stated
            }
            let courtText = try r.readString("sender court", maxBytes: FieldLimits.identifier)
            let nodeText = try r.readString("sender node", maxBytes: NodeID.maxBytes)
            let created = try r.readVarint("created at", max: UInt64(Timestamp.latest.milliseconds))
            let through = try r.readVarint("through sequence", max: UInt64(Int64.max))
            let events = try r.readVarint("event count")
            let witnesses = version >= 3 ? try r.readVarint("witness count") : 0
            let payload = try r.readVarint("payload length")
            let compressed = try r.readVarint("compressed length")
            let maxRecords = UInt64(max(0, limits.maxEvents))
            guard events <= maxRecords, witnesses <= maxRecords - events else {
                throw ChangeSetError(
                    .tooLarge,
                    "\(events) events and \(witnesses) witnesses, over the limit of \(limits.maxEvents) records")
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
            return Header(
                suite: suite, court: court, node: node, created: Int64(created), through: through, events: Int(events),
                witnesses: Int(witnesses), payload: Int(payload), compressed: Int(compressed))
        } catch let failure as ByteReader.Failure {
            throw ChangeSetError(failure.isEndOfData ? .truncated : .malformedHeader, "header: \(failure.description)")
        } catch let error as ChangeSetError {
            throw error
        } catch {
            throw ChangeSetError(.malformedHeader, "header: \(error)")
        }
    }

    static func checksum(header: [UInt8], compressed: [UInt8], suite: SignatureSuite) -> [UInt8] {
        var hasher = suite.hasher()
        hasher.update(header)
        hasher.update(compressed)
        return hasher.finalize()
    }
}
