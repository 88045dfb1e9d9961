import Crypto

/// A SHA-256 digest of folded matter state, for comparing replicas in one line.
///
/// A matter's digest covers its canonical folded form (``MatterDigest``): state, times, outcome,
/// registers, counters, conflicts with their status, and its head events. Because the heads are
/// hashes over the whole event DAG, equal digests mean the same events and the same fold.
public struct StateDigest: Hashable, Sendable, CustomStringConvertible {
    /// The 32 digest bytes.
    public let bytes: [UInt8]

    init(hashing data: [UInt8]) { bytes = Array(SHA256.hash(data: data)) }

    /// Parses 64 hex digits; `nil` if they are not.
    public init?(hex: String) {
        guard let id = try? EventID(hex: hex) else { return nil }
        bytes = id.bytes
    }

    /// 64 lowercase hex digits.
    public var hex: String { Hex.encode(bytes) }
    public var description: String { hex }
}

/// The canonical form of a folded matter, and digests over matters.
public enum MatterDigest {
    /// The version of the canonical form; part of every digest.
    public static let formVersion: UInt8 = 1

    /// The digest of one matter's folded state.
    public static func of(_ matter: Matter) -> StateDigest {
        StateDigest(hashing: canonicalForm(of: matter))
    }

    /// The digest of a set of matters: SHA-256 over their ids and digests, ascending by id. Two
    /// replicas holding the same matters in the same state have the same digest.
    public static func combine(_ matters: some Sequence<(MatterID, StateDigest)>) -> StateDigest {
        var w = ByteWriter()
        w.write(raw: Array("courtsync-digest".utf8))
        w.write(byte: formVersion)
        for (id, digest) in matters.sorted(by: { $0.0 < $1.0 }) {
            w.write(string: id.rawValue)
            w.write(raw: digest.bytes)
        }
        return StateDigest(hashing: w.bytes)
    }

    /// The canonical bytes of a folded matter: every field in a fixed order, times in
    /// milliseconds, absent values marked, conflicts by id.
    public static func canonicalForm(of m: Matter) -> [UInt8] {
        var w = ByteWriter()
        func time(_ t: Timestamp?) {
            w.write(bool: t != nil)
            if let t { w.write(varint: UInt64(bitPattern: t.milliseconds)) }
        }
        w.write(byte: formVersion)
        w.write(string: m.id.rawValue)
        w.write(string: m.entrustingCourt.rawValue)
        w.write(string: m.entrustedCourt.rawValue)
        w.write(string: m.request.kind.id)
        w.write(string: m.state.rawValue)
        for t in [m.sentAt, m.signedAt, m.startedAt, m.completedAt, m.returnedAt, m.withdrawnAt, m.closedAt] {
            time(t)
        }
        w.write(string: m.request.signDue.description)
        w.write(string: m.request.due.description)
        w.write(optional: m.outcome?.rawValue)
        w.write(optional: m.returnReason?.rawValue)
        w.write(optional: m.feedback)
        w.write(optional: m.contactPerson)
        w.write(optional: m.contactPhone)
        w.write(optional: m.note)
        w.write(varint: UInt64(m.urgeCount))
        w.write(bool: m.supervised)
        w.write(varint: UInt64(m.eventCount))
        w.write(varint: UInt64(m.heads.count))
        for head in m.heads.sorted() { w.write(raw: head.bytes) }
        let conflicts = m.conflicts.sorted { $0.id < $1.id }
        w.write(varint: UInt64(conflicts.count))
        for c in conflicts {
            w.write(raw: c.id.bytes)
            w.write(string: c.rule.rawValue)
            w.write(raw: c.winner.id.bytes)
            w.write(bool: c.acknowledgement != nil)
            if let ack = c.acknowledgement { w.write(raw: ack.event.bytes) }
        }
        return w.bytes
    }
}
