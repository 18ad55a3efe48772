import HTTPTypes
import Hummingbird

/// Answers `405 Method Not Allowed` with `Allow` (instead of the router's 404) to a method a
/// route does not take, such as `TRACE /v1/households`.
///
/// Add it to a router after its routes: Hummingbird then runs it only for requests no route
/// took.
///
/// ```swift
/// api.addRoutes(to: router)
/// router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
/// ```
public struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route pattern with the methods it takes.
    let routes: [(path: RouterPath, methods: [HTTPRequest.Method])]

    public init(routes: [Router<Context>.RouteDescription]) {
        var byPath: [String: (path: RouterPath, methods: [HTTPRequest.Method])] = [:]
        for route in routes {
            byPath[route.path.description, default: (route.path, [])].methods.append(route.method)
        }
        self.routes = byPath.values.sorted { $0.path.description < $1.path.description }
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let allowed = allowedMethods(path: request.uri.path) {
            throw APIError.methodNotAllowed(request.method, allowed: allowed)
        }
        return try await next(request, context)
    }

    /// The methods of the route `path` matches, as the router would pick it (the one with the
    /// most literal components); nil when no route matches.
    func allowedMethods(path: String) -> [HTTPRequest.Method]? {
        let components = path.split(separator: "/")
        let matching = routes.filter { route in
            route.path.count == components.count && zip(route.path, components).allSatisfy { $0 ~= $1 }
        }
        let best = matching.max { literals(in: $0.path) < literals(in: $1.path) }
        return best.map { $0.methods.sorted { $0.rawValue < $1.rawValue } }
    }

    private func literals(in path: RouterPath) -> Int {
        path.filter { $0 == $0.description }.count
    }
}
