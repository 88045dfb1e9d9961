/// The sync protocol's versions (`Protocol/sync.md` §9): which this build speaks, which release
/// first spoke each, and how two nodes agree on one in their hello.
///
/// A build speaks its own version and the one before it, so that during a rolling upgrade (the
/// hub first, then the courts at their own pace) a court one version behind keeps syncing; a
/// node older than that is refused with the release to install.
public enum ProtocolVersion {
    /// The newest version, the one this build prefers.
    public static let current = 2
    /// The oldest version this build still speaks: one behind ``current``.
    public static let oldestSpoken = 1
    /// The courtsync release that first spoke each version.
    public static let releases: [Int: String] = [1: "0.3", 2: "0.4"]

    /// The versions this build speaks, oldest first; with `pinned` (`sync.protocolVersion` in
    /// `node.json`, for an upgrade rolled out in stages), none newer than it.
    public static func spoken(pinnedTo pinned: Int? = nil) -> [Int] {
        Array(oldestSpoken...current).filter { pinned == nil || $0 <= pinned! }
    }

    /// The release to install for `version`, as a phrase.
    static func release(of version: Int) -> String {
        releases[version].map { "courtsync \($0)" } ?? "a courtsync release speaking protocol \(version)"
    }

    /// The version two nodes use: the highest that both speak. When there is none, the error
    /// (`unsupportedVersion`) says which release the older side must install.
    public static func negotiate(offered: [Int], spoken: [Int]) throws(SyncError) -> Int {
        if let version = Set(offered).intersection(spoken).max() { return version }
        let newest = spoken.max() ?? current
        let oldest = spoken.min() ?? oldestSpoken
        if let theirs = offered.max(), theirs < oldest {
            throw SyncError(
                code: "unsupportedVersion", status: 400,
                "protocol version \(theirs) is too old: this node speaks \(spoken.map(String.init).joined(separator: " and ")); install \(release(of: newest)) (protocol \(newest)), or at least \(release(of: oldest)) (protocol \(oldest))"
            )
        }
        throw SyncError(
            code: "unsupportedVersion", status: 400,
            "no common protocol version: the caller speaks \(offered), this node speaks \(spoken): upgrade this node to \(release(of: offered.max() ?? newest))"
        )
    }
}
