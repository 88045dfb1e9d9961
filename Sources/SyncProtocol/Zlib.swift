import CZlib

/// zlib (RFC 1950) compression through the system library, with a hard limit on output size so
/// that a small hostile input cannot inflate into gigabytes (a "zip bomb").
public enum Zlib {
    /// Why compression or decompression failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The compression level used for change sets (zlib's default trade-off).
    public static let level: Int32 = 6

    /// Compresses `input` into a zlib stream.
    public static func compress(_ input: [UInt8], level: Int32 = level) throws(Failure) -> [UInt8] {
        var stream = z_stream()
        guard deflateInit_(&stream, level, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib deflateInit failed")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, UInt(input.count))))
        var input = input
        let status = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = UInt32(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = UInt32(outBuffer.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw Failure(description: "zlib deflate failed (status \(status))") }
        return Array(output[0..<Int(stream.total_out)])
    }

    /// Decompresses a complete zlib stream, failing as soon as the output would pass `limit`
    /// bytes, or if the stream is corrupt, truncated, or followed by extra bytes.
    public static func decompress(_ input: [UInt8], limit: Int) throws(Failure) -> [UInt8] {
        var output: [UInt8] = []
        try inflate(input, limit: limit) { chunk in output.append(contentsOf: chunk) }
        return output
    }

    /// Inflates a complete zlib stream in pieces of at most 64 KiB, handing each to `consume` as
    /// it is produced, so that memory does not grow with the output. Fails as soon as the output
    /// would pass `limit` bytes, or if the stream is corrupt, truncated, or followed by extra
    /// bytes; an error `consume` throws stops it too. Returns the number of bytes produced.
    @discardableResult
    public static func inflate(
        _ input: [UInt8], limit: Int, into consume: (ArraySlice<UInt8>) throws(Failure) -> Void
    ) throws(Failure) -> Int {
        var stream = z_stream()
        guard inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        var status: Int32 = Z_OK
        var total = 0
        var failure: Failure?
        input.withUnsafeMutableBufferPointer { inBuffer in
            stream.next_in = inBuffer.baseAddress
            stream.avail_in = UInt32(inBuffer.count)
            repeat {
                let produced = chunk.withUnsafeMutableBufferPointer { outBuffer -> Int in
                    stream.next_out = outBuffer.baseAddress
                    stream.avail_out = UInt32(outBuffer.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return outBuffer.count - Int(stream.avail_out)
                }
                guard total + produced <= limit else {
                    failure = Failure(description: "decompressed data exceeds the limit of \(limit) bytes")
                    return
                }
                total += produced
                if produced > 0 {
                    do throws(Failure) {
                        try consume(chunk[0..<produced])
                    } catch {
                        failure = error
                        return
                    }
                }
            } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0)
        }
        if let failure { throw failure }
        switch status {
        case Z_STREAM_END:
            guard stream.avail_in == 0 else {
                throw Failure(description: "\(stream.avail_in) unexpected bytes after the compressed stream")
            }
            return total
        case Z_OK, Z_BUF_ERROR:
            throw Failure(description: "compressed data is truncated")
        case Z_DATA_ERROR:
            let message = stream.msg.map { String(cString: $0) } ?? "invalid data"
            throw Failure(description: "compressed data is corrupt (\(message))")
        default:
            throw Failure(description: "zlib inflate failed (status \(status))")
        }
    }
}
