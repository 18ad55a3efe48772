import Hummingbird
import Lumbung

/// `/console/…` (only with `lumbung serve --console`): the console's static files, with
/// `Content-Security-Policy: default-src 'self'` on every answer. No token is needed to fetch
/// them: they hold no data, and everything the console shows comes from `/v1` with the user's
/// token.
struct ConsoleRoutes<Context: LumbungRequestContext>: Sendable {
    func add(to root: RouterGroup<Context>) {
        let console = root.group("console").add(middleware: ContentSecurityPolicyMiddleware())
        console.get(use: index)
        console.get("**", use: file)
    }

    /// `index.html`; `/console` without the slash is sent to `/console/`, since the page's
    /// relative module imports need the directory form.
    @Sendable func index(_ request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        guard path.hasSuffix("/") else {
            return Response(status: .movedPermanently, headers: [.location: path + "/"])
        }
        return try await file(request, context: context)
    }

    @Sendable func file(_ request: Request, context: Context) async throws -> Response {
        let name = context.parameters.getCatchAll().joined(separator: "/")
        guard let file = ConsoleFiles.file(name) else {
            throw APIError(.notFound, LumbungError(.requestNotFound, field: "path", value: String(name.prefix(64)), rule: "the console has no such file"))
        }
        var headers = HTTPFields()
        headers[.contentType] = file.mediaType
        // Small files, revalidated each load so an upgraded binary's console is seen at once.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: file.text)))
    }
}

/// Adds `Content-Security-Policy: default-src 'self'` to every answer of the console's group,
/// errors included: the console loads nothing from another origin and runs no inline script.
struct ContentSecurityPolicyMiddleware<Context: LumbungRequestContext>: RouterMiddleware {
    static var policy: String { "default-src 'self'" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            var response = try await next(request, context)
            response.headers[.contentSecurityPolicy] = Self.policy
            return response
        } catch {
            var problem = APIError(from: error)
            problem.requestID = context.access.requestID
            var response = try problem.response(from: request, context: context)
            response.headers[.contentSecurityPolicy] = Self.policy
            return response
        }
    }
}
