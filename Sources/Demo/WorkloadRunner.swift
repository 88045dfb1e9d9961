import Entrustment
import Foundation
import Node
import Workload

/// Carries out a ``WorkloadPlan`` on real nodes: each act is written into the acting court's
/// replica (as its clerk's `courtsync matter …` would) when the simulated clock reaches it, and
/// the daemons carry it across the network. Outages stop and restart a court's daemon.
///
/// An act on a matter that has not reached the acting court yet (its node was offline, or the
/// sending is still on its way), or that the court's replica could not store (its disk is full),
/// waits and is tried again, as a clerk would; an act the matter's state no longer allows (the
/// other side acted first) is skipped and counted.
public final class WorkloadRunner: Sendable {
    /// Where the run stands, reported about once per simulated day.
    public struct Progress: Sendable {
        /// The simulated time.
        public var now: Timestamp
        /// Acts carried out so far, by step.
        public var sent = 0, signed = 0, completed = 0, returned = 0, withdrawn = 0
        /// Acts waiting for their matter to arrive.
        public var waiting = 0
        /// Acts skipped because the matter's state no longer allowed them.
        public var skipped = 0
        /// Courts whose node is offline.
        public var offline: [CourtCode] = []
    }

    /// What the run did.
    public struct Summary: Sendable {
        /// The final progress.
        public var progress: Progress
        /// The real seconds the run took.
        public var seconds: Double
        /// Why acts were skipped, one line each.
        public var skips: [String]
        /// The matter id each planned matter got.
        public var matterIDs: [Int: String]
    }

    private let plan: WorkloadPlan
    private let nodes: [CourtCode: CourtNode]
    private let clock: AcceleratedClock
    private let setOnline: @Sendable (CourtCode, Bool) throws(NodeError) -> Void

    /// Opens the courts' nodes in `dataDirectories` on the simulated `clock` (or the court's own
    /// in `timeSources`). `setOnline` starts or stops a court's daemon.
    public init(
        plan: WorkloadPlan, dataDirectories: [CourtCode: URL], clock: AcceleratedClock,
        timeSources: [CourtCode: any TimeSource] = [:],
        setOnline: @escaping @Sendable (CourtCode, Bool) throws(NodeError) -> Void
    ) throws(NodeError) {
        self.plan = plan
        self.clock = clock
        self.setOnline = setOnline
        var nodes: [CourtCode: CourtNode] = [:]
        for court in plan.courts {
            guard let directory = dataDirectories[court] else {
                throw NodeError(code: "invalidArgument", "no data directory for \(court)")
            }
            do {
                nodes[court] = try CourtNode(
                    dataDirectory: directory, time: timeSources[court] ?? AcceleratedTimeSource(clock))
            } catch {
                for node in nodes.values { try? node.close() }
                throw error
            }
        }
        self.nodes = nodes
    }

    deinit { for node in nodes.values { try? node.close() } }

    private enum Result {
        case done
        case notYet
        case skipped(String)
    }

