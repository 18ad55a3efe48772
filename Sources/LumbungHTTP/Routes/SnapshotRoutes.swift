import Foundation
import Hummingbird
import Lumbung

/// `/v1/snapshots…`: the monthly snapshots, read-only: the list, a manifest, a diff, and the
/// household look-ups, pages, counts and exports of one period (mounted from ``HouseholdRoutes``,
/// ``StatsRoutes`` and ``ExportRoutes``). Everything is limited to the token's scope, like the live routes.
struct SnapshotRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    func add(to group: RouterGroup<Context>) {
        group.get("snapshots", use: list)
        group.get("snapshots/diff", use: diff)
        group.get("snapshots/:period/manifest", use: manifest)
        let period = group.group("snapshots/:period")
        HouseholdRoutes(api: api).addReads(to: period)
        StatsRoutes(api: api).add(to: period)
        ExportRoutes(api: api).add(to: period)
    }

    /// A snapshot name from the path or a query: `YYYY-MM` or `auto-…`, nothing else (so no
    /// `../`), as 400 naming the parameter.
    static func name(_ text: String, field: String = "period") throws -> SnapshotName {
        try RequestInput.parse(field, text) { try SnapshotName($0) }
    }

    /// The complete snapshots, oldest first, with totals for the token's scope.
    @Sendable func list(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        _ = try RequestInput.query(request, allowed: [])
        let listings = try await api.gateway.run { store in try store.snapshots.list() }
        return SnapshotListReport(listings).json(scope: token.scope).response()
    }

    /// The manifest: whole for an unscoped token; for a scoped one, its totals and the counts of
    /// the regions inside its scope only, without the store-wide figures.
    @Sendable func manifest(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        _ = try RequestInput.query(request, allowed: [])
        let name = try Self.name(try context.parameters.require("period"))
        let manifest = try await api.gateway.run { store in try store.snapshots.manifest(name) }
        return JSONBody.response(Array(manifest.encoded(for: token.scope)))
    }

    /// What changed from one snapshot to another (or to `live`): totals and a summary per
    /// region at `by` (default kabupaten), and with `changes=true` each household's change.
    @Sendable func diff(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        let parameters = try RequestInput.query(request, allowed: ["from", "to", "by", "changes", "limit"])
        func side(_ field: String) throws -> DiffSide {
            guard let text = parameters[field] else {
                throw APIError(LumbungError(.requestInvalid, field: field, rule: "name a snapshot (YYYY-MM) or live"))
            }
            return text == "live" ? .live : .snapshot(try Self.name(text, field: field))
        }
        let from = try side("from"), to = try side("to")
        let grouping = try parameters["by"].map { text in try RequestInput.parse("by", text, SnapshotDiff.Grouping.init(parsing:)) } ?? .default
        let withChanges = try RequestInput.flag("changes", parameters["changes"]) ?? false
        let limit = try RequestInput.integer("limit", parameters["limit"], in: 1...10_000) ?? 1000

        let diff = try await api.gateway.run { store in try store.snapshots.diff(from: from, to: to) }
        return diff.json(level: grouping.level, scope: token.scope, changes: withChanges ? limit : nil).response()
    }
}
