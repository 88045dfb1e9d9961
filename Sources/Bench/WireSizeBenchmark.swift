import Entrustment
import Foundation
import SyncProtocol

/// b. Wire bytes per event: a change set of n events (binary, zlib) against the same events as
/// JSON compressed with zlib level 6.
enum WireSizeBenchmark {
    struct Result {
        var events: Int
        var changeSetBytes: Double
        var jsonBytes: Double
    }

    static func run(_ events: [Event], sizes: [Int], sender: (CourtCode, NodeID)) throws -> [Result] {
        try sizes.filter { $0 <= events.count }.map { size in
            let slice = Array(events.prefix(size))
            let set = try ChangeSetCodec.encode(
                ChangeSet(
                    suite: .ed25519, senderCourt: sender.0, senderNode: sender.1, createdAt: Timestamp(milliseconds: 0),
                    throughSequence: UInt64(size), events: slice))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let json = try encoder.encode(slice.map(JSONEvent.init))
            let compressed = try Zlib.compress(Array(json), level: 6)
            return Result(
                events: size, changeSetBytes: Double(set.count) / Double(size),
                jsonBytes: Double(compressed.count) / Double(size))
        }
    }
}

/// An event as a JSON API would carry it: every field by name, ids in hex, the signature in
/// base64.
struct JSONEvent: Encodable {
    var id: String
    var matter: String
    var author: String
    var origin: String
    var wall: Int64
    var counter: UInt32
    var parents: [String]
    var kind: String
    var fields: [String: String]
    var signature: String

    init(_ event: Event) {
        id = event.id.hex
        matter = event.matterID.rawValue
        author = event.author.rawValue
        origin = event.origin.rawValue
        wall = event.timestamp.wall
        counter = event.timestamp.counter
        parents = event.parents.map(\.hex)
        kind = event.kind.rawValue
        signature = Data(event.signature ?? []).base64EncodedString()
        switch event.action {
        case .create(let request):
            var fields = [
                "caseNumber": request.caseNumber.description, "entrustedCourt": request.entrustedCourt.rawValue,
                "kind": request.kind.id, "urgent": "\(request.urgent)", "signDue": request.signDue.description,
                "due": request.due.description,
            ]
            fields["applicant"] = request.applicant
            fields["debtor"] = request.debtor
            fields["note"] = request.note
            self.fields = fields
        case .sign(let note, let receivedAt):
            fields = ["note": note]
            fields["receivedAt"] = receivedAt?.rfc3339
        case .complete(let outcome, let feedback):
            fields = ["outcome": outcome.rawValue, "feedback": feedback]
        default:
            fields = ["action": "\(event.action)"]
        }
    }
}
