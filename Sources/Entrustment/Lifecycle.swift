/// The lifecycle table: which role may apply which event in which state, and the state it leads to.
///
/// This table is the one place the rule lives; every replica applies it to local acts and to
/// events that arrive from other nodes (`docs/domain.md` shows it as a matrix).
public enum Lifecycle {
    /// One row: an event kind, who may apply it, from which states, and what it leads to.
    public struct Rule: Sendable {
        /// The event kind.
        public let event: EventKind
        /// The roles that may apply it.
        public let roles: Set<Role>
        /// The states it may be applied in; `nil` stands for "no matter yet" (only `create`).
        public let from: Set<MatterState?>
        /// The state it leads to; `nil` when the event changes no state (urge, supervise, edit,
        /// acknowledge, attach, requestSupplement, requestExtension, decideExtension).
        public let to: MatterState?
    }

    private static let open: Set<MatterState?> = [.sent, .signed, .inProgress]
    private static let any: Set<MatterState?> = Set(MatterState.allCases)

    /// The table.
    public static let rules: [EventKind: Rule] = [
        .create: Rule(event: .create, roles: [.entrusting], from: [nil], to: .sent),
        .sign: Rule(event: .sign, roles: [.entrusted], from: [.sent], to: .signed),
        .start: Rule(event: .start, roles: [.entrusted], from: [.signed], to: .inProgress),
        .complete: Rule(event: .complete, roles: [.entrusted], from: [.signed, .inProgress], to: .completed),
        .return: Rule(event: .return, roles: [.entrusted], from: [.sent, .signed], to: .returned),
        .withdraw: Rule(event: .withdraw, roles: [.entrusting], from: open, to: .withdrawn),
        .urge: Rule(event: .urge, roles: [.entrusting, .superior, .hub], from: open, to: nil),
        .supervise: Rule(event: .supervise, roles: [.superior, .hub], from: open, to: nil),
        .close: Rule(event: .close, roles: [.entrusting], from: [.completed], to: .closed),
        .edit: Rule(event: .edit, roles: [.entrusting, .entrusted], from: any, to: nil),
        .acknowledge: Rule(event: .acknowledge, roles: [.entrusting, .entrusted, .hub], from: any, to: nil),
        .acceptLate: Rule(event: .acceptLate, roles: [.hub], from: any, to: nil),
        .attach: Rule(
            event: .attach, roles: [.entrusting, .entrusted], from: [.sent, .signed, .inProgress, .completed], to: nil),
        .requestSupplement: Rule(event: .requestSupplement, roles: [.entrusted], from: open, to: nil),
        .requestExtension: Rule(event: .requestExtension, roles: [.entrusted], from: [.signed, .inProgress], to: nil),
        // A superior only of the entrusting court may not decide (``ExtensionRules/mayDecide(_:on:in:)``).
        .decideExtension: Rule(
            event: .decideExtension, roles: [.entrusting, .superior, .hub],
            from: [.signed, .inProgress, .completed, .closed], to: nil),
    ]

    /// Whether any of `roles` may apply `event` at all (in some state).
    public static func permits(_ event: EventKind, for roles: Set<Role>) -> Bool {
        !rules[event]!.roles.isDisjoint(with: roles)
    }

    /// Throws unless one of `roles` may apply `event` (in some state).
    public static func checkRole(_ event: EventKind, for roles: Set<Role>) throws(DomainError) {
        guard permits(event, for: roles) else {
            let allowed = rules[event]!.roles.map(\.chineseName).sorted().joined(separator: "、")
            let held =
                roles.isEmpty ? "not a party to the matter" : roles.map(\.rawValue).sorted().joined(separator: ", ")
            throw DomainError(
                .forbiddenRole,
                "\(event.rawValue) (\(event.chineseName)) may only be done by \(allowed); this court is \(held)")
        }
    }

    /// The state after applying `event` in `state` (`nil`: no matter yet) by a court holding
    /// `roles`, or an error saying why it may not.
    public static func transition(
        _ event: EventKind, by roles: Set<Role>, in state: MatterState?
    ) throws(DomainError) -> MatterState {
        let rule = rules[event]!
        try checkRole(event, for: roles)
        guard rule.from.contains(state) else {
            let now = state.map { "\($0.rawValue) (\($0.chineseName))" } ?? "not yet created"
            throw DomainError(
                .illegalTransition, "cannot \(event.rawValue) (\(event.chineseName)) a matter that is \(now)")
        }
        return rule.to ?? state!
    }
}
