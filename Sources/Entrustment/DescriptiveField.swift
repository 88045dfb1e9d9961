/// A descriptive field of a matter: a last-writer-wins register that either party may change at
/// any time with an `edit` event. The value with the greatest (HLC, origin node, event id) stands.
public enum DescriptiveField: String, CaseIterable, Sendable, Codable {
    /// 联系人 — the person to call about the matter.
    case contactPerson
    /// 联系电话.
    case contactPhone
    /// 备注 — starts as the note sent with the matter.
    case note

    /// The Chinese label.
    public var chineseName: String {
        switch self {
        case .contactPerson: "联系人"
        case .contactPhone: "联系电话"
        case .note: "备注"
        }
    }

    /// The longest value, in UTF-8 bytes.
    public var limit: Int {
        switch self {
        case .contactPerson: FieldLimits.name
        case .contactPhone: FieldLimits.phone
        case .note: FieldLimits.note
        }
    }

    /// Throws unless `value` may be stored in this field (the empty string clears it).
    public func check(_ value: String) throws(DomainError) {
        guard value.utf8.count <= limit else {
            throw DomainError(
                .invalidField, "\(rawValue) (\(chineseName)) is \(value.utf8.count) bytes, over the limit of \(limit)")
        }
        if self == .contactPhone {
            let allowed = Set("0123456789+-() ,转")
            guard value.allSatisfy(allowed.contains) else {
                throw DomainError(
                    .invalidField, "contact phone (联系电话) may hold only digits, spaces and + - ( ) , 转: \(value)")
            }
        }
    }
}
