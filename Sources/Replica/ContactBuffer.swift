import Entrustment
import GRDB

/// The authenticated requests other nodes made since the last flush, kept in memory so that a
/// request never waits for a disk write of its own (an idle long-poll costs no I/O). The daemon
/// writes them to `node_contacts` about once a second (``Replica/flushContacts()``) and when it
/// stops; ``Replica/contacts()`` reads the table with these laid over it, so the figures are
/// current either way. At most one entry per calling node, and only nodes that authenticated
/// (listed in the directory) reach it, so a stranger cannot make it grow.
struct ContactBuffer: Sendable {
    /// One node's requests since the last flush.
    struct Entry: Sendable {
        var court: CourtCode
        var firstAt: Timestamp
        var lastAt: Timestamp
        var lastRequest: NodeContact.Request
        var pulledAfter: Int64?
        var pushedThrough: Int64?
        var requests: Int
        /// The protocol version and software its latest hello named.
        var greeting: NodeContact.Greeting?
    }

    private(set) var entries: [NodeID: Entry] = [:]

    /// Notes a request.
    mutating func record(
        node: NodeID, court: CourtCode, request: NodeContact.Request, at now: Timestamp, pulledAfter: Int64?,
        pushedThrough: Int64?, greeting: NodeContact.Greeting? = nil
    ) {
        var entry =
            entries[node]
            ?? Entry(court: court, firstAt: now, lastAt: now, lastRequest: request, requests: 0)
        entry.court = court
        entry.lastAt = now
        entry.lastRequest = request
        entry.pulledAfter = pulledAfter ?? entry.pulledAfter
        entry.pushedThrough = pushedThrough ?? entry.pushedThrough
        entry.greeting = greeting ?? entry.greeting
        entry.requests += 1
        entries[node] = entry
    }

    /// Takes every entry out.
    mutating func drain() -> [NodeID: Entry] {
        defer { entries = [:] }
        return entries
    }

    /// Puts back an entry a failed flush took out, merged with what arrived since.
    mutating func restore(_ old: Entry, of node: NodeID) {
        guard var newer = entries[node] else {
            entries[node] = old
            return
        }
        newer.firstAt = min(newer.firstAt, old.firstAt)
        newer.pulledAfter = newer.pulledAfter ?? old.pulledAfter
        newer.pushedThrough = newer.pushedThrough ?? old.pushedThrough
        newer.greeting = newer.greeting ?? old.greeting
        newer.requests += old.requests
        entries[node] = newer
    }

    /// `contact` as it stands with the buffered requests of its node.
    func overlaying(_ contact: NodeContact?, node: NodeID) -> NodeContact? {
        guard let entry = entries[node] else { return contact }
        return NodeContact(
            node: node, court: entry.court, lastContactAt: entry.lastAt, lastRequest: entry.lastRequest,
            pulledAfter: entry.pulledAfter ?? contact?.pulledAfter, requests: (contact?.requests ?? 0) + entry.requests,
            greeting: entry.greeting ?? contact?.greeting)
    }

    /// Writes `entries` to `node_contacts`, adding their request counts.
    static func write(_ entries: [NodeID: Entry], in db: Database) throws {
        for (node, entry) in entries.sorted(by: { $0.key < $1.key }) {
            try db.executeCached(
                sql: """
                    INSERT INTO node_contacts (node_id, court, first_contact_at, last_contact_at, last_request,
                        pulled_after, pushed_through, requests, protocol_version, software)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(node_id) DO UPDATE SET court = excluded.court,
                        last_contact_at = excluded.last_contact_at, last_request = excluded.last_request,
                        pulled_after = coalesce(excluded.pulled_after, pulled_after),
                        pushed_through = coalesce(excluded.pushed_through, pushed_through),
                        requests = requests + excluded.requests,
                        protocol_version = coalesce(excluded.protocol_version, protocol_version),
                        software = coalesce(excluded.software, software)
                    """,
                arguments: [
                    node.rawValue, entry.court.rawValue, entry.firstAt.rfc3339, entry.lastAt.rfc3339,
                    entry.lastRequest.rawValue, entry.pulledAfter, entry.pushedThrough, entry.requests,
                    entry.greeting?.protocolVersion, entry.greeting?.software,
                ])
        }
    }
}
