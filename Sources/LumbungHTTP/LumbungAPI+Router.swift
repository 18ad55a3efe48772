import Hummingbird
import Logging
import Lumbung

extension LumbungAPI where Context == LumbungBasicRequestContext {
    /// A router with the whole API at its root, as `lumbung serve` runs it: request metrics and
    /// one log line per request (by route pattern, never the path, which may hold a NIK), and
    /// problem responses for unknown routes too, and 405 with `Allow` for a method a route does
    /// not take.
    public func router(logLevel: Logger.Level = .info) -> Router<Context> {
        let router = Router(context: Context.self)
        install(on: router, logLevel: logLevel)
        return router
    }
}

extension LumbungAPI {
    /// Adds the middleware and the routes of ``router(logLevel:)`` to `router`, each middleware
    /// once: at the router's root, so unknown routes get ids, log lines, metrics and problems.
    func install(on router: Router<Context>, logLevel: Logger.Level) {
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RequestLogMiddleware(level: logLevel))
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        addEndpoints(to: router.group())
        // After the routes: it answers 405 for a method a known path does not take.
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    }
}
