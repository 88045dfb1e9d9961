/// The four levels of the people's courts.
public enum CourtLevel: String, CaseIterable, Codable, Sendable, Comparable {
    /// 最高人民法院.
    case supreme
    /// 高级人民法院 (one per province, plus 兵团分院 and the military court).
    case high
    /// 中级人民法院.
    case intermediate
    /// 基层人民法院.
    case basic

    /// The Chinese name of the level.
    public var chineseName: String {
        switch self {
        case .supreme: "最高法院"
        case .high: "高级法院"
        case .intermediate: "中级法院"
        case .basic: "基层法院"
        }
    }

    /// Parses an English id (`basic`) or the Chinese name (`基层法院`, `基层`).
    public init?(text: String) {
        if let level = CourtLevel(rawValue: text) {
            self = level
        } else if let level = CourtLevel.allCases.first(where: {
            text == $0.chineseName || text + "法院" == $0.chineseName
        }) {
            self = level
        } else {
            return nil
        }
    }

    private var rank: Int { CourtLevel.allCases.firstIndex(of: self)! }
    public static func < (lhs: CourtLevel, rhs: CourtLevel) -> Bool { lhs.rank < rhs.rank }
}
