import Entrustment
import Foundation
import Replica

/// What hub staff decide about a registration.
public enum RegistrationDecision: String, Sendable, CaseIterable {
    /// 批准: pending → approved.
    case approve
    /// 拒绝: pending → rejected.
    case reject
    /// 吊销: approved → revoked (events signed before stay valid).
    case revoke
}

/// The hub's side of trust: the register of nodes, the decisions of hub staff, and the signed
/// court directory issued after each decision.
extension CourtNode {
    /// Whether this is the supreme-level hub's node.
    public var isHub: Bool { identity.court == .supreme }

    /// Records a node's registration request as pending (`POST /v1/register`, or a request file).
    public func receiveRegistration(_ request: RegistrationRequest) throws(NodeError) -> RegistrationReceipt {
        try requireHub()
        let entry = try request.verified(directory: replica.directory, suite: replica.suite)
        guard entry.court != .supreme else {
            throw NodeError(code: "forbiddenRole", "no node may register for 最高法: the hub is the only one")
        }
        let recorded = try read { () throws(ReplicaError) in
            try replica.recordRegistration(
                entry, receivedAt: time.now(), maxPendingPerCourt: Self.maxPendingRegistrationsPerCourt)
        }
        return RegistrationReceipt(
            status: recorded.status.rawValue, hubNode: identity.node.rawValue, hubKey: publicKey,
            directoryVersion: try directoryVersion(), suite: replica.suite)
    }

    /// The most registrations of one court that may wait for hub staff at once; new ones of that
    /// court are refused beyond.
    public static let maxPendingRegistrationsPerCourt = 5

    /// Every registration the hub holds, by court then node.
    public func registrations() throws(NodeError) -> [RegisteredNode] {
        try requireHub()
        return try read { () throws(ReplicaError) in try replica.registrations() }
    }

    /// Applies hub staff's decision to the registration of `court` (or of one of its nodes, if
    /// it has several), then issues and installs a new signed directory. Returns the entry.
    /// With `fingerprint`, only the node whose key has that fingerprint is decided (as read out
    /// by the court's operator); the decision is refused if no such key is registered.
    public func decide(
        _ decision: RegistrationDecision, court: String, node: String? = nil, fingerprint: String? = nil
    ) throws(NodeError) -> RegisteredNode {
        try requireHub()
        let needed: RegistrationStatus = decision == .revoke ? .approved : .pending
        var candidates = try registrations().filter {
            $0.court.rawValue == court && (node == nil || $0.node.rawValue == node) && $0.node != identity.node
        }
        if let fingerprint {
            let onRecord = candidates.map { "\($0.node) \($0.fingerprint)" }.joined(separator: ", ")
            candidates = candidates.filter {
                KeyFingerprint.matches(fingerprint, publicKeyHex: $0.publicKey, suite: replica.suite)
            }
            guard !candidates.isEmpty else {
                throw NodeError(
                    code: "fingerprintMismatch",
                    "no registration of \(court) has a key of fingerprint \(fingerprint)"
                        + (onRecord.isEmpty ? "" : " (registered: \(onRecord)): do not approve; ask the court again"))
            }
        }
        let matching = candidates.filter { $0.status == needed }
        guard matching.count == 1 else {
            if matching.isEmpty {
                let known = candidates.map { "\($0.node) \($0.status.chineseName)" }.joined(separator: ", ")
                throw NodeError(
                    code: "notFound",
                    "no \(needed.chineseName) registration of \(court)\(node.map { " node \($0)" } ?? "")"
                        + (known.isEmpty ? "" : " (registered: \(known))"))
            }
            throw NodeError(
                code: "ambiguous",
                "\(court) has \(matching.count) \(needed.chineseName) nodes: name one with --node (\(matching.map(\.node.rawValue).joined(separator: ", ")))"
            )
        }
        candidates = matching
        var entry = candidates[0]
        let now = time.now().rfc3339
        switch decision {
        case .approve:
            entry.status = .approved
            entry.decidedAt = now
        case .reject:
            entry.status = .rejected
            entry.decidedAt = now
        case .revoke:
            entry.status = .revoked
            entry.revokedAt = now
        }
        try read { () throws(ReplicaError) in try replica.saveRegistration(entry) }
        try issueDirectory()
        return entry
    }

    /// Registers the hub's own node as approved and issues the first directory (hub init).
    func approveSelf() throws(NodeError) {
        let now = time.now().rfc3339
        try read { () throws(ReplicaError) in
            try replica.saveRegistration(
                RegisteredNode(
                    court: identity.court, node: identity.node, publicKey: publicKey, status: .approved,
                    requestedAt: now, decidedAt: now))
        }
        try issueDirectory()
    }

