/// The part a court plays for one matter; the lifecycle table grants events to roles.
public enum Role: String, CaseIterable, Sendable, Codable {
    /// 委托法院 — the court that sent the matter.
    case entrusting
    /// 受托法院 — the court asked to carry it out.
    case entrusted
    /// 上级法院 — a superior (at any distance) of either court, other than the hub.
    case superior
    /// 最高法 指挥中心 — the supreme-level hub.
    case hub

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .entrusting: "委托法院"
        case .entrusted: "受托法院"
        case .superior: "上级法院"
        case .hub: "最高法院指挥中心"
        }
    }

    /// The roles `court` holds for a matter between `entrusting` and `entrusted`.
    public static func roles(
        of court: CourtCode, entrusting: CourtCode, entrusted: CourtCode, in directory: CourtDirectory
    ) -> Set<Role> {
        var roles: Set<Role> = []
        if court == entrusting { roles.insert(.entrusting) }
        if court == entrusted { roles.insert(.entrusted) }
        if court == .supreme {
            roles.insert(.hub)
        } else if directory.isSuperior(court, of: entrusting) || directory.isSuperior(court, of: entrusted) {
            roles.insert(.superior)
        }
        return roles
    }
}
