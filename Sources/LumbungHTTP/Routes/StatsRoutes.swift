import Hummingbird
import Lumbung

/// `GET /v1/stats?wilayah=…`: counts from the store's counters, within the token's scope.
struct StatsRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    /// Also mounted under `/v1/snapshots/:period`, where it counts that snapshot.
    func add(to group: RouterGroup<Context>) {
        group.get("stats", use: stats)
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        let parameters = try RequestInput.query(request, allowed: ["wilayah"])
        let requested = try parameters["wilayah"].map { text in try RequestInput.parse("wilayah", text) { try KodeWilayah($0) } }
        guard case .within(let wilayah) = token.scope.narrow(requested) else {
            throw LumbungError(.requestNotFound, field: "wilayah", value: requested?.dotted, rule: "no such wilayah in this token's scope")
        }
        let report = try await api.gateway.read(try HouseholdRoutes<Context>.source(context)) { tx in
            try tx.statsReport(wilayah: wilayah)
        }
        return report.json().response()
    }
}
