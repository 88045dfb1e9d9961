/// An enforcement case-type code (类型代字) as written in a case number.
public enum CaseTypeCode: String, CaseIterable, Sendable, Codable {
    /// 执 — first enforcement.
    case enforcement = "执"
    /// 执恢 — resumed enforcement.
    case resumed = "执恢"
    /// 执保 — enforcement of a property-preservation order.
    case preservation = "执保"
    /// 执异 — enforcement objection.
    case objection = "执异"
    /// 执复 — enforcement reconsideration.
    case reconsideration = "执复"
    /// 执监 — enforcement supervision.
    case supervision = "执监"
    /// 执协 — enforcement coordination.
    case coordination = "执协"
    /// 执请 — request for instructions.
    case instructions = "执请"
    /// 执他 — other enforcement.
    case other = "执他"
}
