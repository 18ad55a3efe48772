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
        let (counts, children) = try await api.gateway.read(try HouseholdRoutes<Context>.source(context)) { tx in
            let counts = try tx.counts(wilayah: wilayah)
            var children: [(KodeWilayah, Count)] = []
            if wilayah?.level != .desa {
                for child in WilayahTable.shared.children(of: wilayah) {
                    let total = try tx.counts(wilayah: child).total
                    if total.households != 0 || total.members != 0 { children.append((child, total)) }
                }
            }
            return (counts, children)
        }
        return Self.json(counts, children: children).response()
    }

    static func json(_ counts: RegionCounts, children: [(KodeWilayah, Count)]) -> JSONBody {
        func count(_ c: Count) -> JSONBody { .object([("households", .int(c.households)), ("members", .int(c.members))]) }
        func group<Key>(_ keys: [Key], _ values: [Key: Count], _ name: (Key) -> String) -> JSONBody {
            .object(keys.compactMap { key in values[key].map { (name(key), count($0)) } })
        }
        return .object([
            ("wilayah", counts.wilayah.map { .string($0.dotted) } ?? .null),
            ("nama", .string(counts.wilayah.map { $0.name ?? "" } ?? "Seluruh Indonesia")),
            ("total", count(counts.total)),
            ("status", group(HouseholdStatus.allCases, counts.byStatus, \.description)),
            ("program", group(Program.allCases, counts.byProgram, \.name)),
            ("desil", group(counts.byDesil.keys.sorted(), counts.byDesil, { String($0) })),
            ("nik_flagged", group(NIKStatus.Kind.allCases, counts.flaggedNIK, \.rawValue)),
            ("children", .array(children.map { child, total in
                .object([
                    ("wilayah", .string(child.dotted)), ("nama", .string(child.name ?? "")),
                    ("households", .int(total.households)), ("members", .int(total.members)),
                ])
            })),
        ])
    }
}
