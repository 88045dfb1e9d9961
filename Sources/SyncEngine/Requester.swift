import Entrustment

/// The node on the other end of a request, as it names itself in the `CourtSync-Court` and
/// `CourtSync-Node` headers; ``RequestAuthenticator`` then checks that it signed the request.
public struct Requester: Sendable, Hashable {
    public let court: CourtCode
    public let node: NodeID

    public init(court: CourtCode, node: NodeID) {
        self.court = court
        self.node = node
    }

    /// Reads the identity headers (percent-encoded) and checks the court against the directory.
    public static func parse(court: String?, node: String?, directory: CourtDirectory) throws(SyncError) -> Requester {
        guard let court, let node, let courtText = SyncWire.decodeHeader(court),
            let nodeText = SyncWire.decodeHeader(node)
        else {
            throw SyncError(
                code: "missingIdentity", status: 400,
                "the request does not name its node: send \(SyncWire.courtHeader) and \(SyncWire.nodeHeader)")
        }
        return try identify(court: courtText, node: nodeText, directory: directory)
    }

    /// Checks a court code and node id as a caller gives them (headers decoded, or a hello body).
    public static func identify(court courtText: String, node nodeText: String, directory: CourtDirectory)
        throws(SyncError) -> Requester
    {
        do {
            let code = try CourtCode(courtText)
            guard directory.contains(code) else {
                throw SyncError(
                    code: "unknownCourt", status: 403, "court \(code) is not in this node's court directory")
            }
            return Requester(court: code, node: try NodeID(nodeText))
        } catch let error as SyncError {
            throw error
        } catch {
            throw SyncError.badRequest("identity headers: \(error)")
        }
    }
}
