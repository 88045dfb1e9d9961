/// The hub's signed statement of when it first stored an event (存证), or when it first handed a
/// matter's `create` to a node of the entrusted court (送达): the network's clock, against which a
/// court's own claims about its times are judged (`docs/indicators.md`, honest time).
///
/// Only the hub makes witnesses, when it first stores or delivers; every replica keeps those it
/// receives (they travel in change sets and push receipts, `Protocol/changeset.md` §5) and
/// `courtsync audit verify` checks their signatures against the pinned hub key.
public struct Witness: Hashable, Sendable, CustomStringConvertible {
    /// The format version of the canonical encoding.
    public static let encodingVersion: UInt8 = 1

    /// What the hub witnessed.
    public enum Kind: UInt8, Sendable, CaseIterable {
        /// 存证: the hub first stored the event at ``Witness/at``.
        case stored = 1
        /// 送达: the hub first handed the matter's `create` to a node of ``Witness/court`` (the
        /// entrusted court) at ``Witness/at``.
        case delivered = 2

        /// The Chinese label.
        public var chineseName: String {
            switch self {
            case .stored: "存证"
            case .delivered: "送达"
            }
        }

        /// The English name (`stored`, `delivered`), as the replica's `witnesses` table and the
        /// test vectors write it.
        public var name: String {
            switch self {
            case .stored: "stored"
            case .delivered: "delivered"
            }
        }
    }

    /// What was witnessed.
    public let kind: Kind
    /// The event (for ``Kind/delivered``, the matter's `create`).
    public let event: EventID
    /// Its matter.
    public let matter: MatterID
    /// For ``Kind/delivered``: the court it was delivered to; `nil` for ``Kind/stored``.
    public let court: CourtCode?
    /// When, on the hub's clock.
    public let at: Timestamp
    /// How long the hub was down (serving nothing) between the act's recorded time (for a
    /// delivery: the sending) and ``at``, in milliseconds: that time never counts against a court.
    public let hubDowntimeMilliseconds: Int64
    /// The late-report grace in force when the hub witnessed it, in milliseconds.
    public let graceMilliseconds: Int64
    /// The canonical encoding, which the signature covers.
    public let encoded: [UInt8]
    /// The hub's signature (``SignaturePurpose/witness``), `nil` until signed.
    public private(set) var signature: [UInt8]?

    /// A witness; checks the fields and computes the encoding.
    public init(
        kind: Kind, event: EventID, matter: MatterID, court: CourtCode?, at: Timestamp,
        hubDowntimeMilliseconds: Int64, graceMilliseconds: Int64
    ) throws(DomainError) {
        guard (kind == .delivered) == (court != nil) else {
            throw DomainError(.invalidField, "a delivery witness names the court delivered to; a storage one none")
        }
        let latest = Timestamp.latest.milliseconds
        guard (0...latest).contains(at.milliseconds), (0...latest).contains(hubDowntimeMilliseconds),
            (0...Int64(ReferenceCalendar.maxGraceSeconds) * 1000).contains(graceMilliseconds)
        else {
            throw DomainError(.invalidField, "a witness's time, downtime or grace is out of range")
        }
        self.kind = kind
        self.event = event
        self.matter = matter
        self.court = court
        self.at = at
        self.hubDowntimeMilliseconds = hubDowntimeMilliseconds
        self.graceMilliseconds = graceMilliseconds
        var w = ByteWriter()
        w.write(byte: Self.encodingVersion)
        w.write(byte: kind.rawValue)
        w.write(raw: event.bytes)
        w.write(string: matter.rawValue)
        w.write(string: court?.rawValue ?? "")
        w.write(varint: UInt64(at.milliseconds))
        w.write(varint: UInt64(hubDowntimeMilliseconds))
        w.write(varint: UInt64(graceMilliseconds))
        encoded = w.bytes
    }

    /// Decodes a canonical encoding; anything else is `malformedWitness`.
    public init(decoding bytes: [UInt8]) throws(DomainError) {
        var r = ByteReader(bytes)
        let fail = { (reason: String) in DomainError(.malformedWitness, "malformed witness: \(reason)") }
        do {
            let version = try r.readByte("version")
            guard version == Self.encodingVersion else { throw fail("version \(version) is not supported") }
            let tag = try r.readByte("kind")
            guard let kind = Kind(rawValue: tag) else { throw fail("unknown kind \(tag)") }
            let event = try EventID(bytes: Array(r.readRaw(count: 32, "event")))
            let matter = try MatterID(r.readString("matter", maxBytes: FieldLimits.identifier))
            let courtText = try r.readString("court", maxBytes: FieldLimits.identifier)
            let court = courtText.isEmpty ? nil : try CourtCode(courtText)
            let latest = UInt64(Timestamp.latest.milliseconds)
            let at = try r.readVarint("at", max: latest)
            let downtime = try r.readVarint("hub downtime", max: latest)
            let grace = try r.readVarint("grace", max: UInt64(ReferenceCalendar.maxGraceSeconds) * 1000)
            guard r.isAtEnd else { throw fail("\(r.remaining) unexpected bytes after the witness") }
            try self.init(
                kind: kind, event: event, matter: matter, court: court, at: Timestamp(milliseconds: Int64(at)),
                hubDowntimeMilliseconds: Int64(downtime), graceMilliseconds: Int64(grace))
        } catch let failure as ByteReader.Failure {
            throw fail(failure.description)
        } catch let error as DomainError {
            throw error.code == .malformedWitness ? error : fail(error.message)
        } catch {
            throw fail("\(error)")
        }
        guard encoded == bytes else { throw fail("not canonical") }
    }

    /// The witness signed with the hub's key.
    public func signed(with key: SigningKey) -> Witness {
        var copy = self
        copy.signature = SignaturePurpose.witness.sign(encoded, with: key)
        return copy
    }

    /// The witness carrying a signature received with it (checked with ``verify(hubKey:)``).
    public func withSignature(_ signature: [UInt8]) throws(DomainError) -> Witness {
        guard signature.count == SignaturePurpose.signatureLength else {
            throw DomainError(.malformedWitness, "a witness signature has 64 bytes, not \(signature.count)")
        }
        var copy = self
        copy.signature = signature
        return copy
    }

    /// Throws `badSignature` unless the hub's key signed this witness.
    public func verify(hubKey: VerifyingKey) throws(DomainError) {
        guard let signature, SignaturePurpose.witness.isValid(signature, of: encoded, by: hubKey) else {
            throw DomainError(
                .badSignature,
                "the \(kind.chineseName) witness of event \(event.hex.prefix(12)) is not signed by the hub")
        }
    }

    /// How late the hub stored an act recorded at `recordedAt`, its own downtime not counted
    /// (negative when the act is dated after the hub stored it).
    public func delay(after recordedAt: Timestamp) -> Int64 {
        at.milliseconds - recordedAt.milliseconds - hubDowntimeMilliseconds
    }

    /// Whether the act, recorded at `recordedAt`, is a late report (迟报): first stored by the hub
    /// more than the grace after it was recorded.
    public func isLate(recordedAt: Timestamp) -> Bool { delay(after: recordedAt) > graceMilliseconds }

    public var description: String {
        "\(kind.chineseName) \(event.hex.prefix(12)) @\(at.rfc3339)"
    }

    public static func == (lhs: Witness, rhs: Witness) -> Bool {
        lhs.kind == rhs.kind && lhs.event == rhs.event
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(event)
    }
}
