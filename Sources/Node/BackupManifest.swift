import Foundation

/// `courtsync-backup.json`, the last entry of a backup archive: whose node it is, what the copy
/// held, and every other entry's size and SHA-256, checked before a restore changes anything.
public struct BackupManifest: Codable, Sendable, Equatable {
    /// The entry's name in the archive.
    public static let fileName = "courtsync-backup.json"
    /// The entry after it: the node's signature of the manifest's bytes (``SignaturePurpose/backup``),
    /// base64.
    public static let signatureName = "courtsync-backup.sig"
    /// The largest manifest a restore reads.
    static let maxBytes = 64 << 20
    /// What `format` must say.
    static let formatName = "courtsync-backup"

    /// `courtsync-backup`.
    public var format: String
    /// The manifest's version (1).
    public var version: Int
    /// The software that made it (`courtsync/0.4`).
    public var software: String
    /// The node's court and id.
    public var court: String
    public var node: String
    /// The network's signature suite.
    public var suite: String
    /// When the copy was taken (RFC 3339).
    public var createdAt: String
    /// The replica's highest arrival sequence and its number of events in the copy.
    public var head: Int64
    public var events: Int
    /// How many documents the copy holds.
    public var documents: Int
    /// Whether the node's private key (and the TLS key, if in the data directory) is inside.
    public var includesKey: Bool
    /// Every other entry of the archive.
    public var files: [BackupArchive.Entry]
}
