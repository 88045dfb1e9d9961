import Hummingbird
import NIOCore

/// The request context of the daemon's routes: Hummingbird's core context, plus the connection
/// the request came on, so that a route can mark it authenticated (``ConnectionSlots``) and see
/// the caller's address (registration limits).
struct NodeRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection.
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The caller's IP address, as this node sees it.
    var remoteAddress: String { channel.remoteAddress?.ipAddress ?? "unknown" }
}
