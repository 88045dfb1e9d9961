import Entrustment

/// A conflict as the CLI prints it in JSON.
struct ConflictView: Encodable {
    /// One side of a conflict.
    struct Side: Encodable {
        var event: String
        var kind: String
        var kindName: String
        var author: String
        var origin: String
        var recordedAt: String
        var detail: String

        init(_ s: EventSummary) {
            event = s.id.hex
            kind = s.kind.rawValue
            kindName = s.kind.chineseName
            author = s.author.rawValue
            origin = s.origin.rawValue
            recordedAt = s.recordedAt.rfc3339
            detail = s.detail
        }
    }

    var id: String
    var matterId: String
    var status: String
    var statusName: String
    var rule: String
    var ruleName: String
    var winner: Side
    var superseded: Side
    var acknowledgedBy: String?
    var acknowledgedAt: String?
    var acknowledgementEvent: String?
    var acknowledgementNote: String?

    init(_ c: Conflict) {
        id = c.id.hex
        matterId = c.matterID.rawValue
        status = c.status.rawValue
        statusName = c.status.chineseName
        rule = c.rule.rawValue
        ruleName = c.rule.chineseName
        winner = Side(c.winner)
        superseded = Side(c.superseded)
        acknowledgedBy = c.acknowledgement?.court.rawValue
        acknowledgedAt = c.acknowledgement?.at.rfc3339
        acknowledgementEvent = c.acknowledgement?.event.hex
        acknowledgementNote = c.acknowledgement?.note
    }

    func encode(to encoder: any Encoder) throws {
        // Every key, with `null` for absent values, so tools see a stable shape.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(matterId, forKey: .matterId)
        try c.encode(status, forKey: .status)
        try c.encode(statusName, forKey: .statusName)
        try c.encode(rule, forKey: .rule)
        try c.encode(ruleName, forKey: .ruleName)
        try c.encode(winner, forKey: .winner)
        try c.encode(superseded, forKey: .superseded)
        try c.encode(acknowledgedBy, forKey: .acknowledgedBy)
        try c.encode(acknowledgedAt, forKey: .acknowledgedAt)
        try c.encode(acknowledgementEvent, forKey: .acknowledgementEvent)
        try c.encode(acknowledgementNote, forKey: .acknowledgementNote)
    }

    enum CodingKeys: String, CodingKey {
        case id, matterId, status, statusName, rule, ruleName, winner, superseded, acknowledgedBy, acknowledgedAt
        case acknowledgementEvent, acknowledgementNote
    }
}
