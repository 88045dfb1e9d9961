import Entrustment
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import Node
import PostgresStore
import Replica
import ServiceLifecycle
import SyncEngine

/// `courtsync serve`: runs one node until SIGTERM or SIGINT — the HTTP server for the sync
/// protocol and the sync scheduler, under one service group with graceful shutdown.
///
/// On shutdown the server stops taking requests, waiting pulls return at once, and the scheduler's
/// loops are cancelled. A change set being stored is one SQLite transaction: it commits or rolls
/// back, never half. The data directory's `daemon.json` is removed and the process exits 0.
public enum NodeDaemon {
    /// Runs the node in `dataDirectory` until a shutdown signal, listening on `listen`
    /// (`HOST:PORT`) instead of node.json's address when given.
    public static func run(dataDirectory: URL, listen: String? = nil, logger: Logger) async throws {
        var loaded = try NodeConfig.load(from: dataDirectory)  // first: it names a missing node plainly
        if let listen {
            loaded.listen = listen
            _ = try loaded.listenAddress  // a bad --listen is named before anything starts
        }
        let config = loaded
        let lock = try DaemonRecord.lock(dataDirectory)
        defer { close(lock) }
        if let fixed = ProcessInfo.processInfo.environment["COURTSYNC_NOW"], !fixed.isEmpty {
            logger.warning(
                "COURTSYNC_NOW is set but ignored: a daemon runs on the system clock (or the accelerated one of clock.json)"
            )
        }
        if let armed = try? CrashPoint.armed() {
            logger.warning(
                "\(CrashPoint.environmentKey) is set: this daemon kills itself at \(armed.point.rawValue), arrival \(armed.arrival) (a fault test)"
            )
        }
        let clock = try NodeClockFile.load(from: dataDirectory)
        if let clock {
            logger.warning(
                "clock.json: simulated time (demo network), \(clock.rate)× from \(clock.simulatedStart) until it catches up with the wall clock at \(clock.catchUp)"
            )
        }
        let node = try CourtNode(
            dataDirectory: dataDirectory, time: clock.map { AcceleratedTimeSource($0) } ?? SystemTimeSource(),
            wallClock: SystemTimeSource())
        defer { try? node.close() }
        try config.validate(directory: node.replica.directory)
        guard config.court == node.identity.court.rawValue else {
            throw NodeError(
                code: "invalidConfig",
                "node.json says court \(config.court), but the replica belongs to \(node.identity.court)")
        }
        let store = try SharedStoreService.connect(node: node, config: config, logger: logger)
        node.replica.markServing()
        let started = node.time.now()
        if node.isHub {
            // The run is on record before the first request is served: a witness made now counts
            // the gap since the hub's last run as downtime.
            try node.read { () throws(ReplicaError) in
                try node.replica.recordHubRun(startedAt: started, aliveAt: started)
            }
        }
        if node.isHub, try node.publishCalendarIfMissing() {
            logger.notice("published the holiday calendar in a new signed directory (it carried none)")
        }
        let openFiles = FileLimit.raiseToHardLimit()
        if openFiles < UInt64(config.limits.maxConnections) + 64 {
            logger.warning(
                "the open-file limit is below limits.maxConnections + 64: connections beyond it will be refused by the system",
                metadata: ["limit": "\(openFiles)", "maxConnections": "\(config.limits.maxConnections)"])
        }
        let (host, port) = try config.listenAddress
        let security = try TransportSecurity(settings: config.tls, dataDirectory: dataDirectory)
        var logger = logger
        logger[metadataKey: "node"] = "\(node.identity.node)"
        for warning in security.warnings { logger.warning("\(warning)") }
        for link in config.plaintextLinks {
            logger.warning(
                "link \(link) is plain HTTP to another machine: requests are signed but readable on the way; use https://"
            )
        }

        let notifier = ChangeNotifier()
        let responder = SyncResponder(
            node: node, config: config, notifier: notifier, logger: logger,
            sharedNonces: store.map { PostgresNonces(database: $0) })
        let links = try SyncScheduler.httpLinks(
            node: node, config: config, tls: security.client, notifier: notifier, logger: logger)
        let scheduler = SyncScheduler(node: node, config: config, links: links, notifier: notifier, logger: logger)
        let token = (0..<4).map { _ in String(UInt64.random(in: 0...UInt64.max), radix: 16) }.joined()
        let slots = ConnectionSlots(capacity: config.limits.maxConnections)
        let router = Router(context: NodeRequestContext.self)
        router.middlewares.add(ConnectionSlotMiddleware(slots: slots))
        router.middlewares.add(JSONErrorMiddleware())
        SyncRoutes(
            responder: responder, scheduler: scheduler, notifier: notifier, controlToken: token, slots: slots,
            limits: config.limits
        ).add(to: router)
        let exporter = MetricsExporter()
        exporter.bootstrap()
        MonitoringRoutes(node: node, config: config, exporter: exporter).add(to: router)
        let startupLogger = logger

        var server: HTTPServerBuilder = .http1(
            configuration: .init(
                additionalChannelHandlers: [slots.handler()],
                idleTimeout: .seconds(Int64(config.limits.idleTimeoutSeconds))))
        if let tls = security.serverConfiguration {
            do {
                server = try .tls(server, tlsConfiguration: tls)
            } catch {
                throw NodeError(code: "invalidConfig", "cannot serve TLS: \(error)")
            }
        }
        let scheme = security.serverConfiguration == nil ? "http" : "https"
        let app = Application(
            router: router,
            server: server,
            configuration: .init(
                address: .hostname(host, port: port), serverName: SyncWire.software,
                availableConnectionsDelegate: slots.delegate),
            services: [
                SchedulerService(scheduler: scheduler, notifier: notifier) as any Service,
                ContactFlushService(node: node, logger: logger),
            ]
                + (node.isHub
                    ? [HubUptimeService(node: node, started: started, logger: logger) as any Service]
                    : [OriginCheckService(node: node, logger: logger)])
                + (store.map { [SharedStoreService(node: node, database: $0, notifier: notifier, logger: logger)] }
                    ?? []),
            onServerRunning: { channel in
                let actualPort = channel.localAddress?.port ?? port
                let urlHost = host.contains(":") ? "[\(host)]" : host
                let url = "\(scheme)://\(urlHost):\(actualPort)"
                do {
                    try DaemonRecord(
                        pid: getpid(), url: url, startedAt: started.rfc3339, token: token,
                        certificateSHA256: security.certificate?.sha256
                    ).write(to: dataDirectory)
                } catch {
                    startupLogger.error("cannot write daemon.json", metadata: ["error": "\(error)"])
                }
                startupLogger.info(
                    "courtsync node serving",
                    metadata: [
                        "court": "\(node.identity.court)", "role": "\(config.role.rawValue)", "url": "\(url)",
                        "certificate":
                            "\(security.certificate.map { "sha256 \($0.sha256), until \($0.expiry)" } ?? "none")",
                        "links": "\(links.map { "\($0.court)=\($0.url)" }.joined(separator: ","))",
                    ])
            },
            logger: logger)
        defer { DaemonRecord.remove(from: dataDirectory) }
        do {
            try await app.runService()
        } catch {
            throw NodeError(code: "serveFailed", "the daemon stopped: \(error)")
        }
        logger.info("courtsync node stopped")
    }
}

/// The sync scheduler as a service: runs until graceful shutdown, then wakes every waiting pull.
struct SchedulerService: Service {
    let scheduler: SyncScheduler
    let notifier: ChangeNotifier

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await scheduler.run()
        }
        await notifier.shutDown()
    }
}
