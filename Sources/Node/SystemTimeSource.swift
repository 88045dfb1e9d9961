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
    /// and simulations can fix the time; otherwise the machine's clock.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(NodeError) -> any TimeSource {
        guard let text = environment["COURTSYNC_NOW"], !text.isEmpty else { return SystemTimeSource() }
        do {
            return FixedTimeSource(try Timestamp(rfc3339: text))
        } catch {
            throw NodeError(code: error.code.rawValue, "COURTSYNC_NOW: \(error.message)")
        }
    }
}
