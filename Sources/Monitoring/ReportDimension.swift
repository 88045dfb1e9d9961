import Entrustment

/// How a report groups matters (`--by`).
public enum ReportDimension: String, CaseIterable, Sendable, Codable {
    /// By court: a court's 委托数 and 撤回数 as the entrusting court, every other figure as the
    /// entrusted court.
    case court
    /// By court level (基层、中级、高级), attributed as for ``court``.
    case level
    /// By province (the court code's prefix), attributed as for ``court``.
    case province
    /// By province pair, entrusting → entrusted: every figure of a matter goes to its pair.
    case pair
    /// By matter kind (事项类型): every figure of a matter goes to its kind.
    case kind
    /// By month (China Standard Time) of the instant each figure counts.
    case month

    /// The column heading.
    public var chineseName: String {
        switch self {
        case .court: "法院"
        case .level: "法院层级"
        case .province: "省份"
        case .pair: "委托省份→受托省份"
        case .kind: "事项类型"
        case .month: "月份"
        }
    }

    /// Which side of a matter a figure belongs to.
    enum Side {
        /// 委托数, 撤回数: the entrusting court.
        case entrusting
        /// Every other figure: the entrusted court.
        case entrusted
    }

    /// The group a figure of `matter` falls into, counted at `instant`: a court code, a level, a
    /// province prefix, `京→粤`, a kind id or `2026-03`.
    func key(of matter: MatterTiming, side: Side, at instant: Timestamp) -> String {
        let court = side == .entrusting ? matter.entrustingCourt : matter.entrustedCourt
        switch self {
        case .court: return court.rawValue
        case .level: return court.level.rawValue
        case .province: return Self.prefix(court)
        case .pair: return "\(Self.prefix(matter.entrustingCourt))→\(Self.prefix(matter.entrustedCourt))"
        case .kind: return matter.kind.id
        case .month:
            let day = instant.chinaDate
            return "\(day.year)-\(day.month < 10 ? "0" : "")\(day.month)"
        }
    }

    /// The group's name as people read it: the court's name, 基层法院, 广东→北京, 冻结银行存款, 2026年3月.
    func label(of matter: MatterTiming, side: Side, at instant: Timestamp, directory: CourtDirectory) -> String {
        let court = side == .entrusting ? matter.entrustingCourt : matter.entrustedCourt
        switch self {
        case .court: return directory[court]?.name ?? court.rawValue
        case .level: return court.level.chineseName
        case .province: return court.provinceName
        case .pair: return "\(matter.entrustingCourt.provinceName)→\(matter.entrustedCourt.provinceName)"
        case .kind: return matter.kind.chineseName
        case .month:
            let day = instant.chinaDate
            return "\(day.year)年\(day.month)月"
        }
    }

    /// The key of the same group one year later: a month's key moves one year on, every other
    /// group is itself.
    func keyOneYearLater(_ key: String) -> String {
        guard self == .month, let year = Int(key.prefix(4)) else { return key }
        return "\(year + 1)" + key.dropFirst(4)
    }

    /// The label of the group `key` (one year later than a group labelled `label`).
    func labelOneYearLater(key: String, label: String) -> String {
        guard self == .month, let year = Int(key.prefix(4)), let month = Int(key.suffix(2)) else { return label }
        return "\(year)年\(month)月"
    }

    private static func prefix(_ court: CourtCode) -> String {
        court.provincePrefix.map(String.init) ?? court.rawValue
    }
}
