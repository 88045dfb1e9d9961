import Foundation
import Node
import SyncEngine

/// Operator commands talking to the daemon running on the same data directory, through its
/// control endpoint and the token in `daemon.json` (over HTTPS pinned to the daemon's own
/// certificate when it serves HTTPS).
public struct DaemonClient: Sendable {
    public let record: DaemonRecord

    public init(record: DaemonRecord) { self.record = record }

    /// Asks the daemon for one sync round on every link (or the one `peer` names, by court or URL).
    public func syncNow(peer: String?) async throws(NodeError) -> [SyncScheduler.LinkRound] {
        var components = URLComponents(string: record.url + "/v1/control/sync")
        if let peer { components?.queryItems = [URLQueryItem(name: "peer", value: peer)] }
        guard let url = components?.url else {
            throw NodeError(code: "invalidConfig", "daemon.json holds an unusable URL: \(record.url)")
        }
        let tls = try record.certificateSHA256.map { fingerprint throws(NodeError) in
            try ClientTLS(pinnedSHA256: fingerprint)
        }
        let exchange = HTTPExchange(
            method: "POST", url: url, headers: [("Authorization", "Bearer \(record.token)")])
        let response: HTTPExchange.Response
        do {
            response = try await exchange.perform(tls: tls, timeout: 3_600, maxBodyBytes: 16 << 20)
        } catch {
            throw NodeError(
                code: "daemonUnreachable",
                "the daemon (process \(record.pid)) did not answer at \(record.url): \(error)")
        }
        let data = Data(response.body)
        guard response.status == 200 else {
            let message = (try? JSONDecoder().decode(ErrorDocument.self, from: data))?.error.message ?? "no details"
            throw NodeError(code: "daemonRefused", "the daemon refused the sync: \(message)")
        }
        do {
            return try JSONDecoder().decode([SyncScheduler.LinkRound].self, from: data)
        } catch {
            throw NodeError(code: "badResponse", "the daemon's answer could not be read")
        }
    }
}
