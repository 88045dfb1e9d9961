import Entrustment
import Foundation
import Replica
import SyncProtocol
import Testing
import TestSupport

/// Witnesses at the replica: the hub's replica witnesses every event it stores; every replica
/// stores the witnesses it receives (refusing any the hub did not sign) and counts its matters'
/// times by them; the refused and legacy vectors of `Protocol/vectors/` get what they say.
@Suite("witnesses and the vectors' refusals at the replica")
struct WitnessStorageTests {
    static let now = Fixtures.time("2026-12-05T09:00:00+08:00")

    func receive(
        _ r: TemporaryReplica, _ set: ChangeSet, at now: Timestamp = now
    ) throws -> ReplicaTransaction.AppendReport {
        try r.replica.write { tx in
            try tx.receive(
                set.events, witnesses: set.witnesses, from: set.senderNode, source: "test", now: now,
                visibleTo: r.replica.identity.court, maxClockAhead: ReplicaTransaction.maxClockAhead)
        }
    }

    @Test("the hub's replica witnesses each event it stores, once, signed with the hub's key")
    func hubWitnesses() throws {
        let hub = try TemporaryReplica(court: "最高法")
        defer { hub.remove() }
        let key = TestKeys.key(for: Fixtures.node("最高法.node"))
        hub.replica.witness { $0.signed(with: key) }
        let create = Fixtures.create()
        let sign = Fixtures.act(.sign(note: ""), by: "粤0106", after: [create], at: 1_795_000_100_000)
        try hub.receive([create, sign])
        try hub.receive([create, sign])
        let witnesses = try hub.replica.witnesses(ofMatter: create.matterID)
        #expect(witnesses.map(\.event) == [create.id, sign.id] && witnesses.allSatisfy { $0.kind == .stored })
        for witness in witnesses { try witness.verify(hubKey: key.publicKey) }
        #expect(witnesses.allSatisfy { $0.at == Fixtures.time("2026-11-24T09:00:00+08:00") })
        #expect(witnesses.allSatisfy { $0.graceMilliseconds == 86_400_000 })
        // Events and witnesses share the arrival sequence a pull cursor runs on.
        #expect(try hub.replica.headSequence() == 4)
        let delivered = try hub.replica.write { tx in
            try tx.witnessDelivery(of: create.matterID, to: Fixtures.code("粤0106"), now: Self.now)
        }
        let again = try hub.replica.write { tx in
            try tx.witnessDelivery(of: create.matterID, to: Fixtures.code("粤0106"), now: Self.now)
        }
        #expect(delivered && !again)
        #expect(try hub.replica.witnessCount() == 3)
    }

    @Test("a court stores the hub's witnesses and counts by them; a witness the hub did not sign is refused")
    func courtStoresWitnesses() throws {
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let vector = try #require(ProtocolVectors.valid.first { $0.name == "06-late-report" })
        let earlier = try #require(ProtocolVectors.valid.first { $0.name == "05-witnesses" })
        let first = try receive(court, earlier.changeSet)
        #expect(first.stored == 2 && first.witnessesStored == 3 && first.refused.isEmpty)
        let report = try receive(court, vector.changeSet)
        #expect(report.stored == 2 && report.witnessesStored == 2)
        let matter = vector.changeSet.events[0].matterID
        let late = try court.replica.lateReports(matter: matter)
        #expect(late.count == 1 && late[0].kind == .complete && late[0].acceptance != nil)
        #expect(late[0].delayMilliseconds == 42 * 3_600_000)
        let timing = try #require(try court.replica.matterTiming(matter))
        #expect(timing.completedAt == vector.changeSet.events[0].recordedAt)
    }

    @Test(
        "each refused vector is refused with its code and changes nothing else",
        arguments: ProtocolVectors.refused.map(\.name))
    func refusedVectors(name: String) throws {
        let vector = try #require(ProtocolVectors.refused.first { $0.name == name })
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let bytes = [UInt8](
            try Data(contentsOf: Fixtures.vectorsFolder.appendingPathComponent("refused/\(name).csync")))
        #expect(bytes == (try ChangeSetCodec.encode(vector.changeSet)))
        let report = try receive(court, try ChangeSetCodec.decode(bytes))
        let last = vector.changeSet.witnesses.last?.event ?? vector.changeSet.events.last!.id
        if vector.quarantined {
            #expect(report.quarantined.map(\.code) == [vector.code] && report.quarantined.last?.event == last)
        } else {
            #expect(report.refused.last?.code == vector.code && report.refused.last?.event == last, "\(report)")
            #expect(report.quarantined.isEmpty)
        }
        let refusesAnEvent = vector.changeSet.witnesses.isEmpty
        // A refused witness is told apart from a refused event by its kind.
        #expect(report.refused.last?.witness == vector.changeSet.witnesses.last?.kind)
        #expect(try court.replica.eventCount() == vector.changeSet.events.count - (refusesAnEvent ? 1 : 0))
        #expect(try court.replica.witnessCount() == 0)
    }

    @Test("the legacy vector (format 2, a create naming no calendar version) is read and admitted")
    func legacy() throws {
        let court = try TemporaryReplica(court: "粤0106")
        defer { court.remove() }
        let legacy = ProtocolVectors.legacy
        let bytes = [UInt8](
            try Data(contentsOf: Fixtures.vectorsFolder.appendingPathComponent("legacy/02-one-create-v2.csync")))
        #expect(bytes == legacy.bytes)
        let decoded = try ChangeSetCodec.decode(bytes)
        #expect(decoded == legacy.set)
        let report = try receive(court, decoded)
        #expect(report.stored == 1 && report.refused.isEmpty)
    }
}
