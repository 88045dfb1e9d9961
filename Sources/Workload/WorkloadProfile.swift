import Entrustment

/// The shape of the work a network of courts does: how many matters, where they go, how long
/// they take and how they end. The defaults follow `docs/domain.md`'s volumes and the demo issue:
/// about 5 matters per basic court per working day, 60–70% within the province, completion
/// times log-normal with a median of 1.5 days and a P90 of 10 days (so a tail runs past the
/// deadline), 5–9% returned, about 1% withdrawn, some urgent renewals before a freeze expires,
/// a few courts offline for hours, a few concurrent conflicts.
public struct WorkloadProfile: Hashable, Sendable {
    /// Matters a basic court sends per working day (Poisson mean).
    public var mattersPerBasicCourtPerDay: Double = 5
    /// Matters an intermediate court sends per working day.
    public var mattersPerIntermediateCourtPerDay: Double = 1
    /// The share of matters entrusted to a court of the same province (when it has one).
    public var withinProvinceShare: Double = 0.65
    /// Days from sending to completion.
    public var completionDays = LogNormal(median: 1.5, p90: 10)
    /// Days from sending to signing (签收), if it comes before completion.
    public var signDays = LogNormal(median: 0.25, p90: 1.5)
    /// The share of matters returned (退回) instead of done.
    public var returnedShare: Double = 0.07
    /// The share withdrawn (撤回) by the entrusting court before they are done.
    public var withdrawnShare: Double = 0.01
    /// The share that are urgent renewals (续冻, 续封) of a measure about to expire.
    public var renewalShare: Double = 0.03
    /// Courts that go offline once during the run.
    public var offlineCourts: Int = 2
    /// How long an outage lasts, in hours (uniform between the two).
    public var offlineHours: ClosedRange<Double> = 4...12
    /// Matters on which both courts act at once without seeing each other (办结 against 撤回).
    public var conflicts: Int = 3
    /// Working hours, CST: acts are sent between these hours of a working day.
    public var workingHours: ClosedRange<Double> = 8.5...17.5

    public init() {}

    /// The kinds of ordinary matters and their weights.
    public static let kindWeights: [(MatterKind, Double)] = [
        (.depositFreeze, 28), (.assetsInvestigate, 16), (.documentsServe, 15), (.realEstateSeal, 10),
        (.vehicleSeize, 8), (.equityFreeze, 5), (.depositDeduct, 5), (.depositUnfreeze, 3),
        (.receivableFreeze, 3), (.realEstateUnseal, 2), (.movableSeize, 2), (.realEstateTransfer, 1),
        (.personAssistDetention, 1), (.other, 1),
    ]

    /// The renewal kinds and their weights.
    public static let renewalWeights: [(MatterKind, Double)] = [
        (.depositRenewFreeze, 6), (.realEstateRenewSeal, 3), (.equityRenewFreeze, 1),
    ]
}
