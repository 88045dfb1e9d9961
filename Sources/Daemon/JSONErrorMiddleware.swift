import Foundation
import Hummingbird
import SyncEngine

/// Turns every failure into the protocol's JSON error body (`Protocol/sync.md` §7):
/// `{"error": {"code": "…", "message": "…"}}` with the matching HTTP status.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as SyncError {
            return Self.response(error)
        } catch let error as HTTPError {
            let code =
                switch error.status.code {
                case 404: "notFound"
                case 405: "methodNotAllowed"
                case 413: "tooLarge"
                default: "httpError"
                }
            return Self.response(
                SyncError(code: code, status: error.status.code, error.body ?? error.status.reasonPhrase))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return Self.response(SyncError(code: "internal", status: 500, "internal error: \(error)"))
        }
    }

    static func response(_ error: SyncError) -> Response {
        let body = (try? JSONEncoder().encode(ErrorDocument(code: error.code, message: error.message))) ?? Data()
        return Response(
            status: .init(code: error.status == 0 ? 500 : error.status),
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
