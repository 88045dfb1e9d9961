import Entrustment
import Foundation

/// `DATA_DIR/clock.json`: an accelerated clock for a node of the demo network
/// (`courtsync demo` writes it). Without the file a node runs on the machine's clock.
///
/// Every process working on the data directory — the daemon and the CLI — reads the same file,
/// so they stamp acts with the same simulated time, and once the simulation has caught up with
/// the present the file makes no difference.
public enum NodeClockFile {
    /// The file's name in the data directory.
    public static let fileName = "clock.json"
    /// The largest file accepted.
    public static let maxBytes = 4_096

    /// The accelerated clock the data directory names, if any.
    public static func load(from dataDirectory: URL) throws(NodeError) -> AcceleratedClock? {
        let file = dataDirectory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let data = try BoundedFile.read(file, limit: maxBytes)
        do {
            return try JSONDecoder().decode(AcceleratedClock.self, from: data)
        } catch let error as DomainError {
            throw NodeError(code: "invalidClock", "\(file.path): \(error.message)")
        } catch {
            throw NodeError(
                code: "invalidClock",
                "\(file.path) is not a clock: expected {\"simulatedStart\", \"realStart\" (RFC 3339), \"rate\"}")
        }
    }

    /// Writes `clock` into the data directory.
    public static func write(_ clock: AcceleratedClock, to dataDirectory: URL) throws(NodeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(clock).write(to: dataDirectory.appendingPathComponent(fileName), options: .atomic)
        } catch {
            throw NodeError(code: "unwritable", "cannot write \(fileName) in \(dataDirectory.path): \(error)")
        }
    }

    /// The time source of a node's daemon: the accelerated clock if the data directory names
    /// one, otherwise the machine's clock.
    public static func timeSource(for dataDirectory: URL) throws(NodeError) -> any TimeSource {
        try load(from: dataDirectory).map { AcceleratedTimeSource($0) } ?? SystemTimeSource()
    }
}
