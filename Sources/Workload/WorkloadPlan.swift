import Entrustment

/// A whole workload: the matters to send and every act, in the order they happen.
public struct WorkloadPlan: Hashable, Sendable {
    /// The first simulated instant.
    public let start: Timestamp
    /// The simulated instant the workload ends (no act at or after it).
    public let end: Timestamp
    /// The courts taking part (the hub excluded).
    public let courts: [CourtCode]
    /// The matters, by their plan index.
    public let matters: [PlannedMatter]
    /// Every act, ordered by time (acts at one instant keep the order they were planned in).
    public let acts: [PlannedAct]

    /// How many acts of each kind the plan holds.
    public struct Tally: Hashable, Sendable {
        public var sent = 0
        public var signed = 0
        public var completed = 0
        public var returned = 0
        public var withdrawn = 0
        public var renewals = 0
        public var withinProvince = 0
        public var concurrentPairs = 0
        public var outages = 0
    }

    /// The plan's counts.
    public var tally: Tally {
        var tally = Tally()
        for matter in matters {
            tally.sent += 1
            if matter.measureExpires != nil { tally.renewals += 1 }
            if matter.from.provincePrefix == matter.to.provincePrefix { tally.withinProvince += 1 }
        }
        for act in acts {
            switch act.step {
            case .send: break
            case .sign: tally.signed += 1
            case .complete: tally.completed += 1
            case .return: tally.returned += 1
            case .withdraw:
                tally.withdrawn += 1
                if act.concurrent { tally.concurrentPairs += 1 }
            case .goOffline: tally.outages += 1
            case .comeOnline: break
            }
        }
        return tally
    }
}
