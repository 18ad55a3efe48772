import HTTPTypes
import Hummingbird

/// Gives each request an id: the caller's `X-Request-Id` when it is 1–64 characters of
/// `[A-Za-z0-9._-]`, else Hummingbird's own. Echoed on every response, journaled with writes.
public struct RequestIDMiddleware<Context: LumbungRequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let id = RequestIDs.id(request.headers, generated: context.id)
        context.access.requestID = id
        do {
            var response = try await next(request, context)
            response.headers[requestIDField] = id
            return response
        } catch var error as APIError {
            error.requestID = id
            throw error
        }
    }
}

/// A request's id, for ``RequestIDMiddleware`` and the persons fast path.
enum RequestIDs {
    /// The caller's `X-Request-Id` when it is sane, else `generated` (Hummingbird's id: the
    /// context's for a routed request, a fresh ``RequestID`` on the fast path).
    @inline(__always)
    static func id(_ fields: HTTPFields, generated: @autoclosure () -> String = RequestID().description) -> String {
        fields[requestIDField].flatMap(RequestParts.requestID) ?? generated()
    }
}

/// Turns every error into an ``APIError`` (an RFC 9457 problem response), so callers only ever
/// see `application/problem+json`; logs server-side failures with their detail.
public struct ProblemMiddleware<Context: LumbungRequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var problem = APIError(from: error)
            problem.requestID = context.access.requestID
            if problem.status.code >= 500 {
                // LumbungError messages mask NIKs; other errors carry no request data.
                context.logger.error("request failed", metadata: [
                    "error": "\(error)", "route": "\(context.endpointPath ?? "-")", "request_id": "\(context.access.requestID)",
                ])
            }
            throw problem
        }
    }
}
