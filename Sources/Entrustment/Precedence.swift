/// The precedence table for concurrent acts on one matter (`docs/conflicts.md`).
///
/// The principle: a legal act already done in the world (签收, 办结, 退回) stands against a
/// concurrent withdrawal; the withdrawal is superseded and flagged. Acts that do not change the
/// state (催办, 督办) never conflict. Every rule depends only on the two events, so every replica
/// decides alike.
public enum Precedence {
    /// The kinds whose concurrent events can supersede each other, in the order the fold settles
    /// them: an event can only be superseded by one settled before it.
    public static let settlingOrder: [EventKind] = [.complete, .return, .start, .sign, .close, .withdraw]

    /// The rule under which `winner` supersedes the concurrent event `loser`, or `nil` if both stand.
    public static func rule(_ winner: Event, supersedes loser: Event) -> ConflictRule? {
        switch (winner.kind, loser.kind) {
        case (.sign, .withdraw): .signOverWithdraw
        case (.start, .withdraw): .startOverWithdraw
        case (.complete, .withdraw): .completeOverWithdraw
        case (.return, .withdraw): .returnOverWithdraw
        case (.complete, .return): .completeOverReturn
        case (.return, .start): .returnOverStart
        case (.complete, .complete): ranksBefore(winner, loser) ? .strongerCompletion : nil
        case (.sign, .sign), (.start, .start), (.return, .return), (.withdraw, .withdraw), (.close, .close):
            ranksBefore(winner, loser) ? .earlierDuplicate : nil
        default: nil
        }
    }

    /// Whether `a` is settled before `b`: by ``settlingOrder``, then within a kind the one that
    /// stands first — for completions the stronger outcome, otherwise (and then) the earlier
    /// (HLC, event id).
    public static func settlesBefore(_ a: Event, _ b: Event) -> Bool {
        let (ka, kb) = (rank(of: a.kind), rank(of: b.kind))
        return ka != kb ? ka < kb : ranksBefore(a, b)
    }

    /// Whether edit `a` of a descriptive field is written after edit `b`: (HLC, origin node, id).
    public static func writtenAfter(_ a: Event, _ b: Event) -> Bool {
        (a.timestamp, a.origin, a.id) > (b.timestamp, b.origin, b.id)
    }

    private static func ranksBefore(_ a: Event, _ b: Event) -> Bool {
        if case .complete(let oa, _) = a.action, case .complete(let ob, _) = b.action, oa != ob {
            return strength(oa) > strength(ob)
        }
        return (a.timestamp, a.id) < (b.timestamp, b.id)
    }

    private static func strength(_ outcome: Outcome) -> Int {
        switch outcome {
        case .full: 2
        case .partial: 1
        case .none: 0
        }
    }

    private static func rank(of kind: EventKind) -> Int {
        settlingOrder.firstIndex(of: kind) ?? settlingOrder.count
    }
}
