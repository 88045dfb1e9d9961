import Foundation
import Node
import Replica

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The wire protocol over HTTP/1.1 with FoundationNetworking's `URLSession`.
public final class HTTPTransport: SyncTransport {
    private let base: URL
    private let signer: RequestSigner?
    private let session: URLSession
    private let requestTimeout: Double
    private let maxBodyBytes: Int

    /// A transport to the node at `base`, signing its requests with `signer` (`nil`: unsigned,
    /// for registration only). Each request may take its long-poll wait plus `requestTimeout`
    /// seconds; larger response bodies than `maxBodyBytes` are refused.
    public init(base: URL, signer: RequestSigner?, requestTimeout: Double, maxBodyBytes: Int) {
        self.base = base
        self.signer = signer
        self.requestTimeout = requestTimeout
        self.maxBodyBytes = maxBodyBytes
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 330
        configuration.timeoutIntervalForResource = 330
        configuration.httpMaximumConnectionsPerHost = 4
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func hello(_ request: HelloRequest) async throws -> HelloResponse {
        let body = try JSONEncoder().encode(request)
        let (data, _) = try await send(
            "POST", path: "v1/hello", body: body, contentType: "application/json", timeout: requestTimeout)
        return try decode(HelloResponse.self, data)
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        let query = "after=\(after)&wait=\(wait)&maxEvents=\(maxEvents)&maxBytes=\(maxBytes)"
        let (data, response) = try await send(
            "GET", path: "v1/changes?\(query)", body: nil, contentType: nil, timeout: wait + requestTimeout)
        guard let headText = response.value(forHTTPHeaderField: SyncWire.headHeader), let head = Int64(headText),
            let versionText = response.value(forHTTPHeaderField: SyncWire.directoryHeader),
            let directoryVersion = Int(versionText)
        else {
            throw SyncError(
                code: "badResponse", status: response.statusCode,
                "the pull response lacks \(SyncWire.headHeader) or \(SyncWire.directoryHeader)")
        }
        return PulledChanges(body: [UInt8](data), head: head, directoryVersion: directoryVersion)
    }

    public func directory() async throws -> SignedDirectory {
        let (data, _) = try await send(
            "GET", path: "v1/directory", body: nil, contentType: nil, timeout: requestTimeout)
        do {
            return try SignedDirectory.decode(data)
        } catch {
            throw SyncError(code: "badResponse", status: 200, "\(base.absoluteString): \(error.message)")
        }
    }

    /// `POST /v1/register` (unsigned: the body is signed by the key it presents).
    public func register(_ request: RegistrationRequest) async throws -> RegistrationReceipt {
        let body = try JSONEncoder().encode(request)
        let (data, _) = try await send(
            "POST", path: "v1/register", body: body, contentType: "application/json", timeout: requestTimeout)
        return try decode(RegistrationReceipt.self, data)
    }

    public func push(_ changeSet: [UInt8]) async throws -> PushReceipt {
        let (data, _) = try await send(
            "POST", path: "v1/changes", body: Data(changeSet), contentType: SyncWire.changeSetMediaType,
            timeout: requestTimeout)
        return try decode(PushReceipt.self, data)
    }

    private func send(
        _ method: String, path: String, body: Data?, contentType: String?, timeout: Double
    ) async throws -> (Data, HTTPURLResponse) {
        guard let url = URL(string: path, relativeTo: base.appendingPathComponent("/")) else {
            throw SyncError(code: "badRequest", status: 0, "cannot form a URL from \(base) and \(path)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = timeout
        if let signer {
            let components = URLComponents(url: url.absoluteURL, resolvingAgainstBaseURL: true)
            let path = components?.percentEncodedPath ?? url.path
            let target = components?.percentEncodedQuery.map { "\(path)?\($0)" } ?? path
            for (name, value) in signer.headers(method: method, target: target, body: [UInt8](body ?? Data())) {
                request.setValue(value, forHTTPHeaderField: name)
            }
        }
        request.setValue(SyncWire.software, forHTTPHeaderField: "User-Agent")
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        request.httpBody = body
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await DetachedRequest.data(session, for: request)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw SyncError(
                code: "unreachable", status: 0, "\(base.absoluteString) did not answer: \(error.localizedDescription)")
        }
        guard let http = response as? HTTPURLResponse else {
            throw SyncError(code: "badResponse", status: 0, "\(base.absoluteString) sent a response that is not HTTP")
        }
        guard data.count <= maxBodyBytes else {
            throw SyncError(
                code: "tooLarge", status: http.statusCode,
                "\(base.absoluteString) sent \(data.count) bytes, over the limit of \(maxBodyBytes)")
        }
        guard (200..<300).contains(http.statusCode) else {
            if let document = try? JSONDecoder().decode(ErrorDocument.self, from: data) {
                throw SyncError(
                    code: document.error.code, status: http.statusCode, "remote refused: \(document.error.message)")
            }
            throw SyncError(
                code: "httpError", status: http.statusCode, "\(base.absoluteString) answered HTTP \(http.statusCode)")
        }
        return (data, http)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw SyncError(code: "badResponse", status: 200, "\(base.absoluteString) sent an unreadable \(T.self)")
        }
    }
}
