import ArgumentParser
import Entrustment
import Foundation
import Node
import Replica
import SyncEngine

/// `courtsync init`: creates a node's data directory, replica and `node.json`.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "初始化节点 — create a node's data directory, replica and node.json.",
        discussion: """
            A court's node: --court CODE (法院代字), --hub-key KEY (the hub's public key, printed on the hub by `courtsync hub key`), optionally --hub URL and --peer CODE=URL for the courts it exchanges with directly. The hub (最高法 指挥中心): --role hub.

            TLS (传输加密): --tls-certificate and --tls-key make the daemon serve HTTPS only; --tls-trust-roots names the CA certificates that sign the hub's and peers' certificates (give https:// URLs). See docs/security.md.

            Creates the node's Ed25519 key pair: the private key is DATA_DIR/node.key (mode 0600) and never leaves the node. Then run `courtsync register` and have hub staff approve the node (courtsync hub approve CODE).
            """)

    @OptionGroup var node: NodeOptions
    @Option(name: .long, help: "The court this node serves, by its code (法院代字), e.g. 京0105. The hub serves 最高法.")
    var court: String?
    @Option(name: .long, help: "court (法院节点, default) or hub (最高法 指挥中心).")
    var role: NodeConfig.NodeRole = .court
    @Option(name: .long, help: "Where the daemon listens, HOST:PORT (default \(NodeConfig.defaultListen)).")
    var listen: String = NodeConfig.defaultListen
    @Option(
        name: .long,
        help:
            "The hub's URL, e.g. https://10.0.0.1:7400; repeat it for a hub running as several processes (tried in order)."
    )
    var hub: [String] = []
    @Option(name: .long, help: "A court synced directly, CODE=URL (repeatable), e.g. 粤0106=https://10.2.0.7:7400.")
    var peer: [String] = []
    @Option(name: .customLong("nodes-dir"), help: "The folder with courts.json and calendar.json (default: Nodes/).")
    var nodesDir: String?
    @Option(
        name: .customLong("hub-key"),
        help:
            "The hub's public key (from `courtsync hub key` on the hub: 64 hex digits for ed25519, 130 for sm2), pinned now."
    )
    var hubKey: String?
    @Option(
        name: .long,
        help:
            "签名套件 — the network's signature suite: ed25519 (Ed25519/SHA-256, default) or sm2 (国密 SM2/SM3). Chosen once, when the hub is made; a court's node must be made for its hub's suite (default: the suite of --hub-key)."
    )
    var suite: SignatureSuite?
    @Option(
        name: .customLong("key-file"),
        help:
            "An existing SM2 private key (PEM, PKCS#8 or SEC 1, unencrypted), e.g. the one the court's CA issued with its certificate, instead of a new key (sm2 only). It is copied into the data directory's node.key (mode 0600)."
    )
    var keyFile: String?
    @Flag(
        name: .customLong("trust-hub-on-first-use"),
        help:
            "Take the hub's key from the hub at the first registration instead of --hub-key (unsafe on an untrusted network)."
    )
    var trustOnFirstUse = false
    @Option(name: .customLong("tls-certificate"), help: "PEM certificate chain the daemon serves HTTPS with (传输加密证书).")
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-certificate (mode 0600).")
    var tlsKey: String?
    @Option(
        name: .customLong("tls-trust-roots"),
        help: "PEM CA certificates trusted for the hub's and peers' certificates (default: the system's).")
    var tlsTrustRoots: String?
    @Option(
        name: .long,
        help:
            "The hub only: keep its replica in PostgreSQL, postgres://USER@HOST:PORT/DB (an empty database; no password in the URL), so that several hub processes can serve it. See docs/postgres.md."
    )
    var store: String?
    @Option(
        name: .customLong("store-password-file"),
        help:
            "The passfile (libpq's format, mode 0600) with the password for --store (default: PGPASSFILE, then ~/.pgpass)."
    )
    var storePasswordFile: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try reporting(json: output.json) {
            let folder = try nodesDir.map { URL(fileURLWithPath: $0) } ?? ReferenceData.locateFolder()
            let reference = try ReferenceData(folder: folder)
            let courtCode =
                try court ?? (role == .hub ? CourtCode.supreme.rawValue : nil)
                ?? {
                    throw NodeError(code: "missingCourt", "a court's node needs --court CODE (the hub: --role hub)")
                }()
            let peers = try peer.map { text throws(NodeError) in
                guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
                    throw NodeError(
                        code: "invalidConfig", "--peer \(text): expected CODE=URL, e.g. 粤0106=https://10.2.0.7:7400")
                }
                return NodeConfig.Peer(
                    court: String(text[..<equals]), url: String(text[text.index(after: equals)...]))
            }
            let dataDirectory = try node.dataDirectory()
            let tls = try tlsSettings()
            guard store != nil || storePasswordFile == nil else {
                throw NodeError(code: "invalidConfig", "--store-password-file goes with --store")
            }
            let config = NodeConfig(
                role: role, court: courtCode, listen: listen, hubs: hub, peers: peers, tls: tls,
                store: store.map { NodeConfig.Store(url: $0, passwordFile: storePasswordFile) })
            try config.validate(directory: reference.directory)
            if tls != nil { _ = try TransportSecurity(settings: tls, dataDirectory: dataDirectory) }
            let hubTrust: CourtNode.HubTrust?
            switch (hubKey, trustOnFirstUse) {
            case (let key?, false): hubTrust = .pinned(key)
            case (nil, true): hubTrust = .onFirstUse
            case (nil, false): hubTrust = nil
            case (.some, true):
                throw NodeError(code: "invalidConfig", "give --hub-key or --trust-hub-on-first-use, not both")
            }
            if trustOnFirstUse {
                FileHandle.standardError.write(
                    Data(
                        "courtsync: warning: trusting the hub's key on first use: anyone who answers at the hub's address at registration could pose as the hub. Compare the fingerprint `courtsync register` prints with hub staff.\n"
                            .utf8))
            }
            let networkSuite = try chosenSuite()
            let ownKey = try keyFile.map { path throws(NodeError) in
                guard networkSuite == .sm2 else {
                    throw NodeError(
                        code: "invalidConfig", "--key-file takes an SM2 key: an ed25519 node makes its own key")
                }
                return try NodeKeyFile.importSM2(from: URL(fileURLWithPath: path))
            }
            let created = try CourtNode.initialise(
                dataDirectory: dataDirectory, court: courtCode, reference: reference, hubTrust: hubTrust,
                suite: networkSuite, key: ownKey, time: .fromEnvironment())
            defer { try? created.close() }
            let moved: StoreMove?
            do {
                moved = try config.store.map { try created.moveToStore($0.binding) }
                if let moved, !moved.verified {
                    throw NodeError(
                        code: "storeMismatch",
                        "the replica rebuilt from \(moved.store) differs from the hub's (digest \(moved.storeDigest.prefix(12)) vs \(moved.digest.prefix(12))): see docs/postgres.md"
                    )
                }
            } catch {
                // Nothing half-made stays: the next `init` starts again from nothing.
                try? created.close()
                for name in [
                    Replica.fileName, Replica.fileName + "-wal", Replica.fileName + "-shm", NodeKeyFile.fileName,
                ] {
                    try? FileManager.default.removeItem(at: dataDirectory.appendingPathComponent(name))
                }
                throw error
            }
            try config.save(to: dataDirectory)
            let court = created.replica.directory[created.identity.court]!
            let calendarYears =
                (try? created.replica.calendars())?.flatMap { $0 }.map { $0.reference.years.map(\.year) } ?? []
            if output.json {
                struct InitView: Encodable {
                    var court: String
                    var courtName: String
                    var nodeId: String
                    var role: String
                    var listen: String
                    var hub: [String]
                    var peers: [NodeConfig.Peer]
                    var dataDir: String
                    var suite: String
                    var publicKey: String
                    var fingerprint: String
                    var tls: TLSSettings?
                    var courts: Int
                    var calendarYears: [Int]
                    var store: String?
                }
                printJSON(
                    InitView(
                        court: court.code.rawValue, courtName: court.name, nodeId: created.identity.node.rawValue,
                        role: role.rawValue, listen: listen, hub: hub, peers: peers,
                        dataDir: created.dataDirectory.path, suite: created.suite.rawValue,
                        publicKey: created.publicKey,
                        fingerprint: created.keyFingerprint, tls: tls,
                        courts: created.replica.directory.count,
                        calendarYears: calendarYears, store: moved?.store))
            } else {
                print(
                    renderFields([
                        ("法院", "\(court.name)（\(court.code)）"),
                        ("节点", created.identity.node.rawValue),
                        ("签名套件", "\(created.suite.signatureName)/\(created.suite.hashName)（\(created.suite)）"),
                        ("节点公钥", created.publicKey),
                        ("公钥指纹", created.keyFingerprint),
                        ("角色", role == .hub ? "指挥中心（hub）" : "法院节点（court）"),
                        ("监听地址", listen + (tls?.servesTLS == true ? "（HTTPS）" : "")),
                        ("指挥中心", hub.isEmpty ? "—" : hub.joined(separator: "、")),
                        ("直连法院", peers.isEmpty ? "—" : peers.map { "\($0.court)=\($0.url)" }.joined(separator: ", ")),
                        ("数据目录", created.dataDirectory.path),
                        (
                            "数据库",
                            moved.map { "PostgreSQL \($0.store)（已写入 \($0.rows) 行并核对）" } ?? "本地 SQLite（replica.sqlite）"
                        ),
                        ("法院名录", "\(created.replica.directory.count) 家法院"),
                        (
                            "节假日历",
                            calendarYears.isEmpty
                                ? "待指挥中心发布（随签名法院名录下发）" : calendarYears.map(String.init).joined(separator: ", ")
                        ),
                    ]))
            }
        }
    }

    /// The suite: `--suite`; else that of `--hub-key`; else `sm2` with `--key-file`; else `ed25519`.
    private func chosenSuite() throws(NodeError) -> SignatureSuite {
        if let suite { return suite }
        if let hubKey, let keySuite = VerifyingKey.suite(ofHex: hubKey) { return keySuite }
        return keyFile == nil ? .ed25519 : .sm2
    }

    /// The `tls` section the options give, with paths made absolute against the current directory.
    private func tlsSettings() throws(NodeError) -> TLSSettings? {
        guard tlsCertificate != nil || tlsKey != nil || tlsTrustRoots != nil else { return nil }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw NodeError(code: "invalidConfig", "give --tls-certificate and --tls-key together (or neither)")
        }
        let absolute = { (path: String?) in path.map { URL(fileURLWithPath: $0).standardizedFileURL.path } }
        return TLSSettings(
            certificate: absolute(tlsCertificate), privateKey: absolute(tlsKey), trustRoots: absolute(tlsTrustRoots))
    }
}

extension NodeConfig.NodeRole: ExpressibleByArgument {}

extension SignatureSuite: ExpressibleByArgument {}
