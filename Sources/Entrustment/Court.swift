/// A people's court in the directory: its code, its name and its superior court.
public struct Court: Hashable, Sendable, Codable {
    /// 法院代字, e.g. `京0105`.
    public let code: CourtCode
    /// The official name, e.g. `北京市朝阳区人民法院`.
    public let name: String
    /// The superior court (`京03` for `京0105`); `nil` only for the Supreme People's Court.
    public let parent: CourtCode?

    public init(code: CourtCode, name: String, parent: CourtCode?) {
        self.code = code
        self.name = name
        self.parent = parent
    }

    /// The level, from the code's shape.
    public var level: CourtLevel { code.level }
}
