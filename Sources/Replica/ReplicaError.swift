/// Why a replica operation failed. The replica is unchanged after any of these.
public struct ReplicaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kinds of failure.
    public enum Code: String, Sendable {
        /// No replica at the path: the node has not been initialised.
        case notInitialised
        /// A replica already exists at the path.
        case alreadyInitialised
        /// The file is not a CourtSync replica or is damaged.
        case corrupt
        /// A newer release migrated the file to a schema this build does not know.
        case newerSchema
        /// No matter with that id in this replica.
        case unknownMatter
        /// An event names a parent this replica does not hold.
        case missingParent
        /// An event breaks the domain rules (role, lifecycle, fields).
        case rejectedEvent
        /// A remote event is dated further ahead of this node's clock than the limit allows.
        case clockAhead
        /// A signature does not verify (event, directory or registration).
        case badSignature
        /// An event's node is not in this replica's court directory (yet): it may arrive with the
        /// next signed directory.
        case unknownKey
        /// An event signed by a key the hub rejected, or revoked before the event's time.
        case revokedKey
        /// A `create` names a calendar version this node does not hold yet: it comes with the
        /// hub's next signed directory.
        case unknownCalendar
        /// A hub's batch attestation that does not verify or does not cover its change set.
        case badAttestation
        /// Too many events from one sender wait in the quarantine already.
        case quarantineFull
        /// A registration names a node already registered with another key.
        case registrationConflict
        /// Too many registrations wait for hub staff already.
        case tooManyRegistrations
        /// Something of that name exists already.
        case conflict
        /// Nothing of that name exists.
        case notFound
        /// SQLite failed (disk full, read-only file, I/O error …).
        case storage
        /// Restored from a backup, the node has not caught up with the hub yet: no local acts.
        case recovering
        /// The replica is one hub process's copy of its shared store (PostgreSQL): the operation
        /// belongs to the store.
        case sharedStore
    }

    public let code: Code
    /// One line naming the problem.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
