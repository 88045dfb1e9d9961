import Entrustment
import Foundation
import Node
import Testing
import TestSupport
import Workload

@Suite struct WorkloadGeneratorTests {
    static let reference = try! ReferenceData(folder: Fixtures.nodesFolder)
    static let start = try! Timestamp(rfc3339: "2026-09-01T00:00:00+08:00")

    static func plan(courts: Int = 11, days: Int = 60, seed: UInt64 = 7) throws -> WorkloadPlan {
        let chosen = try NetworkShape.courts(count: courts, from: reference.directory)
        return WorkloadGenerator.plan(
            courts: chosen, start: start, days: days, calendar: reference.calendar, seed: seed)
    }

    @Test func sameSeedSamePlanOtherSeedOtherPlan() throws {
        #expect(try Self.plan(seed: 1) == Self.plan(seed: 1))
        #expect(try Self.plan(seed: 1) != Self.plan(seed: 2))
    }

    /// The shape the issue asks for, over a large sample: volumes, within-province share,
    /// returns, withdrawals, log-normal completion times with a tail, renewals, outages, conflicts.
    @Test func matchesTheProfile() throws {
        let plan = try Self.plan(courts: 40, days: 120)
        let tally = plan.tally
        let basics = plan.courts.filter { $0.level == .basic }.count
        let workingDays = (0..<120).filter { !Self.reference.calendar.isRestDay(Self.start.chinaDate.adding(days: $0)) }
            .count
        let perBasicDay = Double(plan.matters.filter { $0.from.level == .basic }.count) / Double(basics * workingDays)
        #expect(perBasicDay > 4.5 && perBasicDay < 5.5, "matters per basic court per working day: \(perBasicDay)")
        let within = Double(tally.withinProvince) / Double(tally.sent)
        #expect(within > 0.6 && within < 0.7, "within province: \(within)")
        let returned = Double(tally.returned) / Double(tally.sent)
        #expect(returned >= 0.05 && returned <= 0.09, "returned: \(returned)")
        let withdrawn = Double(tally.withdrawn - tally.concurrentPairs) / Double(tally.sent)
        #expect(withdrawn > 0.004 && withdrawn < 0.02, "withdrawn: \(withdrawn)")
        #expect(tally.renewals > 0 && tally.outages == 2 && tally.concurrentPairs == 3)

        // Completion days of ordinary matters: median about 1.5, P90 about 10, some past 30.
        var sentAt: [Int: Timestamp] = [:]
        var days: [Double] = []
        for act in plan.acts {
            switch act.step {
            case .send(let matter): sentAt[matter.index] = act.at
            case .complete(let index, _) where plan.matters[index].measureExpires == nil:
                days.append(Double(act.at.milliseconds - sentAt[index]!.milliseconds) / 86_400_000)
            default: break
            }
        }
        days.sort()
        let median = days[days.count / 2]
        let p90 = days[Int(Double(days.count) * 0.9)]
        #expect(median > 1.2 && median < 1.8, "median: \(median)")
        #expect(p90 > 7 && p90 < 13, "p90: \(p90)")
        #expect(days.contains { $0 > 30 }, "a tail past a 30-day deadline")
    }

    @Test func actsAreOrderedAndCausal() throws {
        let plan = try Self.plan()
        var sent: Set<Int> = []
        var previous = plan.start
        for act in plan.acts {
            #expect(act.at >= previous && act.at < plan.end)
            previous = act.at
            if case .send(let matter) = act.step {
                sent.insert(matter.index)
                #expect(matter.from != matter.to)
                #expect(act.court == matter.from)
            } else if let index = act.matter {
                #expect(sent.contains(index), "an act before its matter was sent")
                let matter = plan.matters[index]
                if case .withdraw = act.step {
                    #expect(act.court == matter.from)
                } else {
                    #expect(act.court == matter.to)
                }
            }
        }
        // Renewals are urgent and finish before the measure expires.
        for matter in plan.matters where matter.measureExpires != nil {
            #expect(matter.urgent)
            #expect(matter.kind.id.contains("renew"))
        }
    }

    @Test func networkShapes() throws {
        let eleven = try NetworkShape.courts(count: 11, from: Self.reference.directory)
        #expect(eleven.count == 11 && Set(eleven).count == 11)
        #expect(eleven.contains { $0.level == .high } && eleven.contains { $0.level == .intermediate })
        #expect(eleven.filter { $0.level == .basic }.count >= 5)
        let fifty = try NetworkShape.courts(count: 50, from: Self.reference.directory)
        #expect(Set(fifty).count == 50)
        #expect(throws: DomainError.self) { _ = try NetworkShape.courts(count: 1, from: Self.reference.directory) }
        #expect(throws: DomainError.self) { _ = try NetworkShape.courts(count: 500, from: Self.reference.directory) }
    }
}
