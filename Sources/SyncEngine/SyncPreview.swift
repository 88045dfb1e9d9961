import Entrustment
import Foundation
import Node
import Replica
import SyncProtocol

/// `courtsync sync --dry-run`: what a sync would send and receive on each link, and the
/// conflicts it would settle, with nothing changed here. Each link's remote is asked for what a
/// pull would bring (the network part, before any transaction); then, in one transaction that
/// is rolled back, the links are taken in the order a sync takes them — each link's push first,
/// then its pull applied exactly as a pull applies it — so that the counts are those of the sync
/// that follows, were nothing else to change meanwhile.
public enum SyncPreview {
    /// What moves one way on a link.
    public struct Flow: Sendable, Codable, Equatable {
        /// Change sets, events and witnesses.
        public var sets = 0
        public var events = 0
        public var witnesses = 0
        /// The matters the events belong to.
        public var matters = 0
        /// Encoded records, and the change sets as they travel (compressed).
        public var payloadBytes = 0
        public var bytes = 0
        /// Received only: events that would be stored, duplicates, quarantined and refused.
        public var stored: Int?
        public var duplicates: Int?
        public var quarantined: Int?
        public var refused: Int?
    }

    /// A conflict the sync would settle (`docs/conflicts.md`).
    public struct ConflictPreview: Sendable, Codable, Equatable {
        public var matter: String
        public var rule: String
        public var winner: String
        public var superseded: String
    }

    /// The documents the link's document round would consider after the events.
    public struct DocumentsPreview: Sendable, Codable, Equatable {
        /// Documents this node lacks and may fetch from the remote, and their bytes.
        public var fetch = 0
        public var fetchBytes = 0
        /// Documents held here the remote has not confirmed holding, and their bytes.
        public var offer = 0
        public var offerBytes = 0
    }

    /// One link's preview.
    public struct LinkPreview: Sendable, Codable, Equatable {
        public var court: String
        public var url: String
        public var ok: Bool
        public var error: String?
        /// The protocol version the hello agreed.
        public var protocolVersion: Int?
        /// Why the cursors would start again, if they would (a new remote node, a restored one).
        public var cursorsRestart: String?
        /// More remained than a dry run reads.
        public var truncated = false
        /// The remote holds a newer signed directory, installed first by the sync: events signed
        /// by keys it brings are counted here as quarantined.
        public var newerDirectory: Int?
        public var send = Flow()
        public var receive = Flow()
        public var conflicts: [ConflictPreview] = []
        public var documents = DocumentsPreview()
    }

    /// Previews a sync of `links` (in the scheduler's order).
    public static func run(links: [LinkSynchronizer], node: CourtNode, config: NodeConfig) async -> [LinkPreview] {
        var fetched: [(LinkSynchronizer, Result<LinkSynchronizer.Fetched, any Error>)] = []
        var prepared: [[PreparedEvents]] = []
        let now = node.time.now()
        for link in links {
            do {
                let answer = try await link.fetchForPreview()
                // Signatures checked now, on every core, so that the transaction below (which
                // holds the replica's writer) only applies.
                let replica = node.replica
                var checked: [PreparedEvents] = []
                for (set, _) in answer.sets {
                    let events = set.events
                    checked.append(try await Blocking.run { try replica.prepare(events, now: now) })
                }
                fetched.append((link, .success(answer)))
                prepared.append(checked)
            } catch {
                fetched.append((link, .failure(error)))
                prepared.append([])
            }
        }
        let localDirectory = (try? node.directoryVersion()) ?? 0
        do {
            return try node.replica.rehearse { tx in
                try zip(fetched, prepared).map { entry, checked in
                    let (link, result) = entry
                    switch result {
                    case .failure(let error):
                        return LinkPreview(
                            court: link.court.rawValue, url: link.url, ok: false,
                            error: (error as? SyncError)?.message ?? "\(error)")
                    case .success(let fetched):
                        return try preview(
                            link, fetched, prepared: checked, in: &tx, node: node, config: config, now: now,
                            localDirectory: localDirectory)
                    }
                }
            }
        } catch {
            return links.map {
                LinkPreview(court: $0.court.rawValue, url: $0.url, ok: false, error: "the replica: \(error.message)")
            }
        }
    }

