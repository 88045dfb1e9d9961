import Entrustment
import Foundation
import Logging
import Monitoring
import NIOSSL
import Node
import Replica
import SyncEngine

/// `courtsync doctor`: the checks an operator runs before calling for help, one finding each —
/// the settings, the key file, the replica and the node's registration, the daemon, every link
/// (reachable, the protocol version, the clock against the remote's), the TLS certificates, free
/// disk, the calendar, the quarantine and the backlog. Nothing is changed; a hello is the only
/// request sent (the remote records the contact, as for any hello).
public enum NodeDoctor {
    /// How a check came out.
    public enum Status: String, Sendable, Codable {
        case ok, warning, failure
    }

    /// One check's finding.
    public struct Finding: Sendable, Codable, Equatable {
        /// What was checked (`key`, `link 最高法`, `disk` …).
        public var check: String
        public var status: Status
        /// One line: what was found and, when it is not ok, what to do.
        public var detail: String
    }

    /// Thresholds: a clock further off than `clockWarning` seconds is a warning, than
    /// `clockFailure` a failure (requests are refused outside the remote's window, 15 minutes by
    /// default); certificates expiring within `expiryWarningDays` are a warning; free disk below
    /// `diskFailure` bytes is a failure, below `diskWarning` a warning.
    static let clockWarning = 30.0
    static let clockFailure = 300.0
    static let expiryWarningDays = 30.0
    static let diskFailure: UInt64 = 512 << 20
    static let diskWarning: UInt64 = 4 << 30
    /// A link that has not succeeded for this long (seconds) is a warning.
    static let staleLink = 3_600.0

    /// Checks the node in `dataDirectory`.
    public static func examine(_ dataDirectory: URL, time: any TimeSource) async -> [Finding] {
        var findings: [Finding] = []
        func add(_ check: String, _ status: Status, _ detail: String) {
            findings.append(Finding(check: check, status: status, detail: detail))
        }

        // The settings.
        let config: NodeConfig
        do {
            config = try NodeConfig.load(from: dataDirectory)
        } catch {
            add("config", .failure, error.message)
            return findings
        }

        // The key file, before anything opens it.
        let keyPath = dataDirectory.appendingPathComponent(NodeKeyFile.fileName).path
        findings.append(privateFileCheck("key", keyPath, owner: "node.key"))
        if let key = config.tls?.privateKey {
            findings.append(privateFileCheck("tls key", TLSSettings.path(key, in: dataDirectory), owner: "the TLS key"))
        }

        // The replica, the key against it, the settings against the directory.
        let node: CourtNode
        do {
            node = try CourtNode(dataDirectory: dataDirectory, time: time)
        } catch {
            add("replica", .failure, "\(error.message)")
            return findings
        }
        defer { try? node.close() }
        do {
            try config.validate(directory: node.replica.directory)
            add(
                "config", .ok,
                "node.json is valid: \(config.role.rawValue) of \(config.court), \(try config.links.count) links")
        } catch {
            add("config", .failure, error.message)
        }
        let now = time.now()
        add(
            "replica", .ok,
            "\(node.identity.node), suite \(node.suite.rawValue), \((try? node.replica.eventCount()) ?? 0) events, head \(node.replica.knownHead)"
        )
        findings.append(registration(node))
        findings.append(daemon(dataDirectory))

        // Links: reachable, version, clock, backlog.
        if config.role == .court {
            var logger = Logger(label: "courtsync.doctor")
            logger.logLevel = .critical
            do {
                let links = try SyncScheduler.httpLinks(
                    node: node, config: config, tls: ClientTLS(settings: config.tls, dataDirectory: dataDirectory),
                    notifier: nil, logger: logger)
                for link in links { findings += await check(link, node: node) }
            } catch {
                add("links", .failure, error.message)
            }
        }

        findings += certificates(config, in: dataDirectory, now: now)
        findings.append(disk(dataDirectory))
        findings.append(calendar(node, now: now))
        findings.append(quarantine(node, config: config))
        return findings
    }

