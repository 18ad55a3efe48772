import Dispatch
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Records each request's metrics under the names Hummingbird's `MetricsMiddleware` uses
/// (`hb.requests`, `http.server.request.duration`, `hb.request.errors`,
/// `http.server.active_requests`), so dashboards built for Hummingbird keep working. Lumbung
/// owns the names (``RequestMetrics``) because the persons fast path counts its answers in the
/// same series.
public struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = RequestMetrics.active(request.method)
        active.increment()
        do {
            var response = try await next(request, context)
            let (status, body) = (response.status, response.body)
            // Recorded once the body is written, as Hummingbird's middleware does.
            response.body = ResponseBody(contentLength: body.contentLength) { writer in
                defer {
                    RequestMetrics.endpoint(context.endpointPath ?? "Unknown", request.method, status)
                        .record(nanoseconds: DispatchTime.now().uptimeNanoseconds - start)
                    active.decrement()
                }
                try await body.write(writer)
            }
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = RequestMetrics.endpoint(context.endpointPath ?? "NotFound", request.method, status)
            metrics.requests.increment()
            metrics.errors.increment()
            active.decrement()
            throw error
        }
    }
}

/// The request metrics of one route, method and status: the one place their names live.
struct RequestMetrics: Sendable {
    let requests: Counter
    let durations: Timer
    let errors: Counter

    init(route: String, method: HTTPRequest.Method, status: HTTPResponse.Status) {
        let dimensions = [("http.route", route), ("http.request.method", method.rawValue), ("http.response.status_code", String(status.code))]
        requests = Counter(label: "hb.requests", dimensions: dimensions)
        durations = Timer(label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds)
        errors = Counter(
            label: "hb.request.errors",
            dimensions: [("http.route", route), ("http.request.method", method.rawValue), ("error.type", String(status.code))])
    }

    /// Counts one answered request and its duration.
    @inline(__always)
    func record(nanoseconds: UInt64) {
        requests.increment()
        durations.recordNanoseconds(nanoseconds)
    }

    private struct Key: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: HTTPResponse.Status
    }

    /// Made once per route, method and status: the metrics factory's own look-up is slower.
    private static let endpoints = Mutex<[Key: RequestMetrics]>([:])
    private static let methods = Mutex<[HTTPRequest.Method: Meter]>([:])

    static func endpoint(_ route: String, _ method: HTTPRequest.Method, _ status: HTTPResponse.Status) -> RequestMetrics {
        let key = Key(route: route, method: method, status: status)
        return endpoints.withLock { cache in
            if let metrics = cache[key] { return metrics }
            let metrics = RequestMetrics(route: route, method: method, status: status)
            cache[key] = metrics
            return metrics
        }
    }

    /// Requests in flight by method.
    static func active(_ method: HTTPRequest.Method) -> Meter {
        methods.withLock { cache in
            if let meter = cache[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            cache[method] = meter
            return meter
        }
    }
}
