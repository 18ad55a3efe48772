import Hummingbird
import Lumbung
import Metrics
import Prometheus

/// `GET /metrics`: Prometheus text from the registry the server bootstrapped swift-metrics with
/// (request counts and latencies by route pattern, from Hummingbird's `MetricsMiddleware`),
/// plus the store's size and counts, read at each scrape. Admin tokens for the whole store only: the figures are store-wide.
struct MetricsRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>
    let registry: PrometheusCollectorRegistry

    func add(to group: RouterGroup<Context>) {
        func gauge(_ subsystem: String?, _ name: String, _ unit: String, _ help: String) -> Prometheus.Gauge {
            self.registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "lumbung", subsystem: subsystem, metricName: name, unitName: unit, helpText: help))
        }
        let fileBytes = gauge("store", "file", "bytes", "Bytes of data.mdb")
        let mapBytes = gauge("store", "map", "bytes", "The LMDB map size")
        let households = gauge(nil, "households", "", "Households in the store")
        let members = gauge(nil, "members", "", "Members in the store")
        let journal = gauge("journal", "sequence", "", "The newest journal sequence number")
        let registry = self.registry
        let gateway = api.gateway
        group.get("metrics") { request, context -> Response in
            try context.access.authorized(.admin).requireWholeStore(for: "/metrics")
            _ = try RequestInput.query(request, allowed: [])
            let (file, total, sequence) = try await gateway.run { store in
                let figures = try store.read { tx in (try tx.counts().total, try tx.lastSequence()) }
                return (try store.fileInfo(), figures.0, figures.1)
            }
            fileBytes.set(Double(file.fileSize))
            mapBytes.set(Double(file.mapSize))
            households.set(Double(total.households))
            members.set(Double(total.members))
            journal.set(Double(sequence))
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}

extension PrometheusMetricsFactory {
    /// A factory on `registry` with latency buckets fit for sub-millisecond requests.
    public static func lumbung(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(100), .milliseconds(500), .seconds(2),
        ]
        return factory
    }
}