    /// A private file: present, owned by this user, readable by nobody else.
    static func privateFileCheck(_ check: String, _ path: String, owner: String) -> Finding {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return Finding(
                check: check, status: .failure, detail: "\(path) is missing: restore \(owner) from where it is kept")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            return Finding(
                check: check, status: .failure,
                detail:
                    "\(path) is mode \(String(mode, radix: 8)): other users can read or write it; run chmod 600 \(path)"
            )
        }
        guard info.st_uid == geteuid() else {
            return Finding(
                check: check, status: .warning,
                detail:
                    "\(path) belongs to user \(info.st_uid), not to this user (\(geteuid())): run the daemon and commands as its owner"
            )
        }
        return Finding(check: check, status: .ok, detail: "\(path) is mode \(String(mode, radix: 8))")
    }

    /// Whether the hub's signed directory lists this node's key in force.
    static func registration(_ node: CourtNode) -> Finding {
        do {
            _ = try node.replica.loadedKeyRegistry.authenticate(node: node.identity.node, court: node.identity.court)
            return Finding(
                check: "registration", status: .ok,
                detail: "the signed directory (version \(node.replica.loadedDirectoryVersion)) lists this node's key")
        } catch {
            return Finding(check: "registration", status: .failure, detail: error.message)
        }
    }

    /// Whether a daemon serves this data directory.
    static func daemon(_ dataDirectory: URL) -> Finding {
        guard let record = DaemonRecord.running(in: dataDirectory) else {
            return Finding(
                check: "daemon", status: .warning,
                detail:
                    "no daemon runs on this data directory: start it (systemctl start courtsync@…, or courtsync serve)")
        }
        return Finding(
            check: "daemon", status: .ok, detail: "process \(record.pid) serves \(record.url) since \(record.startedAt)"
        )
    }

    /// One link: a hello (reachable, version, clock), then its stored state (last success, backlog).
    static func check(_ link: LinkSynchronizer, node: CourtNode) async -> [Finding] {
        let name = "link \(link.court)"
        var findings: [Finding] = []
        do {
            let (hello, sent, received) = try await link.probe()
            let roundTrip = Double(received.milliseconds - sent.milliseconds) / 1000
            var detail =
                "\(link.url) answers as \(hello.node) (\(hello.software), protocol \(hello.version)) in \(String(format: "%.2f", roundTrip)) s"
            var status = Status.ok
            if hello.version < ProtocolVersion.current {
                status = .warning
                detail +=
                    "; it speaks an older protocol version: upgrade it to courtsync \(ProtocolVersion.releases[ProtocolVersion.current] ?? "")"
            }
            findings.append(Finding(check: name, status: status, detail: detail))
            if let remote = try? Timestamp(rfc3339: hello.time) {
                let midpoint = (sent.milliseconds + received.milliseconds) / 2
                let offset = Double(remote.milliseconds - midpoint) / 1000
                let text = String(format: "%+.1f s against %@ (± %.2f s)", offset, "\(link.court)", roundTrip / 2)
                let clock: Status =
                    abs(offset) > clockFailure ? .failure : abs(offset) > clockWarning ? .warning : .ok
                findings.append(
                    Finding(
                        check: "clock", status: clock,
                        detail: clock == .ok
                            ? "this machine's clock is \(text)"
                            : "this machine's clock is \(text): set it right (chrony/NTP); requests far off are refused"
                    ))
            }
        } catch {
            findings.append(
                Finding(
                    check: name, status: .failure,
                    detail: "\(link.url): \((error as? SyncError)?.message ?? "\(error)")"))
        }
        guard let state = try? node.replica.links().first(where: { $0.court == link.court }) else {
            findings.append(Finding(check: "backlog \(link.court)", status: .warning, detail: "never synced"))
            return findings
        }
        let pending =
            (try? node.replica.pendingCount(
                after: state.pushedThrough,
                for: ChangeSelection(court: link.court, excludingNode: state.remoteNode))) ?? 0
        var detail = "\(pending) events to send, at most \(max(0, state.remoteHead - state.pulledThrough)) to receive"
        var status = Status.ok
        if let success = state.lastSuccessAt {
            let age = Double(node.time.now().milliseconds - success.milliseconds) / 1000
            detail += "; last success \(success.rfc3339)"
            if age > staleLink, state.failures > 0 {
                status = .warning
                detail += ", failing since (\(state.failures) failures: \(state.lastError ?? ""))"
            }
        } else {
            status = .warning
            detail += "; never succeeded"
        }
        if state.recovering {
            status = .warning
            detail += "; restored from a backup and still catching up"
        }
        findings.append(Finding(check: "backlog \(link.court)", status: status, detail: detail))
        return findings
    }

    /// The TLS certificate this node presents and the roots it trusts: read, and not expiring.
    static func certificates(_ config: NodeConfig, in dataDirectory: URL, now: Timestamp) -> [Finding] {
        guard let tls = config.tls else {
            return [Finding(check: "tls", status: .ok, detail: "not configured: this node serves plain HTTP")]
        }
        var findings: [Finding] = []
        for (name, file) in [("tls certificate", tls.certificate), ("tls trust roots", tls.trustRoots)] {
            guard let file else { continue }
            let path = TLSSettings.path(file, in: dataDirectory)
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(path)
                guard let soonest = certificates.map({ Double($0.notValidAfter) }).min() else {
                    findings.append(Finding(check: name, status: .failure, detail: "\(path) holds no certificate"))
                    continue
                }
                let days = (soonest - Double(now.milliseconds) / 1000) / 86_400
                let until = Timestamp(milliseconds: Int64(soonest * 1000)).rfc3339
                if days < 0 {
                    findings.append(
                        Finding(
                            check: name, status: .failure,
                            detail: "\(path) expired on \(until): have the CA issue a new one"))
                } else if days < expiryWarningDays {
                    findings.append(
                        Finding(
                            check: name, status: .warning,
                            detail: "\(path) expires on \(until), in \(Int(days)) days: have the CA issue a new one"))
                } else {
                    findings.append(Finding(check: name, status: .ok, detail: "\(path) valid until \(until)"))
                }
            } catch {
                findings.append(
                    Finding(check: name, status: .failure, detail: "\(path) cannot be read as PEM: \(error)"))
            }
        }
        return findings
    }

    /// Free space on the data directory's filesystem.
    static func disk(_ dataDirectory: URL) -> Finding {
        var info = statvfs()
        guard statvfs(dataDirectory.path, &info) == 0 else {
            return Finding(
                check: "disk", status: .failure, detail: "cannot read the filesystem of \(dataDirectory.path)")
        }
        let free = UInt64(info.f_bavail) * UInt64(info.f_frsize)
        let total = UInt64(info.f_blocks) * UInt64(info.f_frsize)
        let text = String(
            format: "%.1f GiB free of %.1f GiB", Double(free) / Double(1 << 30), Double(total) / Double(1 << 30))
        if free < diskFailure {
            return Finding(
                check: "disk", status: .failure, detail: "\(text): acts will be refused when it is full; free space now"
            )
        }
        if free < diskWarning {
            return Finding(check: "disk", status: .warning, detail: "\(text): free space soon")
        }
        return Finding(check: "disk", status: .ok, detail: text)
    }

    /// The hub's calendar: held, and covering the days ahead.
    static func calendar(_ node: CourtNode, now: Timestamp) -> Finding {
        let status = CalendarStatus(try? node.replica.calendars(), now: now)
        guard status.version > 0 else {
            return Finding(
                check: "calendar", status: .failure,
                detail: "no signed calendar from the hub yet: sync with the hub (deadlines cannot be set)")
        }
        guard let through = status.coversThrough else {
            return Finding(
                check: "calendar", status: .warning,
                detail: "version \(status.version) does not publish this year: deadlines are provisional (暂定)")
        }
        if let warning = status.warning {
            return Finding(check: "calendar", status: .warning, detail: "version \(status.version): \(warning)")
        }
        return Finding(
            check: "calendar", status: .ok,
            detail: "version \(status.version) covers through \(through) (\(status.daysLeft ?? 0) days)")
    }

    /// The quarantine: events waiting for what they need.
    static func quarantine(_ node: CourtNode, config: NodeConfig) -> Finding {
        let count = (try? node.replica.quarantineCount()) ?? 0
        if count == 0 { return Finding(check: "quarantine", status: .ok, detail: "empty") }
        let full = count >= config.limits.maxQuarantinedPerSource
        return Finding(
            check: "quarantine", status: full ? .failure : .warning,
            detail:
                "\(count) events wait for what they need (courtsync quarantine lists them)"
                + (full ? "; at the per-sender limit: further events from that sender are refused" : ""))
    }
}
