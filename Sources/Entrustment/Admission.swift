/// The checks every replica makes before it stores an event, whoever made it: an event that fails
/// them is refused and never stored.
///
/// These are the checks that do not depend on arrival order: the author's right to the act
/// (its role), the shape of a `create`, and the parent links. Whether the act fits the state the
/// matter is in is a question for the fold (concurrent acts), except for a node's own acts, which
/// ``checkLocalAct(_:on:directory:)`` also holds to the current state.
public enum Admission {
    /// Checks an event against the matter it belongs to (`nil` when the replica holds none yet).
    public static func check(_ event: Event, on matter: Matter?, directory: CourtDirectory) throws(DomainError) {
        guard directory.contains(event.author) else {
            throw DomainError(.unknownCourt, "event \(event.id.hex.prefix(12)): unknown author court \(event.author)")
        }
        if case .create(let request) = event.action {
            guard matter == nil else {
                throw DomainError(
                    .inconsistentMatter, "event \(event.id.hex.prefix(12)): matter \(event.matterID) already exists")
            }
            guard event.parents.isEmpty else {
                throw DomainError(.malformedEvent, "event \(event.id.hex.prefix(12)): a create event has no parents")
            }
            guard event.matterID.court == event.author else {
                throw DomainError(
                    .forbiddenRole,
                    "event \(event.id.hex.prefix(12)): \(event.author) cannot create matter \(event.matterID), which is numbered by \(event.matterID.court)"
                )
            }
            try checkRequest(request, from: event.author, directory: directory)
            return
        }
        guard let matter else {
            throw DomainError(
                .inconsistentMatter, "event \(event.id.hex.prefix(12)): matter \(event.matterID) is unknown here")
        }
        guard !event.parents.isEmpty else {
            throw DomainError(
                .malformedEvent, "event \(event.id.hex.prefix(12)): only a create event may have no parents")
        }
        try Lifecycle.checkRole(event.kind, for: matter.roles(of: event.author, in: directory))
    }

    /// The checks for an act this node is about to record: ``check(_:on:directory:)`` and also
    /// the lifecycle transition from the matter's current state.
    public static func checkLocalAct(_ event: Event, on matter: Matter?, directory: CourtDirectory) throws(DomainError)
    {
        try check(event, on: matter, directory: directory)
        if let matter {
            _ = try Lifecycle.transition(
                event.kind, by: matter.roles(of: event.author, in: directory), in: matter.state)
        }
    }

    /// Checks what a `create` asks for: both courts known and different, deadlines in order.
    public static func checkRequest(
        _ request: MatterRequest, from entrusting: CourtCode, directory: CourtDirectory
    ) throws(DomainError) {
        _ = try directory.court(entrusting)
        _ = try directory.court(request.entrustedCourt)
        guard request.entrustedCourt != entrusting else {
            throw DomainError(.invalidField, "a court cannot entrust a matter to itself (\(entrusting))")
        }
        guard request.entrustedCourt != .supreme else {
            throw DomainError(.invalidField, "matters are entrusted to courts, not to the hub (最高法)")
        }
        guard request.signDue <= request.due else {
            throw DomainError(
                .invalidField, "the signing deadline \(request.signDue) is after the completion deadline \(request.due)"
            )
        }
    }
}
