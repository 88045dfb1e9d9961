import Foundation

/// Documents for tests: PDF-looking files of random (incompressible) bytes, as a scanner makes.
public enum TestDocuments {
    /// Writes `size` bytes starting with a PDF header to `url` and returns it.
    @discardableResult
    public static func pdf(size: Int, at url: URL) throws -> URL {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array("%PDF-1.7\n".utf8)
        bytes.reserveCapacity(size)
        while bytes.count + 8 <= size { withUnsafeBytes(of: generator.next()) { bytes.append(contentsOf: $0) } }
        while bytes.count < size { bytes.append(UInt8.random(in: 0...255, using: &generator)) }
        try Data(bytes).write(to: url)
        return url
    }
}
