/// The kinds of document a matter carries (委托材料 and 回执), as a table: who may attach each,
/// and which a `create` of each matter kind needs (R2011 art. 5; `docs/domain.md`).
public enum DocumentKind: String, CaseIterable, Sendable, Codable, Comparable {
    /// 委托执行函 — the letter of entrustment.
    case entrustmentLetter = "entrustment-letter"
    /// 生效法律文书 — the effective judgment or other title the enforcement rests on.
    case judgment
    /// 执行裁定书 — the enforcement ruling ordering the measure.
    case ruling
    /// 协助执行通知书 — the notice to the bank, registry or company that must assist.
    case assistanceNotice = "assistance-notice"
    /// 送达回证 — proof of service.
    case serviceReceipt = "service-receipt"
    /// 回执 — the receipt of the assisting party.
    case receipt
    /// 查封/冻结/扣押笔录 — the record of the measure taken.
    case actRecord = "act-record"
    /// 补充材料 — documents sent in answer to a request for supplement (补办).
    case supplement
    /// 其他.
    case other

    /// The Chinese name.
    public var chineseName: String {
        switch self {
        case .entrustmentLetter: "委托执行函"
        case .judgment: "生效法律文书"
        case .ruling: "执行裁定书"
        case .assistanceNotice: "协助执行通知书"
        case .serviceReceipt: "送达回证"
        case .receipt: "回执"
        case .actRecord: "查封/冻结/扣押笔录"
        case .supplement: "补充材料"
        case .other: "其他"
        }
    }

    /// The roles that may attach a document of this kind: the entrusting court sends the letter
    /// and the legal documents, the entrusted court sends back what it did; either may attach
    /// `other`.
    public var attachedBy: Set<Role> {
        switch self {
        case .entrustmentLetter, .judgment, .ruling, .assistanceNotice, .supplement: [.entrusting]
        case .serviceReceipt, .receipt, .actRecord: [.entrusted]
        case .other: [.entrusting, .entrusted]
        }
    }

    /// The kinds a `create` of `kind` needs: the letter and the title for every matter; the
    /// ruling for every measure on property or person; the notice to the assisting party for
    /// measures a bank, registry, company or debtor of the debtor carries out.
    public static func required(for kind: MatterKind) -> [DocumentKind] {
        switch kind {
        case .depositFreeze, .depositRenewFreeze, .depositUnfreeze, .depositDeduct, .equityFreeze,
            .equityRenewFreeze, .realEstateSeal, .realEstateRenewSeal, .realEstateUnseal, .realEstateTransfer,
            .vehicleSeize, .receivableFreeze:
            [.entrustmentLetter, .judgment, .ruling, .assistanceNotice]
        case .movableSeize, .personAssistDetention:
            [.entrustmentLetter, .judgment, .ruling]
        case .assetsInvestigate, .documentsServe, .other:
            [.entrustmentLetter, .judgment]
        }
    }

    /// Throws `forbiddenRole` unless one of `roles` may attach this kind.
    public func checkAttach(by roles: Set<Role>) throws(DomainError) {
        guard !roles.isDisjoint(with: attachedBy) else {
            let allowed = attachedBy.map(\.chineseName).sorted().joined(separator: "、")
            throw DomainError(
                .forbiddenRole, "\(chineseName) (\(rawValue)) may only be attached by \(allowed)")
        }
    }

    /// Parses the id (`entrustment-letter`) or the Chinese name (`委托执行函`).
    public init?(text: String) {
        guard let kind = DocumentKind(rawValue: text) ?? DocumentKind.allCases.first(where: { $0.chineseName == text })
        else { return nil }
        self = kind
    }

    /// Table order.
    public static func < (a: DocumentKind, b: DocumentKind) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