    private static func preview(
        _ link: LinkSynchronizer, _ fetched: LinkSynchronizer.Fetched, prepared: [PreparedEvents],
        in tx: inout ReplicaTransaction, node: CourtNode, config: NodeConfig, now: Timestamp, localDirectory: Int
    ) throws -> LinkPreview {
        var preview = LinkPreview(
            court: link.court.rawValue, url: link.url, ok: true, protocolVersion: fetched.hello.version,
            cursorsRestart: fetched.cursorsRestart, truncated: fetched.truncated,
            newerDirectory: fetched.hello.directoryVersion > localDirectory ? fetched.hello.directoryVersion : nil)
        let lastConflict = try tx.lastConflictRow()
        let identity = node.identity

        // The push round: every batch after the push cursor.
        var after = fetched.pushedThrough
        var sentMatters: Set<MatterID> = []
        let selection = ChangeSelection(court: link.court, excludingNode: fetched.remoteNode)
        while true {
            let batch = try tx.changes(
                after: after, for: selection, maxEvents: config.limits.maxEventsPerSet,
                maxBytes: config.limits.maxBytesPerSet)
            if !batch.isEmpty {
                let body = try ChangeSetCodec.encode(
                    ChangeSet(
                        suite: node.suite, senderCourt: identity.court, senderNode: identity.node, createdAt: now,
                        throughSequence: UInt64(batch.through), events: batch.events, witnesses: batch.witnesses))
                preview.send.sets += 1
                preview.send.events += batch.events.count
                preview.send.witnesses += batch.witnesses.count
                preview.send.payloadBytes += batch.payloadBytes
                preview.send.bytes += body.count
                sentMatters.formUnion(batch.events.map(\.matterID))
            }
            guard batch.hasMore, batch.through > after else { break }
            guard preview.send.sets < LinkSynchronizer.previewLimit else {
                preview.truncated = true
                break
            }
            after = batch.through
        }
        preview.send.matters = sentMatters.count

        // The pull round: each set applied as a pull applies it.
        var received: Set<MatterID> = []
        var (stored, duplicates, quarantined, refused) = (0, 0, 0, 0)
        for ((set, bytes), checked) in zip(fetched.sets, prepared) {
            let report = try tx.receive(
                set.events, witnesses: set.witnesses, from: set.senderNode, source: link.court.rawValue, now: now,
                visibleTo: identity.court, maxClockAhead: Int64(config.limits.maxClockAheadSeconds) * 1000,
                maxQuarantinedPerSource: config.limits.maxQuarantinedPerSource, prepared: checked)
            preview.receive.sets += 1
            preview.receive.events += set.events.count
            preview.receive.witnesses += set.witnesses.count
            preview.receive.payloadBytes += set.events.reduce(0) { $0 + $1.encoded.count }
            preview.receive.bytes += bytes
            received.formUnion(set.events.map(\.matterID))
            stored += report.stored
            duplicates += report.duplicates
            quarantined += report.quarantined.count
            refused += report.refused.count
        }
        preview.receive.matters = received.count
        preview.receive.stored = stored
        preview.receive.duplicates = duplicates
        preview.receive.quarantined = quarantined
        preview.receive.refused = refused
        preview.conflicts = try tx.conflicts(after: lastConflict).map {
            ConflictPreview(matter: $0.matter, rule: $0.rule, winner: $0.winner, superseded: $0.superseded)
        }

        // The document round after the events.
        let limit = config.limits.documentLimits.maxBytes
        let wanted = try tx.documentsWanted(by: identity.court, from: link.court).filter { $0.size <= limit }
        let offered = try tx.documentsToOffer(to: link.court)
        preview.documents = DocumentsPreview(
            fetch: wanted.count, fetchBytes: wanted.reduce(0) { $0 + $1.size }, offer: offered.count,
            offerBytes: offered.reduce(0) { $0 + $1.size })
        return preview
    }
}
