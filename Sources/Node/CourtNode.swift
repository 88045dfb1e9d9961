import Entrustment
import Foundation
import PostgresStore
import Replica

/// One court's node as the CLI (and later the daemon) drives it: a data directory holding the
/// replica, and the time source every act is stamped with.
public final class CourtNode: Sendable {
    /// The data directory.
    public let dataDirectory: URL
    /// The open replica.
    public let replica: Replica
    /// Where "now" comes from: the time acts, arrivals and contacts are recorded with.
    public let time: any TimeSource
    /// The machine's clock as the transport sees it: signed requests are dated and checked for
    /// freshness with it. It is ``time`` except on a demo node, whose ``time`` is simulated.
    public let wallClock: any TimeSource
    /// This node's private key (`DATA_DIR/node.key`): signs its events and requests.
    let signingKey: SigningKey

    /// The replica file inside a data directory.
    public static func replicaPath(in dataDirectory: URL) -> String {
        dataDirectory.appendingPathComponent(Replica.fileName).path
    }

    /// Opens the node in an initialised data directory. Requests are dated with `wallClock`
    /// (default: `time`).
    public init(dataDirectory: URL, time: any TimeSource, wallClock: (any TimeSource)? = nil) throws(NodeError) {
        self.dataDirectory = dataDirectory
        self.time = time
        self.wallClock = wallClock ?? time
        do {
            _ = try CrashPoint.armed()
        } catch {
            throw NodeError(code: "invalidArgument", error.description)
        }
        do {
            replica = try Replica.open(at: Self.replicaPath(in: dataDirectory)) { binding throws(ReplicaError) in
                try PostgresSharedStore.open(binding)
            }
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        do throws(NodeError) {
            signingKey = try NodeKeyFile.load(from: dataDirectory, suite: replica.suite)
            let anchor: TrustAnchor
            do { anchor = try replica.trustAnchor() } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
            guard anchor.publicKey == signingKey.publicKey.hex else {
                throw NodeError(
                    code: "corruptKey",
                    "\(NodeKeyFile.fileName) does not match the key this replica was created with: restore the original key file"
                )
            }
        } catch {
            try? replica.close()
            throw error
        }
        if replica.identity.court == .supreme {
            let key = signingKey
            replica.witness { $0.signed(with: key) }
        }
    }

    /// How a new court node comes to trust the hub's key.
    public enum HubTrust: Sendable {
        /// The hub's public key, as `courtsync hub key` printed it (64 hex digits): pinned now.
        case pinned(String)
        /// Take the key the hub presents at the first registration (trust on first use).
        case onFirstUse
    }

    /// Initialises a new node: creates the data directory, the node's key pair (`node.key`), and
    /// the replica with the court's identity, the court directory and the calendar. A court's
    /// node pins the hub's key (`hubTrust`); the hub's own node issues the first signed directory.
    public static func initialise(
        dataDirectory: URL, court: String, reference: ReferenceData, deadlinePolicy: DeadlinePolicy = .standard,
        hubTrust: HubTrust? = nil, suite: SignatureSuite, key existingKey: SigningKey? = nil,
        time: any TimeSource
    ) throws(NodeError) -> CourtNode {
        if let existingKey, existingKey.suite != suite {
            throw NodeError(
                code: "invalidKey",
                "the key given is an \(existingKey.suite.signatureName) key, but the node is made for the \(suite) suite"
            )
        }
        let code: CourtCode
        do {
            code = try CourtCode(court)
            _ = try reference.directory.court(code)
            try deadlinePolicy.validate()
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        let isHub = code == .supreme
        var pinnedHubKey: String?
        switch (isHub, hubTrust) {
        case (true, nil): break
        case (true, .some): throw NodeError(code: "invalidConfig", "the hub holds the hub key: no --hub-key for it")
        case (false, nil):
            throw NodeError(
                code: "missingHubKey",
                "a court's node must pin the hub's key: --hub-key KEY (run `courtsync hub key` on the hub), or --trust-hub-on-first-use"
            )
        case (false, .pinned(let key)?):
            do { _ = try VerifyingKey(hex: key, suite: suite) } catch {
                if let other = VerifyingKey.suite(ofHex: key) {
                    throw NodeError(
                        code: "wrongSuite",
                        "--hub-key is an \(other.signatureName) key: that network uses the \(other) suite, and this node is being made for \(suite); run init with --suite \(other)"
                    )
                }
                throw NodeError(code: "invalidField", "--hub-key: \(error.message)")
            }
            pinnedHubKey = key.lowercased()
        case (false, .onFirstUse?): break
        }
        guard !FileManager.default.fileExists(atPath: replicaPath(in: dataDirectory)) else {
            throw NodeError(code: "alreadyInitialised", "a replica already exists at \(replicaPath(in: dataDirectory))")
        }
        do {
            // The node's own folder is its owner's alone (the key, the replica, the documents).
            try FileManager.default.createDirectory(
                at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw NodeError(code: "storage", "cannot create the data directory \(dataDirectory.path)")
        }
        let key = existingKey ?? SigningKey.generate(suite)
        try NodeKeyFile.create(in: dataDirectory, key: key)
        let publicKey = key.publicKey.hex
        let suffix = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let identity = NodeIdentity(
            court: code,
            node: try! NodeID("\(code.rawValue).\(String(repeating: "0", count: 8 - suffix.count))\(suffix)"))
        do {
            let replica = try Replica.create(
                at: replicaPath(in: dataDirectory), identity: identity, suite: suite, directory: reference.directory,
                calendar: reference.calendar, deadlinePolicy: deadlinePolicy, publicKey: publicKey,
                hubKey: isHub ? publicKey : pinnedHubKey, trustHubOnFirstUse: hubTrust.isOnFirstUse, now: time.now())
            try replica.close()
        } catch {
            try? FileManager.default.removeItem(at: dataDirectory.appendingPathComponent(NodeKeyFile.fileName))
            throw NodeError(code: error.code.rawValue, error.message)
        }
        let node = try CourtNode(dataDirectory: dataDirectory, time: time)
        if isHub {
            do {
                try node.approveSelf()
            } catch {
                try? node.close()
                throw error
            }
        }
        return node
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

extension Optional where Wrapped == CourtNode.HubTrust {
    fileprivate var isOnFirstUse: Bool {
        if case .onFirstUse? = self { return true }
        return false
    }
}
