import Foundation
import Hummingbird
import Node
import Replica
import SyncEngine

/// Lets a request through only with a staff token of one of `scopes` (`Authorization: Bearer
/// TOKEN`, ``CourtNode/createStaffToken(name:scope:)``); anything else is `401 unauthorized`.
struct StaffTokenMiddleware: RouterMiddleware {
    let node: CourtNode
    let scopes: Set<StaffToken.Scope>

    func handle(
        _ request: Request, context: NodeRequestContext, next: (Request, NodeRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("bearer "),
            let token = try node.staffToken(
                String(header.dropFirst("bearer ".count)).trimmingCharacters(in: .whitespaces)),
            scopes.contains(token.scope)
        else {
            var response = JSONErrorMiddleware<NodeRequestContext>.response(
                SyncError(
                    code: "unauthorized", status: 401,
                    "the monitoring endpoints need a staff token: Authorization: Bearer TOKEN (courtsync token create on this node)"
                ))
            response.headers[.wwwAuthenticate] = "Bearer realm=\"courtsync\""
            return response
        }
        return try await next(request, context)
    }
}
