import Entrustment
import Foundation
import Node
import Synchronization

/// A link's transport over several URLs of one remote: the hub running as several processes on
/// one store (`docs/postgres.md`). Every request goes to the URL in use; when it cannot be
/// reached, ``failOver(after:at:)`` moves the link to the next URL, and once the link has been away
/// from the first for ``failbackSeconds``, ``failBackIfDue()`` moves it back to the first.
///
/// It never retries a request by itself on another URL: a link handshakes again after every
/// move (``generation`` changes), so that a URL serving another node than the one the cursors
/// belong to is noticed before a cursor is used with it.
public final class FailoverTransport: SyncTransport {
    /// One URL and the transport that reaches it.
    public struct Endpoint: Sendable {
        public var url: String
        public var transport: any SyncTransport

        public init(url: String, transport: any SyncTransport) {
            self.url = url
            self.transport = transport
        }
    }

    /// The URLs in order of preference (at least one).
    public let endpoints: [Endpoint]
    /// How long the link stays away from the first URL before trying it again (seconds).
    public let failbackSeconds: Double
    private let state: Mutex<State>

    private struct State {
        var active = 0
        var generation = 0
        var leftFirstAt: Date?
    }

    public init(endpoints: [Endpoint], failbackSeconds: Double) {
        precondition(!endpoints.isEmpty, "a link needs at least one URL")
        self.endpoints = endpoints
        self.failbackSeconds = failbackSeconds
        state = Mutex(State())
    }

    /// The URL requests go to now.
    public var url: String { endpoints[state.withLock { $0.active }].url }

    /// Changes whenever the link moves to another URL.
    public var generation: Int { state.withLock { $0.generation } }

    /// Whether `error` says the remote could not be reached or broke off (not that it answered
    /// with a refusal): the failures another process of the same remote may not have.
    public static func isUnreachable(_ error: any Error) -> Bool {
        guard let error = error as? SyncError else { return false }
        switch error.code {
        case "unreachable": return true
        case "badResponse": return error.status == 0
        case "httpError": return [502, 503, 504].contains(error.status)
        default: return false
        }
    }

    /// After a request made at `generation` failed: moves to the next URL if `error` says that
    /// URL could not be reached and there is another. Returns whether the link is now on another
    /// URL than the failed request (moved now, or by another request's failure meanwhile).
    @discardableResult
    public func failOver(after error: any Error, at generation: Int) -> Bool {
        guard endpoints.count > 1, Self.isUnreachable(error) else { return false }
        return state.withLock { state in
            guard state.generation == generation else { return true }
            if state.active == 0 { state.leftFirstAt = Date() }
            state.active = (state.active + 1) % endpoints.count
            if state.active == 0 { state.leftFirstAt = nil }
            state.generation += 1
            return true
        }
    }

    /// Moves back to the first URL if the link has been on another for ``failbackSeconds``.
    /// Returns whether it moved (the caller handshakes again; if the first URL still cannot be
    /// reached, ``failOver(after:at:)`` moves on at once).
    @discardableResult
    public func failBackIfDue(now: Date = Date()) -> Bool {
        state.withLock { state in
            guard state.active != 0, let left = state.leftFirstAt,
                now.timeIntervalSince(left) >= failbackSeconds
            else { return false }
            state.active = 0
            state.leftFirstAt = nil
            state.generation += 1
            return true
        }
    }

    private var current: any SyncTransport { endpoints[state.withLock { $0.active }].transport }

    public func hello(_ request: HelloRequest) async throws -> HelloResponse {
        try await current.hello(request)
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        try await current.pull(after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes)
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int, attested: Bool, echo: Bool) async throws
        -> PulledChanges
    {
        try await current.pull(
            after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes, attested: attested, echo: echo)
    }

    public func push(_ changeSet: [UInt8], directoryVersion: Int) async throws -> PushReceipt {
        try await current.push(changeSet, directoryVersion: directoryVersion)
    }

    public func directory() async throws -> SignedDirectory {
        try await current.directory()
    }

    public func documentStatus(_ hash: DocumentHash) async throws -> DocumentStatus {
        try await current.documentStatus(hash)
    }

    public func documentChunk(_ hash: DocumentHash, index: Int) async throws -> DocumentChunk {
        try await current.documentChunk(hash, index: index)
    }

    public func putDocumentChunk(_ chunk: DocumentChunk, hash: DocumentHash, index: Int) async throws -> DocumentStatus
    {
        try await current.putDocumentChunk(chunk, hash: hash, index: index)
    }
}
