import Entrustment
import Foundation
import Node
import Replica
import SyncProtocol

/// Signed events for the benchmarks, made directly (not through a replica, which would be the
/// slow part): matters sent from one court to another, each signed (签收) and completed (办结)
/// by the entrusted court — three events per matter, as a day's work produces them.
public struct BenchEvents: Sendable {
    /// The events in causal order: every matter's create, then its sign, then its complete.
    public let events: [Event]
    /// The matters.
    public let matters: Int

    /// `matters` matters from `from` to `to` (both open nodes whose keys sign), the first sent at
    /// `start`, one every `spacing` milliseconds; deadlines from the hub's calendar `from` holds.
    public static func make(
        matters: Int, from: CourtNode, to: CourtNode, start: Timestamp, spacing: Int64 = 20_000
    ) throws(NodeError) -> BenchEvents {
        guard let calendars = try from.read({ () throws(ReplicaError) in try from.replica.calendars() }) else {
            throw NodeError(code: "unknownCalendar", "\(from.identity.court) holds no calendar from the hub")
        }
        let sender = from.identity
        let receiver = to.identity
        var events: [Event] = []
        events.reserveCapacity(matters * 3)
        do {
            for index in 0..<matters {
                let sentAt = start.adding(milliseconds: Int64(index) * spacing)
                let date = sentAt.chinaDate
                let deadlines = try calendars.deadlines(
                    for: .depositFreeze, urgent: false, sentOn: date, version: calendars.version)
                let matter = MatterID(court: sender.court, year: date.year, sequence: index + 1)
                let request = MatterRequest(
                    caseNumber: CaseNumber(
                        year: date.year, court: sender.court, type: .enforcement, sequence: index + 1),
                    entrustedCourt: receiver.court, kind: .depositFreeze, applicant: "某银行股份有限公司",
                    debtor: "某贸易有限公司\(index + 1)", note: "冻结被执行人名下银行存款，以 100 万元为限",
                    signDue: deadlines.signDue, due: deadlines.due, calendarVersion: calendars.version)
                let create = from.signed(
                    try Event(
                        suite: from.suite, matterID: matter, author: sender.court, origin: sender.node,
                        timestamp: HybridTimestamp(wall: sentAt.milliseconds, counter: 0), parents: [],
                        action: .create(request)))
                let sign = to.signed(
                    try Event(
                        suite: from.suite, matterID: matter, author: receiver.court, origin: receiver.node,
                        timestamp: HybridTimestamp(wall: sentAt.milliseconds + 3_600_000, counter: 0),
                        parents: [create.id],
                        action: .sign(note: "已签收", receivedAt: sentAt.adding(milliseconds: 60_000))))
                let complete = to.signed(
                    try Event(
                        suite: from.suite, matterID: matter, author: receiver.court, origin: receiver.node,
                        timestamp: HybridTimestamp(wall: sentAt.milliseconds + 86_400_000, counter: 0),
                        parents: [sign.id],
                        action: .complete(outcome: .full, feedback: "已冻结账户 1 个，冻结金额 100 万元")))
                events += [create, sign, complete]
            }
        } catch {
            throw NodeError(code: error.code.rawValue, error.message)
        }
        return BenchEvents(events: events, matters: matters)
    }

    /// `matters` matters from `from` to `to` spread over the 40 days before the last two.
    public static func recent(matters: Int, from: CourtNode, to: CourtNode) throws(NodeError) -> BenchEvents {
        let span: Int64 = 40 * 86_400_000
        return try make(
            matters: matters, from: from, to: to,
            start: SystemTimeSource().now().adding(milliseconds: -span - 2 * 86_400_000),
            spacing: max(1, span / Int64(matters + 1)))
    }

    /// The creates' signature ceiling (at most 20,000 of them, all by `from`'s key).
    public func ceiling(of from: CourtNode) throws -> SignatureCeiling {
        let creates = events.filter { $0.author == from.identity.court }.prefix(20_000)
        return SignatureCeiling.measure(Array(creates), key: try VerifyingKey(hex: from.publicKey, suite: from.suite))
    }

    /// The events as compressed change sets of at most `size` events, sent by `sender`.
    public func changeSets(of size: Int, sender: CourtNode) throws(NodeError) -> [[UInt8]] {
        var sets: [[UInt8]] = []
        var sequence: UInt64 = 0
        for chunkStart in stride(from: 0, to: events.count, by: size) {
            let chunk = Array(events[chunkStart..<min(chunkStart + size, events.count)])
            sequence += UInt64(chunk.count)
            do {
                sets.append(
                    try ChangeSetCodec.encode(
                        ChangeSet(
                            suite: sender.suite, senderCourt: sender.identity.court, senderNode: sender.identity.node,
                            createdAt: sender.time.now(), throughSequence: sequence, events: chunk)))
            } catch {
                throw NodeError(code: error.code.rawValue, error.message)
            }
        }
        return sets
    }
}
