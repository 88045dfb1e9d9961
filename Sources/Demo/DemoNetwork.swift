import Entrustment
import Foundation
import Node
import SyncEngine

/// The demo network on disk: a hub and court nodes in one folder, each with its own key pair,
/// replica, `node.json` (listening on 127.0.0.1) and `clock.json`, registered with the hub and
/// approved, every node holding the hub's signed directory. Nothing runs yet.
public struct DemoNetwork: Sendable {
    /// One node of the network.
    public struct Member: Sendable {
        /// Its court (`最高法` for the hub).
        public let court: CourtCode
        /// Its data directory.
        public let dataDirectory: URL
        /// Its URL (`http://127.0.0.1:PORT`).
        public let url: String
    }

    /// The folder holding the nodes.
    public let folder: URL
    /// The hub first, then the courts.
    public let members: [Member]
    /// The simulated time every node runs on (none: the machine's clock).
    public let clock: AcceleratedClock?
    /// A staff token of the hub's, for the dashboard and `/api/v1` (`courtsync token create`).
    public let staffToken: String

    /// The hub's member.
    public var hub: Member { members[0] }
    /// The courts' members.
    public var courts: [Member] { Array(members.dropFirst()) }

    /// How the demo nodes sync: long-polls, and a quick check for acts the demo writes into a
    /// replica from outside the daemon.
    public static let sync: NodeConfig.Sync = {
        var sync = NodeConfig.Sync()
        sync.localCheckMilliseconds = 20
        sync.backoffMaxSeconds = 5
        sync.intervalSeconds = 10
        return sync
    }()

    /// Creates the nodes of `courts` and the hub in `folder` (which must not hold a node yet),
    /// listening on `basePort` (hub), `basePort + 1`, … , syncing with `sync`, on `clock` (or the
    /// machine's clock), signing with `suite`.
    public static func create(
        in folder: URL, courts: [CourtCode], basePort: Int, reference: ReferenceData, clock: AcceleratedClock?,
        sync: NodeConfig.Sync = DemoNetwork.sync, limits: NodeConfig.Limits = NodeConfig.Limits(),
        suite: SignatureSuite
    ) throws(NodeError) -> DemoNetwork {
        guard basePort > 0, basePort + courts.count <= 65_535 else {
            throw NodeError(code: "invalidArgument", "ports \(basePort)…\(basePort + courts.count) are not all valid")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw NodeError(code: "unwritable", "cannot create \(folder.path): \(error)")
        }
        let wall = SystemTimeSource()
        let hubURL = "http://127.0.0.1:\(basePort)"
        var members: [Member] = []
        let hubDirectory = folder.appendingPathComponent("hub")
        let hub = try CourtNode.initialise(
            dataDirectory: hubDirectory, court: CourtCode.supreme.rawValue, reference: reference, hubTrust: nil,
            suite: suite, time: wall)
        defer { try? hub.close() }
        try NodeConfig(
            role: .hub, court: CourtCode.supreme.rawValue, listen: "127.0.0.1:\(basePort)", sync: sync, limits: limits
        ).save(to: hubDirectory)
        if let clock { try NodeClockFile.write(clock, to: hubDirectory) }
        members.append(Member(court: .supreme, dataDirectory: hubDirectory, url: hubURL))

        var nodes: [CourtNode] = []
        defer { for node in nodes { try? node.close() } }
        for (offset, court) in courts.enumerated() {
            let port = basePort + 1 + offset
            let directory = folder.appendingPathComponent(folderName(for: court))
            let node = try CourtNode.initialise(
                dataDirectory: directory, court: court.rawValue, reference: reference,
                hubTrust: .pinned(hub.publicKey), suite: suite, time: wall)
            nodes.append(node)
            try NodeConfig(
                role: .court, court: court.rawValue, listen: "127.0.0.1:\(port)", hubs: [hubURL], sync: sync,
                limits: limits
            ).save(to: directory)
            if let clock { try NodeClockFile.write(clock, to: directory) }
            _ = try hub.receiveRegistration(node.registrationRequest())
            _ = try hub.decide(.approve, court: court.rawValue)
            members.append(Member(court: court, dataDirectory: directory, url: "http://127.0.0.1:\(port)"))
        }
        guard let document = try hub.signedDirectory() else {
            throw NodeError(code: "invalidState", "the hub issued no signed directory")
        }
        for node in nodes { _ = try node.install(document) }
        let token = try hub.createStaffToken(name: "演示看板", scope: .monitoring).token
        return DemoNetwork(folder: folder, members: members, clock: clock, staffToken: token)
    }

    /// The name of a court's data directory inside the network's folder: its code (e.g. `粤0106`).
    public static func folderName(for court: CourtCode) -> String { court.rawValue }
}
