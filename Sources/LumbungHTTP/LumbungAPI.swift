import Hummingbird
import Lumbung
import Prometheus

/// Lumbung's HTTP API as routes you add to a Hummingbird router: `lumbung serve` does exactly
/// this, and so can your own application.
///
/// ```swift
/// let store = try Store(path: "/var/lib/lumbung/3216")
/// let router = Router(context: LumbungBasicRequestContext.self)
/// LumbungAPI<LumbungBasicRequestContext>(store: store).addRoutes(to: router.group("lumbung"))
/// let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 8080)))
/// try await app.runService()
/// ```
///
/// Every route but `/health` needs `Authorization: Bearer <secret>` (see `lumbung token`), and
/// every answer to a token is limited to that token's wilayah scope.
public struct LumbungAPI<Context: LumbungRequestContext>: Sendable {
    /// Limits and defaults.
    public struct Configuration: Sendable {
        /// The largest request body accepted; larger ones get 413.
        public var bodyLimit: Int = 1 << 20
        /// Households per page when the request does not say.
        public var defaultPageSize = 50
        /// The most households a page may ask for.
        public var maxPageSize = 1000
        /// The longest a `GET /v1/changes?wait=` long poll waits.
        public var maxLongPoll: Duration = .seconds(30)
        /// Where `GET /metrics` reads from: the registry swift-metrics was bootstrapped with
        /// (`MetricsSystem.bootstrap(PrometheusMetricsFactory.lumbung(registry:))`). Without
        /// one there is no `/metrics` route.
        public var metricsRegistry: PrometheusCollectorRegistry?
        /// How many writes a scoped token may have refused for clashes outside its scope before
        /// its writes wait (see ``ScopeConflictGuard``).
        public var conflictBudget = ScopeConflictGuard.Budget()
        /// Whether `/console/` serves the web console (`lumbung serve --console`); off, it is 404.
        public var console = false

        public init() {}
    }

    public let gateway: StoreGateway
    public let configuration: Configuration
    /// Refusals of scoped writes that clash outside the scope: journaled, counted, rate-limited.
    public let conflicts: ScopeConflictGuard

    public init(store: Store, configuration: Configuration = Configuration()) {
        self.init(gateway: StoreGateway(store: store), configuration: configuration)
    }

    public init(gateway: StoreGateway, configuration: Configuration = Configuration()) {
        self.gateway = gateway
        self.configuration = configuration
        self.conflicts = ScopeConflictGuard(budget: configuration.conflictBudget)
    }

    /// Adds `/health` and the authenticated `/v1/…` routes, with request ids and
    /// `application/problem+json` errors, to `router` (a router or a group of one).
    public func addRoutes(to router: some RouterMethods<Context>) {
        addEndpoints(to: router.group()
            .add(middleware: RequestIDMiddleware())
            .add(middleware: ProblemMiddleware()))
    }

    /// Adds the routes to `root`, whose requests have passed ``RequestIDMiddleware`` and
    /// ``ProblemMiddleware`` once: in ``addRoutes(to:)``'s group, or at a router's root.
    func addEndpoints(to root: RouterGroup<Context>) {
        root.get("health") { _, _ in
            JSONValue.object([("status", .string("ok"))]).response()
        }
        let v1 = root.group("v1").add(middleware: AuthenticationMiddleware(gateway: gateway))
        HouseholdRoutes(api: self).add(to: v1)
        StatsRoutes(api: self).add(to: v1)
        ChangesRoutes(api: self).add(to: v1)
        SnapshotRoutes(api: self).add(to: v1)
        RequestRoutes(api: self).add(to: v1)
        EvidenceRoutes(api: self).add(to: v1)
        MatchRoutes(api: self).add(to: v1)
        ExportRoutes(api: self).add(to: v1)
        let authenticated = root.group().add(middleware: AuthenticationMiddleware(gateway: gateway))
        DCIRoutes(api: self).add(to: authenticated)
        OpenAPIRoutes().add(to: authenticated)
        if let registry = configuration.metricsRegistry {
            MetricsRoutes(api: self, registry: registry).add(to: authenticated)
        }
        if configuration.console {
            ConsoleRoutes().add(to: root)
        }
    }
}
