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
        router.add(middleware: RequestIDMiddleware())
        router.add(middleware: RequestLogMiddleware(level: logLevel))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        addRoutes(to: router)
        router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
        return router
    }
}
