import Entrustment
import Foundation
import Replica

/// One court's node as the CLI (and later the daemon) drives it: a data directory holding the
/// replica, and the time source every act is stamped with.
public final class CourtNode: Sendable {
    /// The data directory.
    public let dataDirectory: URL
    /// The open replica.
    public let replica: Replica
    /// Where "now" comes from.
    public let time: any TimeSource

    /// The replica file inside a data directory.
    public static func replicaPath(in dataDirectory: URL) -> String {
        dataDirectory.appendingPathComponent(Replica.fileName).path
    }

    /// Opens the node in an initialised data directory.
    public init(dataDirectory: URL, time: any TimeSource) throws(NodeError) {
        self.dataDirectory = dataDirectory
        self.time = time
        do {
            replica = try Replica.open(at: Self.replicaPath(in: dataDirectory))
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }

    /// Initialises a new node: creates the data directory and the replica with the court's
    /// identity, the court directory and the calendar.
    public static func initialise(
        dataDirectory: URL, court: String, reference: ReferenceData, deadlinePolicy: DeadlinePolicy = .standard,
        time: any TimeSource
    ) throws(NodeError) -> CourtNode {
        let code: CourtCode
        do {
            code = try CourtCode(court)
            _ = try reference.directory.court(code)
            try deadlinePolicy.validate()
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        do {
            try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        } catch {
            throw NodeError(code: "storage", "cannot create the data directory \(dataDirectory.path)")
        }
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let identity = NodeIdentity(
            court: code,
            node: try! NodeID("\(code.rawValue).\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"))
        do {
            let replica = try Replica.create(
                at: replicaPath(in: dataDirectory), identity: identity, directory: reference.directory,
                calendar: reference.calendar, deadlinePolicy: deadlinePolicy, now: time.now())
            try replica.close()
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        return try CourtNode(dataDirectory: dataDirectory, time: time)
    }

    /// This node's identity.
    public var identity: NodeIdentity { replica.identity }

    /// Closes the replica; call before the process exits.
    public func close() throws(NodeError) {
        do {
            try replica.close()
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }

    /// Runs a replica write, turning domain and storage errors into ``NodeError``s.
    func write<T>(_ body: (inout ReplicaTransaction) throws -> T) throws(NodeError) -> T {
        do {
            return try replica.write(body)
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }

    /// Runs a replica read, turning errors into ``NodeError``s.
    public func read<T>(_ body: () throws(ReplicaError) -> T) throws(NodeError) -> T {
        do {
            return try body()
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }
}
