import Entrustment

/// One thing that happens in the workload at a simulated instant.
public struct PlannedAct: Hashable, Sendable {
    /// What happens.
    public enum Step: Hashable, Sendable {
        /// 委托: the matter is sent.
        case send(PlannedMatter)
        /// 签收.
        case sign(matter: Int)
        /// 办结反馈 with an outcome.
        case complete(matter: Int, outcome: Outcome)
        /// 退回 with a reason.
        case `return`(matter: Int, reason: ReturnReason)
        /// 撤回 by the entrusting court.
        case withdraw(matter: Int)
        /// The court's node loses its network (its clerks keep working on the replica).
        case goOffline
        /// The court's node is back and catches up.
        case comeOnline
    }

    /// When, in simulated time.
    public let at: Timestamp
    /// The court that acts (whose node goes off or on line).
    public let court: CourtCode
    /// What happens.
    public let step: Step
    /// Whether this act is one half of a planned conflict: the other court acts at the same
    /// instant, before either hears of the other.
    public let concurrent: Bool

    public init(at: Timestamp, court: CourtCode, step: Step, concurrent: Bool = false) {
        self.at = at
        self.court = court
        self.step = step
        self.concurrent = concurrent
    }

    /// The plan index of the matter acted on, if the step is an act on a matter.
    public var matter: Int? {
        switch step {
        case .send(let matter): matter.index
        case .sign(let index), .complete(let index, _), .return(let index, _), .withdraw(let index): index
        case .goOffline, .comeOnline: nil
        }
    }
}
