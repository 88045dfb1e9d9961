/// The limits a reader enforces on a change set before and while decoding it
/// (`Protocol/changeset.md` §5). Anything over a limit is refused whole.
public struct ChangeSetLimits: Sendable, Hashable {
    /// The largest encoded set (header and compressed payload).
    public var maxEncodedBytes: Int
    /// The largest decompressed payload.
    public var maxPayloadBytes: Int
    /// The most events in one set.
    public var maxEvents: Int

    public init(maxEncodedBytes: Int = 64 << 20, maxPayloadBytes: Int = 256 << 20, maxEvents: Int = 100_000) {
        self.maxEncodedBytes = maxEncodedBytes
        self.maxPayloadBytes = maxPayloadBytes
        self.maxEvents = maxEvents
    }

    /// 64 MiB encoded, 256 MiB decompressed, 100,000 events.
    public static let standard = ChangeSetLimits()
}
