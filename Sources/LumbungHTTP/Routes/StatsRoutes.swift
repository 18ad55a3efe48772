import Hummingbird
import Lumbung

/// `GET /v1/stats?wilayah=…`: counts from the store's counters, within the token's scope; with
/// `pkh=true` (and `tanggal`, default today) also households and members per PKH component
/// (``StatsReport/pkh``), from the member index of the same region.
struct StatsRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    /// Also mounted under `/v1/snapshots/:period`, where it counts that snapshot.
    func add(to group: RouterGroup<Context>) {
        group.get("stats", use: stats)
    }

    @Sendable func stats(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        let parameters = try RequestInput.query(request, allowed: ["wilayah", "pkh", "tanggal"])
        let requested = try parameters["wilayah"].map { text in try RequestInput.parse("wilayah", text) { try KodeWilayah($0) } }
        guard case .within(let wilayah) = token.scope.narrow(requested) else {
            throw LumbungError(.requestNotFound, field: "wilayah", value: requested?.dotted, rule: "no such wilayah in this token's scope")
        }
        let pkh = try RequestInput.flag("pkh", parameters["pkh"]) ?? false
        let date = try parameters["tanggal"].map { text in try RequestInput.parse("tanggal", text) { try CalendarDate(parsing: $0) } }
        if date != nil, !pkh {
            throw APIError(LumbungError(.requestInvalid, field: "tanggal", value: date?.description, rule: "tanggal dates the PKH counts: it goes with pkh=true"))
        }
        let pkhDate = pkh ? date ?? .today() : nil
        let report = try await api.gateway.read(try HouseholdRoutes<Context>.source(context)) { tx in
            try tx.statsReport(wilayah: wilayah, pkhOn: pkhDate)
        }
        return report.json().response()
    }
}
