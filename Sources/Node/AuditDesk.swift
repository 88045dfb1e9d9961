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
    public var findings: [AuditFinding]
    public var ok: Bool { findings.isEmpty }
}

/// 全程留痕 checked: every stored event's hash, signature, parents and authorisation, re-done
/// from the bytes in `replica.sqlite`, and each materialised matter against its events.
extension CourtNode {
    /// Re-checks every stored event and names the first broken event of each matter.
    public func auditVerify() throws(NodeError) -> AuditReport {
        let matters = try read { () throws(ReplicaError) in try replica.loggedMatterIDs() }
        let keys = try read { () throws(ReplicaError) in try replica.eventKeys() }
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
                    event = try Event(decoding: record.encoded).withSignature(record.signature)
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
                    try Admission.check(event, history: held, directory: directory)
                } catch {
                    broken = finding("authorisation: \(error.message)")
                    break
                }
                held.append(event)
            }
            if broken == nil, let folded = MatterFold.fold(held, directory: directory) {
                let stored = (try? read { () throws(ReplicaError) in try replica.matter(folded.id) }).flatMap { $0 }
                // The digest covers the state and acts; the timing adds the arrival time the
                // indicators start their clock from.
                if stored.map(MatterDigest.of) != MatterDigest.of(folded)
                    || stored.map(MatterTiming.init) != MatterTiming(folded)
                {
                    broken = AuditFinding(
                        matter: matter, event: nil, sequence: nil,
                        problem: "the materialised matters row differs from the fold of its events (edited by hand?)")
                }
            }
            if let broken { report.findings.append(broken) }
        }
        return report
    }
}
