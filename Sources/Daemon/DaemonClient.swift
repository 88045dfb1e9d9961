import Foundation
import Node
import SyncEngine

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Operator commands talking to the daemon running on the same data directory, through its
/// control endpoint and the token in `daemon.json`.
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
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = 3_600
        request.setValue("Bearer \(record.token)", forHTTPHeaderField: "Authorization")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw NodeError(
                code: "daemonUnreachable",
                "the daemon (process \(record.pid)) did not answer at \(record.url): \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
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
