import Entrustment
import Foundation
import Replica
import PostgresStore
import Node

/// A node's settings, `DATA_DIR/node.json`: written by `courtsync init`, readable and editable by
/// an operator, read by `courtsync serve`, `sync`, `peers` and `status`.
public struct NodeConfig: Codable, Sendable, Equatable {
    /// Whether the node is a court's or the supreme-level hub's.
    public enum NodeRole: String, Codable, Sendable, CaseIterable {
        case court
        case hub
    }

    /// A court this node syncs with directly.
    public struct Peer: Codable, Sendable, Equatable {
        /// The peer's court code.
        public var court: String
        /// The peer's base URL, e.g. `http://10.1.2.3:7400`.
        public var url: String

        public init(court: String, url: String) {
            self.court = court
            self.url = url
        }
    }

    /// Timing of the sync scheduler.
    public struct Sync: Codable, Sendable, Equatable {
        /// How often each link is synced when nothing prompts it (seconds).
        public var intervalSeconds: Double = 30
        /// How long a pull waits at the remote for new changes (long-poll, seconds).
        public var longPollSeconds: Double = 25
        /// Added to the long-poll wait for a request's timeout (seconds).
        public var requestTimeoutSeconds: Double = 15
        /// Retry delay after the first failure (seconds); it doubles per failure.
        public var backoffInitialSeconds: Double = 1
        /// The longest retry delay (seconds).
        public var backoffMaxSeconds: Double = 60
        /// The random part of each delay, as a fraction of it (0 … 1).
        public var backoffJitter: Double = 0.5
        /// How often the daemon looks for acts recorded by the CLI (milliseconds).
        public var localCheckMilliseconds: Int = 100
        /// With several hub URLs: how long a link stays on a later one before it tries the first
        /// again (seconds).
        public var failbackSeconds: Double = 120
        /// The newest protocol version this node speaks, when pinned below the build's own
        /// (``ProtocolVersion``): for an upgrade rolled out in stages. `nil`: the build's newest.
        public var protocolVersion: Int?

        public init() {}