    /// Signs the next version of the directory (courts, every decided registration and the
    /// calendar: `calendar`, or the one published) and installs it in the hub's own replica.
    private func issueDirectory(calendar: ReferenceCalendar? = nil) throws(NodeError) {
        let nodes = try registrations().filter { $0.status != .pending }
        var published: ReferenceCalendar
        if let calendar { published = calendar } else { published = try publishedCalendar() }
        let content = TrustDirectory(
            version: try directoryVersion() + 1, issuedAt: time.now().rfc3339, hubNode: identity.node,
            suite: replica.suite, hubKey: publicKey, courts: replica.directory.all, nodes: nodes, calendar: published)
        try install(try SignedDirectory.issue(content, with: signingKey))
    }

    /// The calendar the hub has published, or version 1 from the reference data it was
    /// initialised with (`Nodes/calendar.json` and the deadline policy) if it has published none.
    public func publishedCalendar() throws(NodeError) -> ReferenceCalendar {
        if let held = try read({ () throws(ReplicaError) in try replica.calendars() }) { return held.reference }
        do {
            return try ReferenceCalendar.first(
                from: replica.seedCalendar.file, deadlines: replica.seedDeadlinePolicy, issuedAt: time.now())
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
    }

    /// Issues a directory carrying the calendar if the installed one carries none (a hub whose
    /// directory predates published calendars). Returns whether it did.
    @discardableResult
    public func publishCalendarIfMissing() throws(NodeError) -> Bool {
        try requireHub()
        guard try read({ () throws(ReplicaError) in try replica.calendars() }) == nil else { return false }
        try issueDirectory()
        return true
    }

    /// `courtsync hub calendar --import`: publishes the official years of `file` that the
    /// calendar does not hold yet, as its next version, in a new signed directory.
    public func publishCalendar(_ file: HolidayCalendar.File) throws(NodeError) -> ReferenceCalendar {
        try requireHub()
        let current = try publishedCalendar()
        let next: ReferenceCalendar
        do {
            next = try current.publishing(file, issuedAt: time.now())
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        try issueDirectory(calendar: next)
        return next
    }

    /// `courtsync hub calendar --grace-hours`: sets the late-report grace from the next calendar
    /// version on, in a new signed directory.
    public func setLateReportGrace(seconds: Int) throws(NodeError) -> ReferenceCalendar {
        try requireHub()
        let current = try publishedCalendar()
        let next: ReferenceCalendar
        do {
            next = try current.withGrace(seconds: seconds, issuedAt: time.now())
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        try issueDirectory(calendar: next)
        return next
    }

    /// `courtsync hub calendar --max-extensions --max-extension-days`: sets how many extensions
    /// (延期) a matter may have approved and how many days they may add, for matters sent under
    /// the next calendar version on, in a new signed directory.
    public func setExtensionLimits(maxExtensions: Int, maxDays: Int) throws(NodeError) -> ReferenceCalendar {
        try requireHub()
        let current = try publishedCalendar()
        let next: ReferenceCalendar
        do {
            next = try current.withExtensionLimits(maxExtensions: maxExtensions, maxDays: maxDays, issuedAt: time.now())
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        try issueDirectory(calendar: next)
        return next
    }

    /// 采纳迟报: hub staff accept the late report of event `eventID`, which then counts at its
    /// recorded time; a signed hub event on its matter that syncs like every other.
    public func acceptLate(_ eventID: String, note: String) throws(NodeError) -> LateReport {
        try requireHub()
        let id: EventID
        do { id = try EventID(hex: eventID) } catch {
            throw NodeError(code: "invalidField", "not an event id (64 hex digits): \(eventID.prefix(80))")
        }
        let reports = try read { () throws(ReplicaError) in try replica.lateReports() }
        guard let report = reports.first(where: { $0.event == id }) else {
            throw NodeError(
                code: "notFound",
                "event \(id.hex.prefix(12)) is not a late report (迟报) here: see courtsync report late")
        }
        if let done = report.acceptance {
            throw NodeError(code: "conflict", "the late report \(id.hex.prefix(12)) was accepted at \(done.at.rfc3339)")
        }
        _ = try act(on: report.matter.rawValue, .acceptLate(event: id, note: note))
        let accepted = try read { () throws(ReplicaError) in try replica.lateReports(matter: report.matter) }
        return accepted.first { $0.event == id } ?? report
    }

    private func requireHub() throws(NodeError) {
        guard isHub else {
            throw NodeError(
                code: "notHub",
                "this is the node of \(identity.court), not the hub: run this on the hub's data directory")
        }
    }
}
