/// Which events a matter's times come from, as the fold settled them: what ``HonestTime`` needs
/// beside the ``Matter`` to judge each act by the hub's witness of it.
public struct MatterActs: Hashable, Sendable {
    /// The event of each act that stands (签收, 开始办理, 办结反馈, 退回, 撤回, 归档), and the `create`.
    public var standing: [EventKind: EventID] = [:]
    /// The late reports hub staff accepted (采纳迟报), by the accepted event.
    public var acceptedLate: [EventID: LateAcceptance] = [:]

    public init(standing: [EventKind: EventID] = [:], acceptedLate: [EventID: LateAcceptance] = [:]) {
        self.standing = standing
        self.acceptedLate = acceptedLate
    }
}
