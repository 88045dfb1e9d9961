import Entrustment
import Foundation
import Replica

/// This node's side of trust: its key, its registration request, and the hub-signed court
/// directory it installs (verified against the hub key pinned at init).
extension CourtNode {
    /// This node's public key in the network's suite, hex (64 digits Ed25519, 130 SM2).
    public var publicKey: String { signingKey.publicKey.hex }

    /// The network's signature suite.
    public var suite: SignatureSuite { replica.suite }

    /// This node's key fingerprint (``KeyFingerprint``), in the network's suite.
    public var keyFingerprint: String { KeyFingerprint.of(publicKeyHex: publicKey, suite: replica.suite) }

    /// Signs `message` for `purpose` with this node's key (requests, for the sync client).
    public func sign(_ message: [UInt8], for purpose: SignaturePurpose) -> [UInt8] {
        purpose.sign(message, with: signingKey)
    }

    /// `event` signed with this node's key (for an event this node records outside the desks).
    public func signed(_ event: Event) -> Event { event.signed(with: signingKey) }

    /// A signed registration request for this node.
    public func registrationRequest() -> RegistrationRequest {
        RegistrationRequest(identity: (identity.court, identity.node), key: signingKey, at: time.now())
    }

    /// The pinned hub key (`nil` until the first registration of a node that trusts on first use).
    public func hubKey() throws(NodeError) -> String? {
        try read { () throws(ReplicaError) in try replica.trustAnchor().hubKey }
    }

    /// Pins the key a hub presented at the first registration, if the operator allowed it at init.
    public func pinHubKeyOnFirstUse(_ key: String) throws(NodeError) {
        do { _ = try VerifyingKey(hex: key, suite: replica.suite) } catch {
            throw NodeError(
                code: "wrongSuite",
                "the hub presents key \(key.prefix(16))…, which is not a \(replica.suite.signatureName) key: this node was made for the \(replica.suite) suite, the hub's network uses another"
            )
        }
        try read { () throws(ReplicaError) in try replica.pinHubKeyOnFirstUse(key.lowercased()) }
    }

    /// The installed signed directory, as it travels.
    public func signedDirectory() throws(NodeError) -> SignedDirectory? {
        try read { () throws(ReplicaError) in try replica.installedDirectory() }.map {
            SignedDirectory(payload: Data($0.payload), signature: Data($0.signature))
        }
    }

    /// The installed directory's version (0: none yet).
    public func directoryVersion() throws(NodeError) -> Int {
        try read { () throws(ReplicaError) in try replica.installedDirectory()?.version ?? 0 }
    }

    /// Verifies a signed directory against the pinned hub key and installs it if it is newer.
    /// Then, if it brings a newer calendar, settles provisional deadlines (the calendar may cover
    /// their year now), and retries the quarantine: events held for an unknown key or calendar
    /// may pass now.
    @discardableResult
    public func install(_ document: SignedDirectory) throws(NodeError) -> (version: Int, installed: Bool) {
        guard let hubKey = try hubKey() else {
            throw NodeError(
                code: "missingHubKey", "no hub key is pinned yet: register with the hub first (courtsync register)")
        }
        let directory = try document.open(hubKey: hubKey, suite: replica.suite)
        let now = time.now()
        let calendarBefore = try read { () throws(ReplicaError) in try replica.calendars()?.version }
        let installed = try read { () throws(ReplicaError) in
            try replica.install(
                directory, payload: Array(document.payload), signature: Array(document.signature), now: now)
        }
        if installed {
            let court = identity.court
            // Provisional deadlines can settle only if the directory brought a newer calendar.
            let newCalendar = (directory.calendar?.version ?? 0) > (calendarBefore ?? 0)
            _ = try write { tx in
                if newCalendar { try tx.refoldProvisionalMatters(now: now) }
                try tx.retryQuarantinedReferenceData(now: now, visibleTo: court)
            }
        }
        return (directory.version, installed)
    }
}
