import Hummingbird
import Lumbung

/// Requires `Authorization: Bearer <secret>` and puts the token it names into the context.
/// A missing header is `auth.missing`, an unknown, malformed or revoked token `auth.invalid`
/// (both 401). The token is looked up on every request, so a revocation counts at once.
public struct AuthenticationMiddleware<Context: LumbungRequestContext>: RouterMiddleware {
    let gateway: StoreGateway

    public init(gateway: StoreGateway) { self.gateway = gateway }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw LumbungError(.authMissing, rule: "send `Authorization: Bearer <token>` (create one with `lumbung token create`)")
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the header is `Bearer <token>`")
        }
        let secret = String(parts[1]).trimmingCharacters(in: .whitespaces)
        guard let token = try await gateway.authenticate(secret: secret) else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the token is unknown or revoked")
        }
        var context = context
        context.access.token = token
        context.logger[metadataKey: "actor"] = .string(token.actor)
        return try await next(request, context)
    }
}
