import Entrustment
import Foundation

/// The shipped reference data a node starts from: the court directory (`courts.json`) and the
/// holiday calendar (`calendar.json`) in the `Nodes/` folder.
public struct ReferenceData: Sendable {
    /// The court directory.
    public let directory: CourtDirectory
    /// The holiday calendar.
    public let calendar: HolidayCalendar

    /// The largest reference file read, in bytes.
    public static let maxFileBytes = 8 << 20

    private struct DirectoryFile: Decodable {
        var courts: [Court]
    }

    /// Loads and checks both files from a folder.
    public init(folder: URL) throws(NodeError) {
        let courtsFile = folder.appendingPathComponent("courts.json")
        let calendarFile = folder.appendingPathComponent("calendar.json")
        do {
            let courts = try JSONDecoder().decode(
                DirectoryFile.self, from: try BoundedFile.read(courtsFile, limit: Self.maxFileBytes)
            ).courts
            directory = try CourtDirectory(courts)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(code: "invalidDirectory", "\(courtsFile.path): \(Self.describe(error))")
        }
        do {
            let file = try JSONDecoder().decode(
                HolidayCalendar.File.self, from: try BoundedFile.read(calendarFile, limit: Self.maxFileBytes))
            calendar = try HolidayCalendar(file)
        } catch let error as NodeError {
            throw error
        } catch {
            throw NodeError(code: "invalidCalendar", "\(calendarFile.path): \(Self.describe(error))")
        }
    }

    /// Finds the `Nodes/` folder: `COURTSYNC_NODES_DIR` if set, else the nearest `Nodes/` holding
    /// `courts.json` above the executable or the working directory.
    public static func locateFolder(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(NodeError) -> URL {
        if let explicit = environment["COURTSYNC_NODES_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit)
        }
        let starts = [
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent(),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        ]
        for start in starts {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent("Nodes")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("courts.json").path) {
                    return candidate
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw NodeError(
            code: "referenceDataNotFound",
            "cannot find Nodes/courts.json above the executable or the working directory; set COURTSYNC_NODES_DIR or pass --nodes-dir"
        )
    }

    /// A one-line description of a JSON decoding error, naming the field.
    public static func describe(_ error: any Error) -> String {
        switch error {
        case let error as DomainError: error.message
        case DecodingError.dataCorrupted(let context): "invalid JSON: \(context.debugDescription)"
        case DecodingError.keyNotFound(let key, let context):
            "missing \"\(key.stringValue)\" at \(context.codingPath.map(\.stringValue).joined(separator: "."))"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            "wrong value at \(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        default: "\(error)"
        }
    }
}
