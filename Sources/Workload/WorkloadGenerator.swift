import Entrustment

/// Draws a workload from a profile: deterministic for a seed, with no I/O.
public enum WorkloadGenerator {
    /// The workload of `courts` over `days` days from `start`, with working days from `calendar`.
    public static func plan(
        courts: [CourtCode], start: Timestamp, days: Int, calendar: HolidayCalendar,
        profile: WorkloadProfile = WorkloadProfile(), seed: UInt64
    ) -> WorkloadPlan {
        var random = SeededRandom(seed: seed)
        let dayMilliseconds: Int64 = 86_400_000
        let end = start.adding(milliseconds: Int64(max(days, 0)) * dayMilliseconds)
        let ordered = courts.sorted()

        // 1. When each court sends: a Poisson count per working day, at times within working hours.
        var sendings: [(at: Timestamp, from: CourtCode)] = []
        for offset in 0...max(days, 0) {
            let date = start.chinaDate.adding(days: offset)
            if calendar.isRestDay(date) { continue }
            let midnight = Timestamp(startOfChinaDay: date)
            for court in ordered {
                let mean =
                    switch court.level {
                    case .basic: profile.mattersPerBasicCourtPerDay
                    case .intermediate: profile.mattersPerIntermediateCourtPerDay
                    case .high, .supreme: 0.0
                    }
                for _ in 0..<random.poisson(mean: mean) {
                    let hours =
                        profile.workingHours.lowerBound
                        + random.unit() * (profile.workingHours.upperBound - profile.workingHours.lowerBound)
                    let at = midnight.adding(milliseconds: Int64(hours * 3_600_000))
                    if at >= start && at < end { sendings.append((at, court)) }
                }
            }
        }
        sendings.sort { ($0.at, $0.from) < ($1.at, $1.from) }

        // 2. Each matter: its target, kind and fate.
        var matters: [PlannedMatter] = []
        var acts: [PlannedAct] = []
        var caseSequence: [String: Int] = [:]
        var completions: [(matter: PlannedMatter, at: Timestamp)] = []
        for (at, from) in sendings {
            let to = target(for: from, among: ordered, profile: profile, random: &random)
            let year = at.chinaDate.year
            let key = "\(from.rawValue)/\(year)"
            caseSequence[key, default: 0] += 1
            let isRenewal = random.unit() < profile.renewalShare
            let kind = random.pick(isRenewal ? WorkloadProfile.renewalWeights : WorkloadProfile.kindWeights)
            let expires = isRenewal ? at.chinaDate.adding(days: 3 + Int(random.unit() * 5)) : nil
            let matter = PlannedMatter(
                index: matters.count, from: from, to: to,
                caseNumber: "（\(year)）\(from.rawValue)执\(caseSequence[key]!)号", kind: kind, urgent: isRenewal,
                measureExpires: expires, applicant: "申请执行人\(matters.count + 1)",
                debtor: random.pick(debtorNames) + "\(matters.count + 1)")
            matters.append(matter)
            acts.append(PlannedAct(at: at, court: from, step: .send(matter)))

            func later(_ days: Double) -> Timestamp {
                at.adding(milliseconds: max(60_000, Int64(days * Double(dayMilliseconds))))
            }
            let fate = random.unit()
            if fate < profile.withdrawnShare {
                let withdrawAt = later(0.1 + random.unit() * 2)
                let signAt = later(profile.signDays.sample(&random))
                if signAt < withdrawAt {
                    acts.append(PlannedAct(at: signAt, court: to, step: .sign(matter: matter.index)))
                }
                acts.append(PlannedAct(at: withdrawAt, court: from, step: .withdraw(matter: matter.index)))
            } else if fate < profile.withdrawnShare + profile.returnedShare {
                let reason = random.pick(returnReasons)
                acts.append(
                    PlannedAct(
                        at: later(profile.signDays.sample(&random)), court: to,
                        step: .return(matter: matter.index, reason: reason)))
            } else {
                // A renewal must be done before the measure lapses: within hours, not days.
                let days = isRenewal ? 0.05 + random.unit() * 1.2 : profile.completionDays.sample(&random)
                let completeAt = later(days)
                let signAt = min(later(profile.signDays.sample(&random)), later(days / 2))
                let outcome = random.pick([(Outcome.full, 85.0), (.partial, 10), (Outcome.none, 5)])
                acts.append(PlannedAct(at: signAt, court: to, step: .sign(matter: matter.index)))
                acts.append(
                    PlannedAct(at: completeAt, court: to, step: .complete(matter: matter.index, outcome: outcome)))
                if completeAt < end { completions.append((matter, completeAt)) }
            }
        }

        // 3. Conflicts: the entrusting court withdraws at the very instant the other completes.
        var conflictCandidates = completions.filter { $0.at > start.adding(milliseconds: dayMilliseconds) }
        var conflicted: Set<Int> = []
        while conflicted.count < profile.conflicts, !conflictCandidates.isEmpty {
            let chosen = conflictCandidates.remove(at: Int(random.unit() * Double(conflictCandidates.count)))
            conflicted.insert(chosen.matter.index)
            acts.append(
                PlannedAct(at: chosen.at, court: chosen.matter.from, step: .withdraw(matter: chosen.matter.index)))
        }
        acts = acts.map { act in
            guard let index = act.matter, conflicted.contains(index) else { return act }
            switch act.step {
            case .complete, .withdraw: return PlannedAct(at: act.at, court: act.court, step: act.step, concurrent: true)
            default: return act
            }
        }

        // 4. Outages: a few courts lose the network for hours in the middle of the run.
        let outageCourts =
            ordered.filter { $0.level == .basic }.isEmpty ? ordered : ordered.filter { $0.level == .basic }
        var pool = outageCourts
        for _ in 0..<min(profile.offlineCourts, pool.count) {
            let court = pool.remove(at: Int(random.unit() * Double(pool.count)))
            let span = Double(end.milliseconds - start.milliseconds)
            let off = start.adding(milliseconds: Int64(span * (0.2 + random.unit() * 0.6)))
            let hours =
                profile.offlineHours.lowerBound
                + random.unit() * (profile.offlineHours.upperBound - profile.offlineHours.lowerBound)
            let on = min(off.adding(milliseconds: Int64(hours * 3_600_000)), end.adding(milliseconds: -1))
            guard off < on else { continue }
            acts.append(PlannedAct(at: off, court: court, step: .goOffline))
            acts.append(PlannedAct(at: on, court: court, step: .comeOnline))
        }

        let inRun = acts.enumerated().filter { $0.element.at < end }
            .sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }
            .map(\.element)
        return WorkloadPlan(start: start, end: end, courts: ordered, matters: matters, acts: inRun)
    }

    /// The entrusted court: within the province with the profile's share (when the province has
    /// another court doing enforcement work), otherwise a court of another province.
    private static func target(
        for from: CourtCode, among courts: [CourtCode], profile: WorkloadProfile, random: inout SeededRandom
    ) -> CourtCode {
        let workers = courts.filter { $0 != from && ($0.level == .basic || $0.level == .intermediate) }
        let candidates = workers.isEmpty ? courts.filter { $0 != from } : workers
        let same = candidates.filter { $0.provincePrefix == from.provincePrefix }
        let other = candidates.filter { $0.provincePrefix != from.provincePrefix }
        let pool =
            if same.isEmpty { other } else if other.isEmpty { same } else {
                random.unit() < profile.withinProvinceShare ? same : other
            }
        return pool[Int(random.unit() * Double(pool.count))]
    }

    private static let returnReasons: [(ReturnReason, Double)] = [
        (.documentsIncomplete, 40), (.assetNotFound, 25), (.notInJurisdiction, 20), (.duplicate, 5), (.other, 10),
    ]

    private static let debtorNames: [(String, Double)] = [
        ("某贸易有限公司", 3), ("某建设工程有限公司", 2), ("某科技有限公司", 2), ("张某", 1), ("李某", 1), ("王某", 1),
    ]
}
