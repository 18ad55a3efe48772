import Hummingbird
import Lumbung

/// Requires `Authorization: Bearer <secret>` and puts the token it names into the context.
/// A missing header is `auth.missing`, an unknown, malformed or revoked token `auth.invalid`
/// (both 401). A token found is remembered for a second (``StoreGateway/authenticate(secret:)``),
/// so a revocation counts from at most a second later.
public struct AuthenticationMiddleware<Context: LumbungRequestContext>: RouterMiddleware {
    let gateway: StoreGateway

    public init(gateway: StoreGateway) { self.gateway = gateway }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw LumbungError(.authMissing, rule: "send `Authorization: Bearer <token>` (create one with `lumbung token create`)")
        }
        guard let secret = RequestParts.bearerSecret(header) else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the header is `Bearer <token>`")
        }
        guard let token = try await gateway.authenticate(secret: secret) else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the token is unknown or revoked")
        }
        var context = context
        context.access.token = token
        return try await next(request, context)
    }
}
