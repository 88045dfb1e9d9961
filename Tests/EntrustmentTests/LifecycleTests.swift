import Entrustment
import TestSupport
import Testing

/// The lifecycle table, restated cell by cell as the specification (DOMAIN.md §2a, docs/domain.md).
@Suite("Lifecycle table")
struct LifecycleTests {
    /// event → (roles that may apply it, states it may be applied in ("none" = no matter yet), resulting state).
    static let specification: [EventKind: (roles: Set<Role>, from: Set<String>, to: String?)] = [
        .create: ([.entrusting], ["none"], "sent"),
        .sign: ([.entrusted], ["sent"], "signed"),
        .start: ([.entrusted], ["signed"], "inProgress"),
        .complete: ([.entrusted], ["signed", "inProgress"], "completed"),
        .return: ([.entrusted], ["sent", "signed"], "returned"),
        .withdraw: ([.entrusting], ["sent", "signed", "inProgress"], "withdrawn"),
        .urge: ([.entrusting, .superior, .hub], ["sent", "signed", "inProgress"], nil),
        .supervise: ([.superior, .hub], ["sent", "signed", "inProgress"], nil),
        .close: ([.entrusting], ["completed"], "closed"),
        .edit: ([.entrusting, .entrusted], everyState, nil),
        .acknowledge: ([.entrusting, .entrusted, .hub], everyState, nil),
        .acceptLate: ([.hub], everyState, nil),
        .attach: ([.entrusting, .entrusted], ["sent", "signed", "inProgress", "completed"], nil),
        .requestSupplement: ([.entrusted], ["sent", "signed", "inProgress"], nil),
        .requestExtension: ([.entrusted], ["signed", "inProgress"], nil),
        .decideExtension: ([.entrusting, .superior, .hub], ["signed", "inProgress", "completed", "closed"], nil),
    ]
    static let everyState: Set<String> = [
        "sent", "signed", "inProgress", "completed", "closed", "returned", "withdrawn",
    ]

    static let cells: [(EventKind, Role, MatterState?)] = EventKind.allCases.flatMap { event in
        Role.allCases.flatMap { role in ([nil] + MatterState.allCases.map { $0 }).map { (event, role, $0) } }
    }

    @Test("every cell: allowed cells lead to the specified state, forbidden cells name why", arguments: cells)
    func cell(event: EventKind, role: Role, state: MatterState?) {
        let spec = Self.specification[event]!
        let stateName = state?.rawValue ?? "none"
        let roleAllowed = spec.roles.contains(role)
        let stateAllowed = spec.from.contains(stateName)
        do {
            let next = try Lifecycle.transition(event, by: [role], in: state)
            #expect(roleAllowed && stateAllowed, "\(event) by \(role) in \(stateName) should be refused")
            #expect(next.rawValue == (spec.to ?? stateName))
        } catch {
            #expect(!(roleAllowed && stateAllowed), "\(event) by \(role) in \(stateName) should be allowed: \(error)")
            #expect(error.code == (roleAllowed ? .illegalTransition : .forbiddenRole))
        }
    }

    @Test("a court with no role in the matter may do nothing", arguments: EventKind.allCases)
    func outsider(event: EventKind) {
        #expect(throws: DomainError.self) { try Lifecycle.transition(event, by: [], in: .sent) }
    }

    @Test("roles follow from the directory: parties, superiors of either party, the hub")
    func roles() {
        let d = Fixtures.directory
        let from = Fixtures.code("京0105")
        let to = Fixtures.code("粤0106")
        func roles(_ court: String) -> Set<Role> {
            Role.roles(of: Fixtures.code(court), entrusting: from, entrusted: to, in: d)
        }
        #expect(roles("京0105") == [.entrusting])
        #expect(roles("粤0106") == [.entrusted])
        #expect(roles("京03") == [.superior])
        #expect(roles("粤") == [.superior])
        #expect(roles("最高法") == [.hub])
        #expect(roles("京02").isEmpty)
        #expect(roles("粤0104").isEmpty)
    }
}
