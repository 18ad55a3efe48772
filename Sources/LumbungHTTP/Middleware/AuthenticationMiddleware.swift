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
        // `Bearer <secret>`, the scheme in any case; parsed on bytes (no Foundation on this path).
        let bytes = Array(header.utf8)
        let scheme = Array("bearer ".utf8)
        guard bytes.count > scheme.count,
            zip(bytes.prefix(scheme.count), scheme).allSatisfy({ $0 | 0x20 == $1 | 0x20 })
        else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the header is `Bearer <token>`")
        }
        let secret = String(decoding: bytes.dropFirst(scheme.count).drop { $0 == 0x20 }.reversed().drop { $0 == 0x20 }.reversed(), as: UTF8.self)
        guard let token = try await gateway.authenticate(secret: secret) else {
            throw LumbungError(.authInvalid, field: "Authorization", rule: "the token is unknown or revoked")
        }
        var context = context
        context.access.token = token
        return try await next(request, context)
    }
}