        /// Reads the timing; a setting the file does not name keeps its default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Sync()
            intervalSeconds = try c.decodeIfPresent(Double.self, forKey: .intervalSeconds) ?? d.intervalSeconds
            longPollSeconds = try c.decodeIfPresent(Double.self, forKey: .longPollSeconds) ?? d.longPollSeconds
            requestTimeoutSeconds =
                try c.decodeIfPresent(Double.self, forKey: .requestTimeoutSeconds) ?? d.requestTimeoutSeconds
            backoffInitialSeconds =
                try c.decodeIfPresent(Double.self, forKey: .backoffInitialSeconds) ?? d.backoffInitialSeconds
            backoffMaxSeconds = try c.decodeIfPresent(Double.self, forKey: .backoffMaxSeconds) ?? d.backoffMaxSeconds
            backoffJitter = try c.decodeIfPresent(Double.self, forKey: .backoffJitter) ?? d.backoffJitter
            localCheckMilliseconds =
                try c.decodeIfPresent(Int.self, forKey: .localCheckMilliseconds) ?? d.localCheckMilliseconds
            failbackSeconds = try c.decodeIfPresent(Double.self, forKey: .failbackSeconds) ?? d.failbackSeconds
            protocolVersion = try c.decodeIfPresent(Int.self, forKey: .protocolVersion)
        }
    }

    /// Limits on what the node sends and accepts.
    public struct Limits: Codable, Sendable, Equatable {
        /// The most events in one change set this node sends.
        public var maxEventsPerSet: Int = 1_000
        /// The most encoded event bytes in one change set this node sends (before compression).
        public var maxBytesPerSet: Int = 1 << 20
        /// The largest request or response body accepted (bytes).
        public var maxBodyBytes: Int = 16 << 20
        /// The longest long-poll wait this node grants a caller (seconds).
        public var maxLongPollSeconds: Double = 30
        /// How far ahead of this node's clock a received event may be dated (seconds).
        public var maxClockAheadSeconds: Int = 3_600
        /// How far a signed request's timestamp may be from this node's clock (seconds); nonces
        /// are remembered for as long, so a replay inside the window is refused too. 15 minutes:
        /// courts' clocks may be 10 minutes off (`docs/reliability.md`) and must still sync.
        public var requestWindowSeconds: Int = 900
        /// A connection that sends and receives nothing for this long is closed (slow or stalled
        /// clients; seconds). Must exceed the longest long-poll wait granted.
        public var idleTimeoutSeconds: Int = 60
        /// The most connections the listener holds open at once. At the cap, an idle connection
        /// that never made an authenticated request is closed to make room for a new one; if
        /// there is none, new ones wait in the kernel's queue until one closes. Keep it below the
        /// process's open-file limit (the daemon raises its soft limit to the hard one).
        public var maxConnections: Int = 1_000
        /// The most requests one node may make within the replay window (`requestWindowSeconds`);
        /// beyond, that node (and only it) gets `503 busy` (`Protocol/sync.md` §2).
        public var requestsPerNodePerWindow: Int = 20_000
        /// A request body must arrive at least this fast on average (bytes per second, after a
        /// first ``bodyGraceSeconds``), or the request is cut off (`408 slowBody`).
        public var minBodyBytesPerSecond: Int = 1_024
        /// How long a body may take before ``minBodyBytesPerSecond`` applies (seconds).
        public var bodyGraceSeconds: Double = 10
        /// The most events held in the quarantine for one sending node (`quarantineFull` beyond).
        public var maxQuarantinedPerSource: Int = 10_000
        /// Unauthenticated registrations accepted from one source address per minute (the hub).
        public var registrationsPerMinutePerAddress: Int = 10
        /// The largest document this node stores, attaches or receives (bytes; 100 MiB).
        public var maxDocumentBytes: Int = 100 << 20
        /// The document formats this node accepts, as media types (judged by the file's first
        /// bytes): any of `application/pdf`, `application/ofd`, `image/jpeg`, `image/png`,
        /// `image/tiff` (all five by default).
        public var documentMediaTypes: [String] = DocumentMediaType.allCases.map(\.rawValue)

        public init() {}

        /// What the document store accepts.
        public var documentLimits: DocumentStore.Limits {
            DocumentStore.Limits(
                maxBytes: maxDocumentBytes, mediaTypes: Set(documentMediaTypes.compactMap(DocumentMediaType.init)))
        }

        /// Reads the limits; a limit the file does not name keeps its default (files written
        /// before it existed stay valid).
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Limits()
            maxEventsPerSet = try c.decodeIfPresent(Int.self, forKey: .maxEventsPerSet) ?? d.maxEventsPerSet
            maxBytesPerSet = try c.decodeIfPresent(Int.self, forKey: .maxBytesPerSet) ?? d.maxBytesPerSet
            maxBodyBytes = try c.decodeIfPresent(Int.self, forKey: .maxBodyBytes) ?? d.maxBodyBytes
            maxLongPollSeconds = try c.decodeIfPresent(Double.self, forKey: .maxLongPollSeconds) ?? d.maxLongPollSeconds
            maxClockAheadSeconds =
                try c.decodeIfPresent(Int.self, forKey: .maxClockAheadSeconds) ?? d.maxClockAheadSeconds
            requestWindowSeconds =
                try c.decodeIfPresent(Int.self, forKey: .requestWindowSeconds) ?? d.requestWindowSeconds
            idleTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .idleTimeoutSeconds) ?? d.idleTimeoutSeconds
            maxConnections = try c.decodeIfPresent(Int.self, forKey: .maxConnections) ?? d.maxConnections
            requestsPerNodePerWindow =
                try c.decodeIfPresent(Int.self, forKey: .requestsPerNodePerWindow) ?? d.requestsPerNodePerWindow
            minBodyBytesPerSecond =
                try c.decodeIfPresent(Int.self, forKey: .minBodyBytesPerSecond) ?? d.minBodyBytesPerSecond
            bodyGraceSeconds = try c.decodeIfPresent(Double.self, forKey: .bodyGraceSeconds) ?? d.bodyGraceSeconds
            maxQuarantinedPerSource =
                try c.decodeIfPresent(Int.self, forKey: .maxQuarantinedPerSource) ?? d.maxQuarantinedPerSource
            registrationsPerMinutePerAddress =
                try c.decodeIfPresent(Int.self, forKey: .registrationsPerMinutePerAddress)
                ?? d.registrationsPerMinutePerAddress
            maxDocumentBytes = try c.decodeIfPresent(Int.self, forKey: .maxDocumentBytes) ?? d.maxDocumentBytes
            documentMediaTypes =
                try c.decodeIfPresent([String].self, forKey: .documentMediaTypes) ?? d.documentMediaTypes
        }
    }

    /// What the monitoring figures (reports, `/api/v1`, `/metrics`, the dashboard) use.
    public struct Monitoring: Codable, Sendable, Equatable {
        /// A node silent for longer than this is flagged stale (失联) (seconds).
        public var staleAfterSeconds: Double = 900
        /// The window the sync-latency percentiles cover, ending now (seconds).
        public var latencyWindowSeconds: Double = 86_400
        /// How often the dashboard refreshes itself (seconds).
        public var dashboardRefreshSeconds: Int = 30

        public init() {}

        /// Reads the settings; one the file does not name keeps its default.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let d = Monitoring()
            staleAfterSeconds = try c.decodeIfPresent(Double.self, forKey: .staleAfterSeconds) ?? d.staleAfterSeconds
            latencyWindowSeconds =
                try c.decodeIfPresent(Double.self, forKey: .latencyWindowSeconds) ?? d.latencyWindowSeconds
            dashboardRefreshSeconds =
                try c.decodeIfPresent(Int.self, forKey: .dashboardRefreshSeconds) ?? d.dashboardRefreshSeconds
        }
    }

    /// `court` or `hub`.
    public var role: NodeRole
    /// The court this node serves (`最高法` for the hub). Must match the replica.
    public var court: String
    /// Where the daemon listens, `HOST:PORT`.
    public var listen: String
    /// The hub's base URLs (courts only), in order of preference: several when the hub runs as
    /// several processes (`docs/postgres.md`). The link uses the first that answers, moves to the
    /// next when one cannot be reached, and tries the first again after
    /// ``Sync/failbackSeconds``. In `node.json`: `"hub"`, one URL or an array of them.
    public var hubs: [String]
    /// Courts synced directly.
    public var peers: [Peer]
    public var sync: Sync
    public var limits: Limits
    public var monitoring: Monitoring
    /// TLS for the listener and the links; absent: plain HTTP, and `https://` links verified
    /// against the system's trust store.
    public var tls: TLSSettings?
    /// The hub only: the PostgreSQL store its processes share (`docs/postgres.md`); absent: the
    /// hub's replica stands alone, as every court's does. The replica records the same binding
    /// (`courtsync hub migrate`, `init --store`); a daemon refuses to start when they differ.
    public var store: Store?

    /// Where a hub's shared store is: `"store": {"url": "postgres://USER@HOST:PORT/DB",
    /// "passwordFile": "/etc/courtsync/pgpass"}`, or the URL alone as a string (the password from
    /// `PGPASSFILE`, else `~/.pgpass`).
    public struct Store: Codable, Sendable, Equatable {
        /// `postgres://USER@HOST[:PORT]/DATABASE[?sslmode=…]`, without a password.
        public var url: String
        /// A passfile in libpq's format (mode 0600).
        public var passwordFile: String?

        public init(url: String, passwordFile: String? = nil) {
            self.url = url
            self.passwordFile = passwordFile
        }

        public init(from decoder: any Decoder) throws {
            if let url = try? decoder.singleValueContainer().decode(String.self) {
                self.init(url: url)
                return
            }
            let c = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                url: try c.decode(String.self, forKey: .url),
                passwordFile: try c.decodeIfPresent(String.self, forKey: .passwordFile))
        }

        private enum CodingKeys: String, CodingKey {
            case url, passwordFile
        }

        /// The binding a replica records for this store.
        public var binding: SharedStoreBinding { SharedStoreBinding(location: url, passwordFile: passwordFile) }
    }

    /// The file's name inside a data directory.
    public static let fileName = "node.json"

    /// The default listening address.
    public static let defaultListen = "127.0.0.1:7400"

    public init(
        role: NodeRole, court: String, listen: String = defaultListen, hubs: [String] = [], peers: [Peer] = [],
        sync: Sync = Sync(), limits: Limits = Limits(), monitoring: Monitoring = Monitoring(),
        tls: TLSSettings? = nil, store: Store? = nil
    ) {
        self.role = role
        self.court = court
        self.listen = listen
        self.hubs = hubs
        self.peers = peers
        self.sync = sync
        self.limits = limits
        self.monitoring = monitoring
        self.tls = tls
        self.store = store
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(NodeRole.self, forKey: .role)
        court = try c.decode(String.self, forKey: .court)
        listen = try c.decodeIfPresent(String.self, forKey: .listen) ?? Self.defaultListen
        if let one = try? c.decodeIfPresent(String.self, forKey: .hubs) {
            hubs = [one]
        } else {
            hubs = try c.decodeIfPresent([String].self, forKey: .hubs) ?? []
        }
        peers = try c.decodeIfPresent([Peer].self, forKey: .peers) ?? []
        sync = try c.decodeIfPresent(Sync.self, forKey: .sync) ?? Sync()
        limits = try c.decodeIfPresent(Limits.self, forKey: .limits) ?? Limits()
        monitoring = try c.decodeIfPresent(Monitoring.self, forKey: .monitoring) ?? Monitoring()
        tls = try c.decodeIfPresent(TLSSettings.self, forKey: .tls)
        store = try c.decodeIfPresent(Store.self, forKey: .store)
    }

    private enum CodingKeys: String, CodingKey {
        case role, court, listen, peers, sync, limits, monitoring, tls, store
        case hubs = "hub"
    }

    /// Writes the settings; `"hub"` is one URL when there is one, an array when there are several.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(court, forKey: .court)
        try c.encode(listen, forKey: .listen)
        if hubs.count == 1 {
            try c.encode(hubs[0], forKey: .hubs)
        } else if !hubs.isEmpty {
            try c.encode(hubs, forKey: .hubs)
        }
        try c.encode(peers, forKey: .peers)
        try c.encode(sync, forKey: .sync)
        try c.encode(limits, forKey: .limits)
        try c.encode(monitoring, forKey: .monitoring)
        try c.encodeIfPresent(tls, forKey: .tls)
        try c.encodeIfPresent(store, forKey: .store)
    }

    /// The first (preferred) hub URL, if any.
    public var hub: String? { hubs.first }

    /// Links that send requests in the clear to another machine: signed, so not forgeable, but
    /// readable by anyone on the path.
    public var plaintextLinks: [String] {
        ((try? links) ?? []).flatMap { link in
            link.urls.compactMap { url in
                guard url.scheme?.lowercased() == "http", let host = url.host else { return nil }
                return ["127.0.0.1", "::1", "localhost"].contains(host) ? nil : "\(link.court)=\(url.absoluteString)"
            }
        }
    }

    /// The listening address split into host and port.
    public var listenAddress: (host: String, port: Int) {
        get throws(NodeError) { try Self.parseListen(listen) }
    }

    /// The links this node opens: the hub first (if any, with all its URLs), then the peers.
    public var links: [(court: CourtCode, urls: [URL])] {
        get throws(NodeError) {
            var links: [(CourtCode, [URL])] = []
            if !hubs.isEmpty {
                var urls: [URL] = []
                for hub in hubs { urls.append(try Self.parseURL(hub, what: "hub")) }
                links.append((.supreme, urls))
            }
            for peer in peers {
                let code: CourtCode
                do { code = try CourtCode(peer.court) } catch { throw NodeError(code: "invalidConfig", error.message) }
                links.append((code, [try Self.parseURL(peer.url, what: "peer \(peer.court)")]))
            }
            return links
        }
    }

    /// Checks the settings against each other and against the court directory.
    /// Checks `store`: a PostgreSQL URL without a password (``PostgresLocation``).
    public func validateStore() throws(NodeError) {
        guard let store else { return }
        do {
            _ = try PostgresLocation(store.url)
        } catch {
            throw NodeError(code: "invalidConfig", "store \(store.url): \(error.message)")
        }
    }

    public func validate(directory: CourtDirectory) throws(NodeError) {
        let code: CourtCode
        do {
            code = try CourtCode(court)
            _ = try directory.court(code)
        } catch {
            throw NodeError(code: "invalidConfig", "node.json court: \(error.message)")
        }
        switch role {
        case .hub:
            guard code == .supreme else {
                throw NodeError(code: "invalidConfig", "a hub node serves 最高法, not \(court)")
            }
            guard hubs.isEmpty else { throw NodeError(code: "invalidConfig", "the hub has no hub of its own") }
            try validateStore()
        case .court:
            guard code != .supreme else {
                throw NodeError(code: "invalidConfig", "最高法's node is the hub: use --role hub")
            }
            guard store == nil else {
                throw NodeError(
                    code: "invalidConfig", "a court's replica stays in its data directory: only the hub has a store")
            }
        }
        _ = try listenAddress
        var seen: Set<CourtCode> = []
        for link in try links {
            guard link.court != code else {
                throw NodeError(code: "invalidConfig", "node.json names this node's own court \(court) as a peer")
            }
            guard directory.contains(link.court) else {
                throw NodeError(code: "invalidConfig", "peer \(link.court) is not in the court directory")
            }
            guard seen.insert(link.court).inserted else {
                throw NodeError(code: "invalidConfig", "node.json lists \(link.court) twice")
            }
        }
        guard Set(hubs).count == hubs.count else {
            throw NodeError(code: "invalidConfig", "node.json lists a hub URL twice")
        }
        guard hubs.count <= 16 else { throw NodeError(code: "invalidConfig", "node.json lists more than 16 hub URLs") }
        let positive: [(String, Double)] = [
            ("sync.intervalSeconds", sync.intervalSeconds), ("sync.requestTimeoutSeconds", sync.requestTimeoutSeconds),
            ("sync.backoffInitialSeconds", sync.backoffInitialSeconds),
            ("sync.backoffMaxSeconds", sync.backoffMaxSeconds),
            ("sync.localCheckMilliseconds", Double(sync.localCheckMilliseconds)),
            ("sync.failbackSeconds", sync.failbackSeconds),
            ("limits.maxEventsPerSet", Double(limits.maxEventsPerSet)),
            ("limits.maxBytesPerSet", Double(limits.maxBytesPerSet)),
            ("limits.maxBodyBytes", Double(limits.maxBodyBytes)),
            ("limits.maxClockAheadSeconds", Double(limits.maxClockAheadSeconds)),
            ("limits.requestWindowSeconds", Double(limits.requestWindowSeconds)),
            ("limits.maxConnections", Double(limits.maxConnections)),
            ("limits.requestsPerNodePerWindow", Double(limits.requestsPerNodePerWindow)),
            ("limits.minBodyBytesPerSecond", Double(limits.minBodyBytesPerSecond)),
            ("limits.bodyGraceSeconds", limits.bodyGraceSeconds),
            ("limits.maxQuarantinedPerSource", Double(limits.maxQuarantinedPerSource)),
            ("limits.registrationsPerMinutePerAddress", Double(limits.registrationsPerMinutePerAddress)),
            ("limits.maxDocumentBytes", Double(limits.maxDocumentBytes)),
            ("monitoring.staleAfterSeconds", monitoring.staleAfterSeconds),
            ("monitoring.latencyWindowSeconds", monitoring.latencyWindowSeconds),
            ("monitoring.dashboardRefreshSeconds", Double(monitoring.dashboardRefreshSeconds)),
        ]
        for (name, value) in positive where !(value > 0) || !value.isFinite {
            throw NodeError(code: "invalidConfig", "node.json \(name) must be a positive number")
        }
        guard monitoring.latencyWindowSeconds <= 10 * 366 * 86_400, monitoring.staleAfterSeconds <= 10 * 366 * 86_400,
            monitoring.dashboardRefreshSeconds <= 86_400
        else {
            throw NodeError(
                code: "invalidConfig",
                "node.json monitoring: windows and thresholds are at most ten years, the refresh at most a day")
        }
        guard sync.longPollSeconds >= 0, sync.longPollSeconds <= 300, limits.maxLongPollSeconds >= 0,
            limits.maxLongPollSeconds <= 300
        else {
            throw NodeError(code: "invalidConfig", "node.json long-poll waits must be 0 to 300 seconds")
        }
        guard Double(limits.idleTimeoutSeconds) >= limits.maxLongPollSeconds + 5 else {
            throw NodeError(
                code: "invalidConfig",
                "node.json limits.idleTimeoutSeconds must be at least limits.maxLongPollSeconds + 5, or long-polls are cut"
            )
        }
        if let pinned = sync.protocolVersion, !ProtocolVersion.spoken().contains(pinned) {
            throw NodeError(
                code: "invalidConfig",
                "node.json sync.protocolVersion \(pinned): this build speaks protocol \(ProtocolVersion.spoken().map(String.init).joined(separator: " and "))"
            )
        }
        guard (0...1).contains(sync.backoffJitter) else {
            throw NodeError(code: "invalidConfig", "node.json sync.backoffJitter must be 0 to 1")
        }
        guard sync.backoffMaxSeconds >= sync.backoffInitialSeconds else {
            throw NodeError(code: "invalidConfig", "node.json sync.backoffMaxSeconds is below backoffInitialSeconds")
        }
        guard limits.maxDocumentBytes <= DocumentReference.maxSize else {
            throw NodeError(
                code: "invalidConfig", "node.json limits.maxDocumentBytes is above the protocol's 1 GiB")
        }
        for media in limits.documentMediaTypes where DocumentMediaType(rawValue: media) == nil {
            throw NodeError(
                code: "invalidConfig",
                "node.json limits.documentMediaTypes: \"\(media)\" is not one of \(DocumentMediaType.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        guard limits.maxEventsPerSet <= 100_000, limits.maxBytesPerSet <= 64 << 20, limits.maxBodyBytes <= 64 << 20
        else {
            throw NodeError(
                code: "invalidConfig", "node.json limits are above the protocol's (100,000 events, 64 MiB)")
        }
    }

    /// Reads and checks `DATA_DIR/node.json`.
    public static func load(from dataDirectory: URL) throws(NodeError) -> NodeConfig {
        let file = dataDirectory.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw NodeError(
                code: "notConfigured", "no \(fileName) in \(dataDirectory.path): run `courtsync init` for this node")
        }
        let data: Data
        do {
            data = try BoundedFile.read(file, limit: 1 << 20)
        } catch {
            throw NodeError(code: "invalidConfig", error.message)
        }
        do {
            return try JSONDecoder().decode(NodeConfig.self, from: data)
        } catch {
            throw NodeError(code: "invalidConfig", "\(file.path): \(ReferenceData.describe(error))")
        }
    }

    /// Writes `DATA_DIR/node.json`, pretty-printed.
    public func save(to dataDirectory: URL) throws(NodeError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try encoder.encode(self).write(to: dataDirectory.appendingPathComponent(Self.fileName), options: .atomic)
        } catch {
            throw NodeError(code: "storage", "cannot write \(Self.fileName): \(error.localizedDescription)")
        }
    }

    /// Parses `HOST:PORT` (IPv6 hosts in brackets).
    public static func parseListen(_ text: String) throws(NodeError) -> (host: String, port: Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else {
            throw NodeError(code: "invalidConfig", "listen address \"\(text)\" is not HOST:PORT")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw NodeError(code: "invalidConfig", "listen address \"\(text)\" has no host") }
        return (host, port)
    }

    /// Parses a node's base URL: `http` or `https`, a host, no query.
    public static func parseURL(_ text: String, what: String) throws(NodeError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            url.host != nil, url.query == nil
        else {
            throw NodeError(code: "invalidConfig", "\(what) URL \"\(text)\" is not an http(s)://HOST:PORT address")
        }
        return url
    }
}
