import Entrustment
import Foundation
import Node
import Replica

/// The wire protocol over HTTP/1.1, or HTTPS for an `https://` base URL (`HTTPExchange`), on
/// connections kept open from one request to the next (``HTTPConnectionPool``): a long-poll's
/// answer and the next poll travel on the same connection.
public final class HTTPTransport: SyncTransport {
    private let base: URL
    private let signer: RequestSigner?
    private let tls: ClientTLS
    private let requestTimeout: Double
    private let maxBodyBytes: Int
    /// The connections kept to the remote node.
    public let connections = HTTPConnectionPool()

    /// A transport to the node at `base`, signing its requests with `signer` (`nil`: unsigned,
    /// for registration only) and verifying an `https` server with `tls`. Each request may take
    /// its long-poll wait plus `requestTimeout` seconds; larger response bodies than
    /// `maxBodyBytes` are refused.
    public init(base: URL, signer: RequestSigner?, tls: ClientTLS, requestTimeout: Double, maxBodyBytes: Int) {
        self.base = base
        self.signer = signer
        self.tls = tls
        self.requestTimeout = requestTimeout
        self.maxBodyBytes = maxBodyBytes
    }

    public func hello(_ request: HelloRequest) async throws -> HelloResponse {
        let body = try JSONEncoder().encode(request)
        let (data, _) = try await send(
            "POST", path: "v1/hello", body: body, contentType: "application/json", timeout: requestTimeout)
        return try decode(HelloResponse.self, data)
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int) async throws -> PulledChanges {
        try await pull(after: after, wait: wait, maxEvents: maxEvents, maxBytes: maxBytes, attested: false, echo: false)
    }

    public func pull(after: Int64, wait: Double, maxEvents: Int, maxBytes: Int, attested: Bool, echo: Bool) async throws
        -> PulledChanges
    {
        let query =
            "after=\(after)&wait=\(wait)&maxEvents=\(maxEvents)&maxBytes=\(maxBytes)" + (attested ? "&attest=1" : "")
            + (echo ? "&echo=1" : "")
        let (data, response) = try await send(
            "GET", path: "v1/changes?\(query)", body: nil, contentType: nil, timeout: wait + requestTimeout)
        guard let headText = response.header(SyncWire.headHeader), let head = Int64(headText),
            let versionText = response.header(SyncWire.directoryHeader),
            let directoryVersion = Int(versionText)
        else {
            throw SyncError(
                code: "badResponse", status: response.status,
                "the pull response lacks \(SyncWire.headHeader) or \(SyncWire.directoryHeader)")
        }
        var attestation: [UInt8]?
        if attested, let text = response.header(SyncWire.attestationHeader) {
            guard text.count <= SyncWire.maxAttestationHeader, let bytes = Data(base64Encoded: text) else {
                throw SyncError(
                    code: "badAttestation", status: response.status,
                    "the \(SyncWire.attestationHeader) header is not base64 of at most \(SyncWire.maxAttestationHeader) characters"
                )
            }
            attestation = [UInt8](bytes)
        }
        return PulledChanges(
            body: [UInt8](data), head: head, directoryVersion: directoryVersion, attestation: attestation)
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

    public func push(_ changeSet: [UInt8], directoryVersion: Int) async throws -> PushReceipt {
        let (data, _) = try await send(
            "POST", path: "v1/changes", body: Data(changeSet), contentType: SyncWire.changeSetMediaType,
            timeout: requestTimeout, extraHeaders: [(SyncWire.directoryHeader, String(directoryVersion))])
        return try decode(PushReceipt.self, data)
    }

    public func documentStatus(_ hash: DocumentHash) async throws -> DocumentStatus {
        let (data, _) = try await send(
            "GET", path: "v1/documents/\(hash.hex)", body: nil, contentType: nil, timeout: requestTimeout)
        return try decode(DocumentStatus.self, data)
    }

    public func documentChunk(_ hash: DocumentHash, index: Int) async throws -> DocumentChunk {
        let (data, response) = try await send(
            "GET", path: "v1/documents/\(hash.hex)/chunks/\(index)", body: nil, contentType: nil,
            timeout: requestTimeout)
        guard let digest = response.header(SyncWire.chunkDigestHeader) else {
            throw SyncError(code: "badResponse", status: response.status, "a chunk came without its digest")
        }
        return DocumentChunk(
            body: [UInt8](data), encoding: response.header(SyncWire.chunkEncodingHeader) ?? "identity", digest: digest)
    }

    public func putDocumentChunk(_ chunk: DocumentChunk, hash: DocumentHash, index: Int) async throws -> DocumentStatus
    {
        let (data, _) = try await send(
            "PUT", path: "v1/documents/\(hash.hex)/chunks/\(index)", body: Data(chunk.body),
            contentType: SyncWire.chunkMediaType, timeout: requestTimeout,
            extraHeaders: [(SyncWire.chunkDigestHeader, chunk.digest), (SyncWire.chunkEncodingHeader, chunk.encoding)])
        return try decode(DocumentStatus.self, data)
    }

    private func send(
        _ method: String, path: String, body: Data?, contentType: String?, timeout: Double,
        extraHeaders: [(String, String)] = []
    ) async throws -> (Data, HTTPExchange.Response) {
        guard let url = URL(string: path, relativeTo: base.appendingPathComponent("/")) else {
            throw SyncError(code: "badRequest", status: 0, "cannot form a URL from \(base) and \(path)")
        }
        let bytes = [UInt8](body ?? Data())
        var exchange = HTTPExchange(method: method, url: url.absoluteURL, body: bytes)
        if let signer {
            exchange.headers += signer.headers(method: method, target: exchange.target, body: bytes).map {
                ($0.key, $0.value)
            }
        }
        exchange.headers.append(("User-Agent", SyncWire.software))
        exchange.headers += extraHeaders
        if let contentType { exchange.headers.append(("Content-Type", contentType)) }
        let response = try await exchange.perform(
            tls: tls, timeout: timeout, maxBodyBytes: maxBodyBytes, pool: connections)
        let data = Data(response.body)
        guard (200..<300).contains(response.status) else {
            if let document = try? JSONDecoder().decode(ErrorDocument.self, from: data) {
                throw SyncError(
                    code: document.error.code, status: response.status, "remote refused: \(document.error.message)")
            }
            throw SyncError(
                code: "httpError", status: response.status, "\(base.absoluteString) answered HTTP \(response.status)")
        }
        return (data, response)
    }

    private func decode<T: Decodable>(_ type: T.Type, _ data: Data) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw SyncError(code: "badResponse", status: 200, "\(base.absoluteString) sent an unreadable \(T.self)")
        }
    }
}
