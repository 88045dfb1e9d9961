import Entrustment
import Foundation

/// The machine's clock.
public struct SystemTimeSource: TimeSource {
    public init() {}
    public func now() -> Timestamp {
        Timestamp(milliseconds: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))
    }
}

extension TimeSource where Self == SystemTimeSource {
    /// The time source the CLI uses: `COURTSYNC_NOW` (RFC 3339) if set, so that scripts, tests
    /// and simulations can fix the time; otherwise the data directory's accelerated clock
    /// (``NodeClockFile``), if it names one; otherwise the machine's clock.
    public static func fromEnvironment(
        dataDirectory: URL? = nil, _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(NodeError) -> any TimeSource {
        guard let text = environment["COURTSYNC_NOW"], !text.isEmpty else {
            guard let dataDirectory else { return SystemTimeSource() }
            return try NodeClockFile.timeSource(for: dataDirectory)
        }
        do {
            return FixedTimeSource(try Timestamp(rfc3339: text))
        } catch {
            throw NodeError(code: error.code.rawValue, "COURTSYNC_NOW: \(error.message)")
        }
    }
}