    /// Runs the plan to its end, calling `report` about once per simulated day and at the end.
    public func run(report: (Progress) -> Void) async throws(NodeError) -> Summary {
        let started = Date()
        let wall = SystemTimeSource()
        var progress = Progress(now: clock.instant(atReal: wall.now()))
        var ids: [Int: String] = [:]
        var waiting: [PlannedAct] = []
        var skips: [String] = []
        var nextReport = plan.start.adding(milliseconds: 86_400_000)

        func attempt(_ act: PlannedAct) throws(NodeError) -> Result {
            let node = nodes[act.court]!
            func on(_ index: Int, _ action: EventAction) throws(NodeError) -> Result {
                guard let id = ids[index] else { return .notYet }
                do {
                    _ = try node.act(on: id, action)
                    return .done
                } catch  where error.code == "unknownMatter" {
                    return .notYet
                } catch  where ["illegalTransition", "forbiddenRole"].contains(error.code) {
                    return .skipped("\(act.court) \(id): \(error.message)")
                } catch  where error.code == "storage" {
                    return .notYet
                }
            }
            switch act.step {
            case .send(let matter):
                let created: Matter
                do {
                    created = try node.createMatter(
                        MatterDraft(
                            caseNumber: matter.caseNumber, entrustedCourt: matter.to.rawValue, kind: matter.kind.id,
                            urgent: matter.urgent, applicant: matter.applicant, debtor: matter.debtor,
                            measureExpires: matter.measureExpires?.description))
                } catch  where error.code == "storage" {
                    return .notYet
                }
                ids[matter.index] = created.id.rawValue
                progress.sent += 1
                return .done
            case .sign(let index):
                let result = try on(index, .sign(note: "已签收"))
                if case .done = result { progress.signed += 1 }
                return result
            case .complete(let index, let outcome):
                let result = try on(index, .complete(outcome: outcome, feedback: "已办结：\(outcome.chineseName)"))
                if case .done = result { progress.completed += 1 }
                return result
            case .return(let index, let reason):
                let result = try on(index, .return(reason: reason, feedback: "退回：\(reason.chineseName)"))
                if case .done = result { progress.returned += 1 }
                return result
            case .withdraw(let index):
                let result = try on(index, .withdraw(note: "申请执行人撤回申请"))
                if case .done = result { progress.withdrawn += 1 }
                return result
            case .goOffline:
                try setOnline(act.court, false)
                progress.offline.append(act.court)
                return .done
            case .comeOnline:
                try setOnline(act.court, true)
                progress.offline.removeAll { $0 == act.court }
                return .done
            }
        }

        /// Tries the waiting acts again, in their order; a later act on a matter waits for the
        /// earlier ones.
        func retryWaiting() throws(NodeError) {
            var blocked: Set<Int> = []
            var still: [PlannedAct] = []
            for act in waiting {
                if let matter = act.matter, blocked.contains(matter) {
                    still.append(act)
                    continue
                }
                switch try attempt(act) {
                case .done: break
                case .notYet:
                    still.append(act)
                    if let matter = act.matter { blocked.insert(matter) }
                case .skipped(let why):
                    progress.skipped += 1
                    skips.append(why)
                }
            }
            waiting = still
        }

        for act in plan.acts {
            // Wait for the simulated clock, trying the waiting acts meanwhile.
            while clock.instant(atReal: wall.now()) < act.at {
                if !waiting.isEmpty { try retryWaiting() }
                let due = clock.realInstant(reading: act.at).milliseconds - wall.now().milliseconds
                if due > 0 { try? await Task.sleep(for: .milliseconds(min(due, 50))) }
            }
            progress.now = clock.instant(atReal: wall.now())
            if progress.now >= nextReport {
                progress.waiting = waiting.count
                report(progress)
                while nextReport <= progress.now { nextReport = nextReport.adding(milliseconds: 86_400_000) }
            }
            if let matter = act.matter, waiting.contains(where: { $0.matter == matter }) {
                waiting.append(act)
                continue
            }
            switch try attempt(act) {
            case .done: break
            case .notYet: waiting.append(act)
            case .skipped(let why):
                progress.skipped += 1
                skips.append(why)
            }
        }
        // The plan is done: give waiting acts a little real time for their matters to arrive.
        let deadline = Date().addingTimeInterval(30)
        while !waiting.isEmpty && Date() < deadline {
            try retryWaiting()
            if !waiting.isEmpty { try? await Task.sleep(for: .milliseconds(50)) }
        }
        for act in waiting {
            progress.skipped += 1
            skips.append("\(act.court): matter \(act.matter.flatMap { ids[$0] } ?? "?") never arrived")
        }
        progress.waiting = 0
        progress.now = clock.instant(atReal: wall.now())
        report(progress)
        return Summary(
            progress: progress, seconds: Date().timeIntervalSince(started), skips: skips, matterIDs: ids)
    }
}
