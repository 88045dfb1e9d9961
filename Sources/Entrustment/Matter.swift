/// One entrusted act, as folded from its events (``MatterFold``).
///
/// Every field follows from the set of events alone, so every replica holding the same events
/// holds the same matter. Times are the HLC physical times at which the acts were recorded.
public struct Matter: Hashable, Sendable {
    /// 委托编号 — the platform id.
    public var id: MatterID
    /// What was asked, as sent (including the deadlines).
    public var request: MatterRequest
    /// 委托法院.
    public var entrustingCourt: CourtCode
    /// Where it stands.
    public var state: MatterState
    /// 委托时间.
    public var sentAt: Timestamp
    /// 收到时间: when the matter reached the entrusted court's node, as that node's `sign` or
    /// `return` reports it (the earliest report); `nil` until one of them is recorded.
    public var receivedAt: Timestamp?
    /// 签收时间.
    public var signedAt: Timestamp?
    /// 开始办理时间.
    public var startedAt: Timestamp?
    /// 办结时间.
    public var completedAt: Timestamp?
    /// 退回时间.
    public var returnedAt: Timestamp?
    /// 撤回时间.
    public var withdrawnAt: Timestamp?
    /// 归档时间.
    public var closedAt: Timestamp?
    /// The outcome, once completed.
    public var outcome: Outcome?
    /// The entrusted court's feedback on completion or return.
    public var feedback: String?
    /// Why it was returned.
    public var returnReason: ReturnReason?
    /// How many times it was urged (催办).
    public var urgeCount: Int
    /// Whether a superior court or the hub supervises it (督办).
    public var supervised: Bool
    /// The ids of the matter's head events (those no other event names as parent), ascending.
    public var heads: [EventID]
    /// The number of events folded.
    public var eventCount: Int
    /// 联系人 (a last-writer-wins register).
    public var contactPerson: String?
    /// 联系电话 (a last-writer-wins register).
    public var contactPhone: String?
    /// 备注: the note sent with the matter until a party edits it (a last-writer-wins register).
    public var note: String?
    /// The conflicts among its concurrent events, ordered by when the superseded event was recorded.
    public var conflicts: [Conflict]
    /// When the latest folded event was recorded.
    public var lastActivityAt: Timestamp
    /// 材料: the documents attached, in fold order.
    public var documents: [AttachedDocument]
    /// The latest request for supplementary documents (补办), if any.
    public var supplement: SupplementRequest?
    /// Whether the matter is withdrawn because a request for supplement lapsed unanswered
    /// (视为撤回); ``withdrawnAt`` is then the moment it lapsed. Set by ``lapsing(at:)``.
    public var deemedWithdrawn: Bool
    /// 延期申请: the requests for more time that stand, in the order they were made, each with
    /// the decision that stands on it (``ExtensionRules``).
    public var extensions: [ExtensionRequest]

    /// Creates a matter from its fields (the fold, or a stored row).
    public init(
        id: MatterID, request: MatterRequest, entrustingCourt: CourtCode, state: MatterState, sentAt: Timestamp,
        receivedAt: Timestamp? = nil, signedAt: Timestamp? = nil, startedAt: Timestamp? = nil,
        completedAt: Timestamp? = nil,
        returnedAt: Timestamp? = nil, withdrawnAt: Timestamp? = nil, closedAt: Timestamp? = nil,
        outcome: Outcome? = nil, feedback: String? = nil, returnReason: ReturnReason? = nil, urgeCount: Int = 0,
        supervised: Bool = false, heads: [EventID] = [], eventCount: Int = 0, contactPerson: String? = nil,
        contactPhone: String? = nil, note: String? = nil, conflicts: [Conflict] = [], lastActivityAt: Timestamp,
        documents: [AttachedDocument] = [], supplement: SupplementRequest? = nil, deemedWithdrawn: Bool = false,
        extensions: [ExtensionRequest] = []
    ) {
        self.extensions = extensions
        self.documents = documents
        self.supplement = supplement
        self.deemedWithdrawn = deemedWithdrawn
        self.id = id
        self.request = request
        self.entrustingCourt = entrustingCourt
        self.state = state
        self.sentAt = sentAt
        self.receivedAt = receivedAt
        self.signedAt = signedAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.returnedAt = returnedAt
        self.withdrawnAt = withdrawnAt
        self.closedAt = closedAt
        self.outcome = outcome
        self.feedback = feedback
        self.returnReason = returnReason
        self.urgeCount = urgeCount
        self.supervised = supervised
        self.heads = heads
        self.eventCount = eventCount
        self.contactPerson = contactPerson
        self.contactPhone = contactPhone
        self.note = note
        self.conflicts = conflicts
        self.lastActivityAt = lastActivityAt
    }

    /// The events superseded by concurrent acts (one per conflict). They stay in the log.
    public var superseded: [EventID] { conflicts.map(\.id) }
    /// The conflicts no one has acknowledged yet.
    public var openConflicts: [Conflict] { conflicts.filter { $0.status == .open } }

    /// 受托法院.
    public var entrustedCourt: CourtCode { request.entrustedCourt }

    /// The request for more time waiting for a decision, if any (there is at most one).
    public var pendingExtension: ExtensionRequest? { extensions.last { $0.status == .pending } }

    /// 材料待补: the kinds a `create` of this kind needs that the entrusting court has not attached.
    public var missingDocuments: [DocumentKind] {
        let attached = Set(documents.filter { $0.court == entrustingCourt }.map(\.reference.kind))
        return DocumentKind.required(for: request.kind).filter { !attached.contains($0) }
    }

    /// The matter as it stands at `time`: withdrawn (视为撤回) at the moment an unanswered request
    /// for supplement lapsed, if that moment is not after `time` and the matter was still open.
    /// The same events and the same `time` give the same answer on every replica.
    public func lapsing(at time: Timestamp) -> Matter {
        guard state.isOpen, let supplement, supplement.answeredAt == nil, supplement.lapsesAt <= time else {
            return self
        }
        var lapsed = self
        lapsed.state = .withdrawn
        lapsed.withdrawnAt = supplement.lapsesAt
        lapsed.deemedWithdrawn = true
        return lapsed
    }

    /// The roles a court holds for this matter.
    public func roles(of court: CourtCode, in directory: CourtDirectory) -> Set<Role> {
        Role.roles(of: court, entrusting: entrustingCourt, entrusted: entrustedCourt, in: directory)
    }
}
