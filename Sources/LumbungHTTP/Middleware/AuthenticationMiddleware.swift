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
        let secret = try BearerAuthentication.secret(request.headers[.authorization])
        let token = try BearerAuthentication.known(try await gateway.authenticate(secret: secret))
        var context = context
        context.access.token = token
        return try await next(request, context)
    }
}

/// The steps of bearer authentication, shared by ``AuthenticationMiddleware`` and the persons
/// fast path (which takes the token from the gateway on the calling thread).
enum BearerAuthentication {
    /// The secret of an `Authorization` header, or `auth.missing` / `auth.invalid`.
    @inline(__always)
    static func secret(_ header: String?) throws(LumbungError) -> String {
        guard let header else {
            throw LumbungError(.authMissing, rule: "send `Authorization: Bearer <token>` (create one with `lumbung token create`)")
        }
        guard let secret = RequestParts.bearerSecret(header) else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the header is `Bearer <token>`")
        }
        return secret
    }

    /// The token a secret named, or `auth.invalid` when it named none.
    @inline(__always)
    static func known(_ token: AccessToken?) throws(LumbungError) -> AccessToken {
        guard let token else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the token is unknown or revoked")
        }
        return token
    }
}
