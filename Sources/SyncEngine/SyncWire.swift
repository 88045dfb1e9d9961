import Entrustment
import Foundation

/// The wire protocol's fixed names and JSON bodies (`Protocol/sync.md`).
public enum SyncWire {
    /// The media type of a change-set body (`Protocol/changeset.md`).
    public static let changeSetMediaType = "application/vnd.courtsync.changeset"
    /// The requesting node's court, percent-encoded UTF-8.
    public static let courtHeader = "CourtSync-Court"
    /// The requesting node's id, percent-encoded UTF-8.
    public static let nodeHeader = "CourtSync-Node"
    /// On a pull response: the server's highest arrival sequence (for the caller's backlog).
    public static let headHeader = "CourtSync-Head"
    /// On a pull response: the version of the server's signed court directory; on a push: the
    /// pusher's.
    public static let directoryHeader = "CourtSync-Directory"
    /// On a pull response from the hub asked with `attest=1`: base64 of the hub's signed batch
    /// attestation (`Protocol/sync.md` §4.3.1).
    public static let attestationHeader = "CourtSync-Attestation"
    /// The longest attestation header accepted (characters of base64).
    public static let maxAttestationHeader = 1_024
    /// On a document chunk (either way): the SHA-256 of the chunk's bytes, 64 hex digits.
    public static let chunkDigestHeader = "CourtSync-Chunk-Digest"
    /// On a document chunk (either way): `identity` or `deflate` (a zlib stream of the chunk).
    public static let chunkEncodingHeader = "CourtSync-Chunk-Encoding"
    /// The media type of a document chunk body.
    public static let chunkMediaType = "application/octet-stream"
    /// The software name sent in the handshake.
    public static let software = "courtsync/0.4"

    /// Whether a hello's `software` is a name this protocol carries: 1 to 64 ASCII letters,
    /// digits and `. _ / + -` (it is stored, logged and shown to hub staff).
    public static func isValidSoftware(_ text: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._/+-".utf8)
        return (1...64).contains(text.utf8.count) && text.utf8.allSatisfy(allowed.contains)
    }

    /// Percent-encodes a header value (court codes and node ids hold Chinese characters).
    public static func encodeHeader(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: headerSafe) ?? text
    }

    /// Decodes a percent-encoded header value.
    public static func decodeHeader(_ text: String) -> String? { text.removingPercentEncoding }

    private static let headerSafe = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

/// `POST /v1/hello` request: who is calling and which protocol versions it speaks.
public struct HelloRequest: Codable, Sendable, Equatable {
    public var versions: [Int]
    public var court: String
    public var node: String
    public var role: String
    public var software: String

    public init(versions: [Int], court: String, node: String, role: String, software: String) {
        self.versions = versions
        self.court = court
        self.node = node
        self.role = role
        self.software = software
    }
}

/// `POST /v1/hello` response: the version chosen, who answered, its clock, head and limits.
public struct HelloResponse: Codable, Sendable, Equatable {
    public var version: Int
    public var court: String
    public var node: String
    public var role: String
    public var software: String
    /// The server's clock, RFC 3339.
    public var time: String
    /// The server's highest arrival sequence.
    public var head: Int64
    public var limits: WireLimits
    /// The version of the signed court directory the server holds: a caller holding an older one
    /// fetches `GET /v1/directory`.
    public var directoryVersion: Int
    /// The id of the server's latest restore from a backup, 32 hex digits (protocol 2; absent
    /// when never restored, and from a server of version 1). When it changes, a client sends
    /// again what the server had acknowledged.
    public var restore: String?

    public init(
        version: Int, court: String, node: String, role: String, software: String, time: String, head: Int64,
        limits: WireLimits, directoryVersion: Int, restore: String? = nil
    ) {
        self.directoryVersion = directoryVersion
        self.restore = restore
        self.version = version
        self.court = court
        self.node = node
        self.role = role
        self.software = software
        self.time = time
        self.head = head
        self.limits = limits
    }
}

/// The limits a server announces: what it sends per change set and accepts per request.
public struct WireLimits: Codable, Sendable, Equatable {
    public var maxEventsPerSet: Int
    public var maxBytesPerSet: Int
    public var maxBodyBytes: Int
    public var maxWaitSeconds: Double

    public init(maxEventsPerSet: Int, maxBytesPerSet: Int, maxBodyBytes: Int, maxWaitSeconds: Double) {
        self.maxEventsPerSet = maxEventsPerSet
        self.maxBytesPerSet = maxBytesPerSet
        self.maxBodyBytes = maxBodyBytes
        self.maxWaitSeconds = maxWaitSeconds
    }
}

