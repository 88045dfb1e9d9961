import Entrustment

/// Reads the records of a change set's payload (`Protocol/changeset.md` §4) from the pieces the
/// inflater hands out: first the events, then the witnesses, each a varint length, the
/// canonical bytes and a 64-byte signature. Holds at most one unfinished record between pieces.
struct RecordReader {
    private let suite: SignatureSuite
    private let eventCount: Int
    private let witnessCount: Int
    private(set) var events: [Event] = []
    private(set) var witnesses: [Witness] = []
    /// The error that stopped reading, if any.
    private(set) var failure: ChangeSetError?
    private var pending: [UInt8] = []
    private var eventIDs: Set<EventID> = []
    private var witnessKeys: Set<Witness> = []

    init(events: Int, witnesses: Int, suite: SignatureSuite) {
        self.suite = suite
        eventCount = events
        witnessCount = witnesses
    }

    private var recordCount: Int { events.count + witnesses.count }

    /// Takes the next piece of the payload and reads every record it completes.
    mutating func take(_ chunk: ArraySlice<UInt8>) throws(ChangeSetError) {
        pending.append(contentsOf: chunk)
        var reader = ByteReader(pending)
        do {
            while try readRecord(&reader) {}
        } catch {
            failure = error
            throw error
        }
        pending.removeFirst(reader.offset)
    }

    /// Checks that the payload ended after exactly the records the header announced.
    func finish() throws(ChangeSetError) {
        guard recordCount == eventCount + witnessCount else {
            let next = events.count < eventCount ? "event \(events.count)" : "witness \(witnesses.count)"
            throw ChangeSetError(
                .lengthMismatch,
                pending.isEmpty
                    ? "payload holds fewer records than the header's \(eventCount) events and \(witnessCount) witnesses"
                    : "payload ends inside \(next) or its signature")
        }
        guard pending.isEmpty else {
            throw ChangeSetError(
                .lengthMismatch,
                "payload holds more than the header's \(eventCount) events and \(witnessCount) witnesses")
        }
    }

    /// Reads one record if `reader` holds all of it; `false` (reading nothing) if it does not yet.
    private mutating func readRecord(_ reader: inout ByteReader) throws(ChangeSetError) -> Bool {
        guard recordCount < eventCount + witnessCount else {
            guard reader.isAtEnd else {
                throw ChangeSetError(
                    .lengthMismatch,
                    "payload holds more than the header's \(eventCount) events and \(witnessCount) witnesses")
            }
            return false
        }
        let isEvent = events.count < eventCount
        let index = isEvent ? events.count : witnesses.count
        let name = isEvent ? "event \(index)" : "witness \(index)"
        let code: ChangeSetError.Code = isEvent ? .malformedEvent : .malformedWitness
        let start = reader.offset
        let length: UInt64
        do {
            length = try reader.readVarint("\(name) length")
        } catch {
            guard error.isEndOfData else { throw ChangeSetError(code, "\(name): \(error)") }
            reader.rewind(to: start)
            return false
        }
        guard length <= UInt64(FieldLimits.eventBytes) else {
            throw ChangeSetError(code, "\(name) is \(length) bytes, over the limit of \(FieldLimits.eventBytes)")
        }
        guard reader.remaining >= Int(length) + SignaturePurpose.signatureLength else {
            reader.rewind(to: start)
            return false
        }
        do {
            let body = Array(try reader.readRaw(count: Int(length), name))
            let signature = Array(try reader.readRaw(count: SignaturePurpose.signatureLength, "\(name) signature"))
            if isEvent {
                let event = try Event(decoding: body, suite: suite).withSignature(signature)
                guard eventIDs.insert(event.id).inserted else {
                    throw ChangeSetError(.malformedEvent, "\(name) repeats event \(event.id.hex.prefix(12))")
                }
                events.append(event)
            } else {
                let witness = try Witness(decoding: body).withSignature(signature)
                guard witnessKeys.insert(witness).inserted else {
                    throw ChangeSetError(
                        .malformedWitness, "\(name) repeats the witness of \(witness.event.hex.prefix(12))")
                }
                witnesses.append(witness)
            }
        } catch let error as ChangeSetError {
            throw error
        } catch let error as DomainError {
            throw ChangeSetError(code, "\(name): \(error.message)")
        } catch {
            throw ChangeSetError(code, "\(name): \(error)")
        }
        return true
    }
}
