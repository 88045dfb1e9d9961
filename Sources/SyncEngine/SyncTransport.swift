/// The client side of one link: how requests reach the remote node. ``HTTPTransport`` speaks the
/// wire protocol over HTTP; ``LocalTransport`` calls another node's ``SyncResponder`` in the same
/// process (tests and simulations).
public protocol SyncTransport: Sendable {
    /// `POST /v1/hello`.
    func hello(_ request: HelloRequest) async throws -> HelloResponse
    /// `GET /v1/changes`: a change set and the remote's head.
    func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges
    /// `POST /v1/changes`.
    func push(_ changeSet: [UInt8]) async throws -> PushReceipt
}

/// A pull's response as it arrived.
public struct PulledChanges: Sendable {
    /// The encoded change set.
    public var body: [UInt8]
    /// The remote's highest arrival sequence.
    public var head: Int64

    public init(body: [UInt8], head: Int64) {
        self.body = body
        self.head = head
    }
}

/// Calls another node's ``SyncResponder`` directly, as the node `requester`.
public struct LocalTransport: SyncTransport {
    private let responder: SyncResponder
    private let requester: Requester

    public init(to responder: SyncResponder, as requester: Requester) {
        self.responder = responder
        self.requester = requester
    }

    public func hello(_ request: HelloRequest) async throws -> HelloResponse {
        try await responder.hello(request)
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        let answer = try await responder.pull(
            from: requester, after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes)
        return PulledChanges(body: answer.body, head: answer.head)
    }

    public func push(_ changeSet: [UInt8]) async throws -> PushReceipt {
        try await responder.push(from: requester, body: changeSet)
    }
}
