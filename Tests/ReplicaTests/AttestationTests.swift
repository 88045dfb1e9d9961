import Entrustment
import Foundation
import Replica
import SyncProtocol
import TestSupport
import Testing

/// Storing a pull answer on the strength of the hub's batch attestation (`Protocol/sync.md`
/// §4.3.1): one signature checked, the origin signatures kept and re-checked later; an
/// attestation that does not cover its answer stores nothing; a lie is found by the re-check.
@Suite("Attested batches")
struct AttestationTests {
    static let now = Fixtures.time("2026-11-24T09:00:00+08:00")
    static let hub = Fixtures.node("最高法.node")

    /// Vector 05: a pull answer of the hub to 粤0106 (two events, three witnesses).
    static var answer: ChangeSet { ProtocolVectors.valid.first { $0.name == "05-witnesses" }!.changeSet }

    /// Vector 05 with one bit of its second event's signature flipped: a forgery.
    static var forgedAnswer: ChangeSet {
        get throws {
            var set = answer
            var signature = set.events[1].signature!
            signature[10] ^= 0x40
            set.events[1] = try set.events[1].withSignature(signature)
            return set
        }
    }

    static func attestation(
        of set: ChangeSet, for requester: NodeID, after: Int64 = 0, signedBy signer: NodeID = hub
    ) throws -> BatchAttestation {
        try BatchAttestation(
            hub: set.senderNode, requester: requester, after: after, through: Int64(set.throughSequence),
            events: set.events, witnesses: set.witnesses, suite: .ed25519
        ).signed(with: TestKeys.key(for: signer))
    }

    func receive(
        _ r: TemporaryReplica, _ set: ChangeSet, attestation: BatchAttestation?, after: Int64 = 0
    ) throws -> ReplicaTransaction.AppendReport {
        try r.replica.write { tx in
            try tx.receive(
                set.events, witnesses: set.witnesses, from: set.senderNode, source: "最高法", now: Self.now,
                visibleTo: r.replica.identity.court, maxClockAhead: ReplicaTransaction.maxClockAhead,
                attested: attestation.map {
                    AttestedPull(
                        attestation: $0, requester: r.replica.identity.node, after: after,
                        through: Int64(set.throughSequence))
                })
        }
    }

    @Test("an attested answer is stored like a verified one; its origin signatures wait for the re-check, which passes")
    func attestedStore() throws {
        let attested = try TemporaryReplica(court: "粤0106")
        let verified = try TemporaryReplica(court: "粤0106")
        defer {
            attested.remove()
            verified.remove()
        }
        let set = Self.answer
        let report = try receive(
            attested, set, attestation: try Self.attestation(of: set, for: attested.replica.identity.node))
        let plain = try receive(verified, set, attestation: nil)
        #expect(report.stored == set.events.count && report.witnessesStored == set.witnesses.count)
        #expect(report.stored == plain.stored && report.witnessesStored == plain.witnessesStored)
        #expect(try attested.replica.digest().digest == (try verified.replica.digest().digest))
        #expect(
            try attested.replica.originCheckStatus()
                == OriginCheckStatus(pending: set.events.count, failed: 0, attestations: 1))
        let (passed, failed) = try attested.replica.recheckOrigins(limit: 1_000, now: Self.now)
        #expect(passed == set.events.count && failed.isEmpty)
        #expect(try attested.replica.originCheckStatus().pending == 0)
        #expect(try !attested.replica.attestationsDistrusted())
    }

    /// Ways an attestation can fail to cover the answer it came with.
    enum Mismatch: String, CaseIterable {
        case otherRequester, otherCursor, otherThrough, witnessDropped, eventSignatureAltered, otherSigner, otherHub
    }

    @Test(
        "an attestation that is not the hub's or does not cover its answer stores nothing", arguments: Mismatch.allCases
    )
    func mismatch(_ mismatch: Mismatch) throws {
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let me = court.replica.identity.node
        var set = Self.answer
        var attestation = try Self.attestation(of: set, for: me)
        var after: Int64 = 0
        switch mismatch {
        case .otherRequester:
            attestation = try Self.attestation(of: set, for: Fixtures.node("粤0106.a"))
        case .otherCursor:
            after = 3
        case .otherThrough:
            set.throughSequence += 1
        case .witnessDropped:
            set.witnesses.removeLast()
        case .eventSignatureAltered:
            var signature = set.events[1].signature!
            signature[0] ^= 1
            set.events[1] = try set.events[1].withSignature(signature)
        case .otherSigner:
            attestation = try Self.attestation(of: set, for: me, signedBy: Fixtures.node("京0105.node"))
        case .otherHub:
            attestation = try BatchAttestation(
                hub: Fixtures.node("最高法.a"), requester: me, after: 0, through: Int64(set.throughSequence),
                events: set.events, witnesses: set.witnesses, suite: .ed25519
            ).signed(with: TestKeys.key(for: Self.hub))
        }
        let error = #expect(throws: ReplicaError.self) {
            try receive(court, set, attestation: attestation, after: after)
        }
        #expect(error?.code == .badAttestation)
        #expect(try court.replica.eventCount() == 0 && court.replica.witnessCount() == 0)
        #expect(try court.replica.originCheckStatus() == OriginCheckStatus(pending: 0, failed: 0, attestations: 0))
    }

    @Test("a hub that attests a forged event: stored, then caught by the re-check, and attestations are distrusted")
    func lyingHub() throws {
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let set = try Self.forgedAnswer
        let report = try receive(
            court, set, attestation: try Self.attestation(of: set, for: court.replica.identity.node))
        #expect(report.stored == set.events.count)
        let (passed, failed) = try court.replica.recheckOrigins(limit: 1_000, now: Self.now)
        #expect(passed == 1 && failed == [set.events[1].id.hex])
        #expect(try court.replica.attestationsDistrusted())
        let failures = try court.replica.failedOriginChecks()
        #expect(failures.count == 1 && failures[0].event == set.events[1].id.hex)
        #expect(failures[0].reason.contains("does not verify"))
        // The failure stays on record: a second pass finds nothing more to check.
        let again = try court.replica.recheckOrigins(limit: 1_000, now: Self.now)
        #expect(again.passed == 0 && again.failed.isEmpty)
        #expect(try court.replica.originCheckStatus() == OriginCheckStatus(pending: 0, failed: 1, attestations: 1))
    }

    @Test("the same answer without an attestation verifies every signature: the forged event is refused")
    func unattestedRefusesForgery() throws {
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let set = try Self.forgedAnswer
        let report = try receive(court, set, attestation: nil)
        #expect(report.stored == 1 && report.refused.first?.code == "badSignature")
    }
}