/// `POST /v1/changes` response: what the receiver did with a pushed change set.
public struct PushReceipt: Codable, Sendable, Equatable {
    /// The pusher's arrival sequence now durably stored (the set's `throughSequence`): the
    /// pusher's cursor for this receiver.
    public var acknowledged: Int64
    public var stored: Int
    public var duplicates: Int
    /// Events of matters the receiver may not hold: refused, not stored.
    public var notVisible: Int
    /// Events the receiver could not apply yet and holds in its quarantine.
    public var quarantined: [QuarantineNotice]
    /// Events the receiver refused outright and did not store (bad signature, revoked key, an
    /// act the author may not do), each with its reason.
    public var refused: [QuarantineNotice]
    /// The hub's witnesses of the set's events that the receiver holds: each the base64 of a
    /// witness's canonical bytes followed by its 64-byte signature (`Protocol/changeset.md` §5).
    public var witnesses: [String]

    public init(
        acknowledged: Int64, stored: Int, duplicates: Int, notVisible: Int, quarantined: [QuarantineNotice],
        refused: [QuarantineNotice], witnesses: [String] = []
    ) {
        self.witnesses = witnesses
        self.refused = refused
        self.acknowledged = acknowledged
        self.stored = stored
        self.duplicates = duplicates
        self.notVisible = notVisible
        self.quarantined = quarantined
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        acknowledged = try c.decode(Int64.self, forKey: .acknowledged)
        stored = try c.decode(Int.self, forKey: .stored)
        duplicates = try c.decode(Int.self, forKey: .duplicates)
        notVisible = try c.decode(Int.self, forKey: .notVisible)
        quarantined = try c.decode([QuarantineNotice].self, forKey: .quarantined)
        refused = try c.decode([QuarantineNotice].self, forKey: .refused)
        witnesses = try c.decodeIfPresent([String].self, forKey: .witnesses) ?? []
    }

    /// The witnesses carried, decoded (those that are not canonical witnesses are left out; every
    /// one is checked against the hub's key before it is stored).
    public var decodedWitnesses: [Witness] {
        witnesses.compactMap { text in
            guard let bytes = Data(base64Encoded: text), bytes.count > SignaturePurpose.signatureLength else {
                return nil
            }
            let split = bytes.count - SignaturePurpose.signatureLength
            return try? Witness(decoding: Array(bytes.prefix(split))).withSignature(Array(bytes.suffix(from: split)))
        }
    }
}

/// One quarantined or refused event in a push receipt.
public struct QuarantineNotice: Codable, Sendable, Equatable {
    /// The event's id (for a witness, the id of the event it witnesses).
    public var event: String
    public var code: String
    public var reason: String
    /// For a refused witness, its kind (`stored` or `delivered`); absent for an event.
    public var witness: String?

    public init(event: String, code: String, reason: String, witness: String? = nil) {
        self.event = event
        self.code = code
        self.reason = reason
        self.witness = witness
    }
}

/// `GET /v1/health` response.
public struct HealthReport: Codable, Sendable, Equatable {
    public var status: String
    public var court: String
    public var node: String
    public var role: String
    public var versions: [Int]
    public var head: Int64
    public var time: String

    public init(
        status: String, court: String, node: String, role: String, versions: [Int], head: Int64, time: String
    ) {
        self.status = status
        self.court = court
        self.node = node
        self.role = role
        self.versions = versions
        self.head = head
        self.time = time
    }
}

/// Every error response's body, and every CLI error with `--json`: `{"error": {"code": "…", "message": "…"}}`.
public struct ErrorDocument: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
    }

    public var error: Body

    public init(code: String, message: String) {
        error = Body(code: code, message: message)
    }
}

/// `GET /v1/documents/{hash}` and `PUT …/chunks/{index}` response: what the node holds of a
/// document (`Protocol/sync.md` §4.5).
public struct DocumentStatus: Codable, Sendable, Equatable {
    /// The document's SHA-256, 64 lowercase hex digits.
    public var hash: String
    /// Its size in bytes, as the `attach` event states it.
    public var size: Int
    /// The chunk size (4,194,304).
    public var chunkSize: Int
    /// Whether the whole document is stored here (and may be fetched).
    public var complete: Bool
    /// Bytes of whole chunks held here: where an upload continues.
    public var received: Int
    /// The SHA-256 of each chunk, when `complete`.
    public var chunks: [String]?

    public init(hash: String, size: Int, chunkSize: Int, complete: Bool, received: Int, chunks: [String]?) {
        self.hash = hash
        self.size = size
        self.chunkSize = chunkSize
        self.complete = complete
        self.received = received
        self.chunks = chunks
    }
}
