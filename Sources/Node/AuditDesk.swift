import Entrustment
import Replica

/// What `courtsync audit verify` found wrong with one matter: its first broken event.
public struct AuditFinding: Sendable, Encodable, Equatable {
    /// The matter.
    public var matter: String
    /// The first event that does not hold (its stored id), or `nil` when the events hold but the
    /// materialised `matters` row does not match their fold.
    public var event: String?
    /// The arrival sequence of that event.
    public var sequence: Int64?
    /// What is wrong, one line.
    public var problem: String
}

/// The result of an audit.
public struct AuditReport: Sendable, Encodable {
    public var matters: Int
    public var events: Int
    /// Documents re-hashed.
    public var documents: Int = 0
    public var findings: [AuditFinding]
    public var ok: Bool { findings.isEmpty }
}

/// 全程留痕 checked: every stored event's hash, signature, parents, causality and authorisation,
/// re-done from the bytes in `replica.sqlite`; every hub witness's signature against the pinned
/// hub key; every stored document re-hashed; and each materialised matter (its state and the times that count) against them.
extension CourtNode {
    /// Re-checks every stored event and witness and names the first broken one of each matter.
    public func auditVerify() throws(NodeError) -> AuditReport {
        let matters = try read { () throws(ReplicaError) in try replica.loggedMatterIDs() }
        let keys = try read { () throws(ReplicaError) in try replica.eventKeys() }
        let calendars = try read { () throws(ReplicaError) in try replica.calendars() }
        let hubKey = try hubKey().flatMap { try? VerifyingKey(hex: $0, suite: replica.suite) }
        let directory = replica.directory
        var report = AuditReport(matters: matters.count, events: 0, findings: [])
        for matter in matters {
            let records = try read { () throws(ReplicaError) in try replica.eventRecords(ofMatter: matter) }
            report.events += records.count
            var held: [Event] = []
            var broken: AuditFinding?
            for record in records {
                func finding(_ problem: String) -> AuditFinding {
                    AuditFinding(matter: matter, event: record.id, sequence: record.sequence, problem: problem)
                }
                let event: Event
                do {
                    event = try Event(decoding: record.encoded, suite: replica.suite).withSignature(record.signature)
                } catch {
                    broken = finding("the stored encoding or signature is unreadable: \(error.message)")
                    break
                }
                guard event.id.hex == record.id else {
                    broken = finding(
                        "the stored bytes hash to \(event.id.hex.prefix(12)), not to the row's id: altered")
                    break
                }
                guard event.matterID.rawValue == matter else {
                    broken = finding("the event belongs to \(event.matterID), not to the row's matter")
                    break
                }
                do {
                    try keys.verify(event)
                } catch {
                    broken = finding("signature: \(error.message)")
                    break
                }
                let known = Set(held.map(\.id))
                if let missing = event.parents.first(where: { !known.contains($0) }) {
                    broken = finding("parent \(missing.hex.prefix(12)) is not stored before it")
                    break
                }
                do {
                    try Admission.check(event, history: held, directory: directory, calendars: calendars)
                } catch {
                    broken = finding("authorisation: \(error.message)")
                    break
                }
                held.append(event)
            }
            var witnesses: [Witness] = []
            if broken == nil, let id = try? MatterID(matter) {
                witnesses = try read { () throws(ReplicaError) in try replica.witnesses(ofMatter: id) }
                for witness in witnesses {
                    do throws(DomainError) {
                        guard let hubKey else {
                            throw DomainError(.badSignature, "no hub key is pinned to check it with")
                        }
                        try witness.verify(hubKey: hubKey)
                    } catch {
                        broken = AuditFinding(
                            matter: matter, event: witness.event.hex, sequence: nil,
                            problem: "hub witness (\(witness.kind.chineseName)): \(error.message)")
                        break
                    }
                }
            }
            if broken == nil, let (folded, acts) = MatterFold.foldWithActs(held, directory: directory) {
                let stored = (try? read { () throws(ReplicaError) in try replica.matter(folded.id) }).flatMap { $0 }
                let timing = try? read { () throws(ReplicaError) in try replica.matterTiming(folded.id) }
                // The whole folded matter as stored, and the times that count (from the
                // witnesses and the calendar).
                let lapsed = folded.lapsing(at: time.now())
                let asStored = stored == lapsed ? lapsed : folded
                if (stored != folded && stored != lapsed)
                    || timing.flatMap({ $0 })
                        != MatterTiming(
                            asStored,
                            counted: HonestTime.count(
                                asStored, acts: acts, events: held, witnesses: witnesses, calendars: calendars))
                {
                    broken = AuditFinding(
                        matter: matter, event: nil, sequence: nil,
                        problem: "the materialised matters row differs from the fold of its events (edited by hand?)")
                }
            }
            if let broken { report.findings.append(broken) }
        }
        let documents = try auditDocuments()
        report.documents = documents.checked
        report.findings += documents.findings
        return report
    }
}
