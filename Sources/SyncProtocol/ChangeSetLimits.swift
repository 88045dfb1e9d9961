/// The limits a reader enforces on a change set before and while decoding it
/// (`Protocol/changeset.md` §6). Anything over a limit is refused whole.
public struct ChangeSetLimits: Sendable, Hashable {
    /// The largest encoded set (header and compressed payload).
    public var maxEncodedBytes: Int
    /// The largest decompressed payload.
    public var maxPayloadBytes: Int
    /// The most records (events and witnesses together) in one set.
    public var maxEvents: Int

    public init(maxEncodedBytes: Int = 64 << 20, maxPayloadBytes: Int = 256 << 20, maxEvents: Int = 100_000) {
        self.maxEncodedBytes = maxEncodedBytes
        self.maxPayloadBytes = maxPayloadBytes
        self.maxEvents = maxEvents
    }

    /// 64 MiB encoded, 256 MiB decompressed, 100,000 records: change files.
    public static let standard = ChangeSetLimits()

    /// The limits for a set received over the network with a body of at most `maxBodyBytes`:
    /// the decompressed payload may be no larger than the body limit either, so that a small
    /// body cannot inflate into more memory than a large one (`Protocol/sync.md` §8).
    public static func network(maxBodyBytes: Int) -> ChangeSetLimits {
        ChangeSetLimits(maxEncodedBytes: maxBodyBytes, maxPayloadBytes: maxBodyBytes, maxEvents: 100_000)
    }
}
