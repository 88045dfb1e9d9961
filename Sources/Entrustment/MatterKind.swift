/// What is entrusted: an asset class and an action on it (e.g. 银行存款 × 冻结).
///
/// Each kind has a canonical id (`deposit:freeze`) used on the wire, in the CLI and in the
/// replica, and a Chinese name for people.
public enum MatterKind: String, CaseIterable, Sendable, Codable {
    case depositFreeze = "deposit:freeze"
    case depositRenewFreeze = "deposit:renew-freeze"
    case depositUnfreeze = "deposit:unfreeze"
    case depositDeduct = "deposit:deduct"
    case equityFreeze = "equity:freeze"
    case equityRenewFreeze = "equity:renew-freeze"
    case realEstateSeal = "real-estate:seal"
    case realEstateRenewSeal = "real-estate:renew-seal"
    case realEstateUnseal = "real-estate:unseal"
    case realEstateTransfer = "real-estate:transfer"
    case movableSeize = "movable:seize"
    case vehicleSeize = "vehicle:seize"
    case receivableFreeze = "receivable:freeze"
    case assetsInvestigate = "assets:investigate"
    case documentsServe = "documents:serve"
    case personAssistDetention = "person:assist-detention"
    case other = "other"

    /// The canonical id, e.g. `deposit:freeze`.
    public var id: String { rawValue }

    /// Looks a kind up by its canonical id, naming the bad id if there is none.
    public init(id: String) throws(DomainError) {
        guard let kind = MatterKind(rawValue: id) else {
            throw DomainError(
                .unknownMatterKind, "unknown matter kind \"\(id)\": see `courtsync matter kinds` for the list")
        }
        self = kind
    }

    /// The asset class in Chinese (银行存款 …).
    public var assetClassName: String {
        switch self {
        case .depositFreeze, .depositRenewFreeze, .depositUnfreeze, .depositDeduct: "银行存款"
        case .equityFreeze, .equityRenewFreeze: "股权"
        case .realEstateSeal, .realEstateRenewSeal, .realEstateUnseal, .realEstateTransfer: "不动产"
        case .movableSeize: "动产"
        case .vehicleSeize: "车辆"
        case .receivableFreeze: "应收账款"
        case .assetsInvestigate: "财产"
        case .documentsServe: "法律文书"
        case .personAssistDetention: "人身"
        case .other: "其他"
        }
    }

    /// The full Chinese name (冻结银行存款 …).
    public var chineseName: String {
        switch self {
        case .depositFreeze: "冻结银行存款"
        case .depositRenewFreeze: "续冻银行存款"
        case .depositUnfreeze: "解冻银行存款"
        case .depositDeduct: "扣划银行存款"
        case .equityFreeze: "冻结股权"
        case .equityRenewFreeze: "续冻股权"
        case .realEstateSeal: "查封不动产"
        case .realEstateRenewSeal: "续封不动产"
        case .realEstateUnseal: "解封不动产"
        case .realEstateTransfer: "不动产过户"
        case .movableSeize: "扣押动产"
        case .vehicleSeize: "扣押车辆"
        case .receivableFreeze: "冻结应收账款"
        case .assetsInvestigate: "财产调查"
        case .documentsServe: "送达法律文书"
        case .personAssistDetention: "协助拘留"
        case .other: "其他事项"
        }
    }
}
