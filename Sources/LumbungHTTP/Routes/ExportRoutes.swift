import Foundation
import Hummingbird
import Lumbung
import LumbungIO

/// `GET /v1/export` (and `/v1/snapshots/{period}/export`): the households a filter selects,
/// inside the token's scope, as a CSV or .xlsx download with `lumbung export`'s columns.
///
/// The filters are those of `GET /v1/households` (``HouseholdRoutes/filterParameters``, parsed
/// and narrowed to the scope by ``HouseholdRoutes/query(_:token:)``), so a desa token exports
/// its desa and nothing else. CSV streams page by page (``Exporter/exportCSV(from:matching:write:)``,
/// after the exporter's first pass for the attribute columns): memory holds a few pages
/// whatever the selection. An .xlsx cannot stream (a zip is written by seeking and ends with its
/// directory): it is built in a temporary file (memory stays bounded), then sent, and it holds
/// at most ``xlsxHouseholdLimit`` households; a larger selection is refused before any work.
struct ExportRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    /// The most households an .xlsx export holds (about a million member rows: one sheet, and
    /// a file built within a minute or so); larger selections are exported as CSV.
    static var xlsxHouseholdLimit: Int { 200_000 }

    /// The filters of `GET /v1/households` and `format`.
    static var parameters: Set<String> { HouseholdRoutes<Context>.filterParameters.union(["format"]) }

    func add(to group: RouterGroup<Context>) {
        group.get("export", use: export)
    }

    @Sendable func export(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        let parameters = try RequestInput.query(request, allowed: Self.parameters)
        let format = try parameters["format"].map { text in
            guard let format = DownloadFile(rawValue: text) else {
                throw APIError(LumbungError(.requestInvalid, field: "format", value: String(text.prefix(16)), rule: DownloadFile.choices(DownloadFile.allCases.map(\.rawValue))))
            }
            return format
        } ?? .csv
        // nil: the wilayah asked for lies outside the scope; the file has its header only.
        let query = try HouseholdRoutes<Context>.query(parameters, token: token)
        let source = try HouseholdRoutes<Context>.source(context)
        // Counting first also answers 404 for a snapshot that does not exist, before the 200.
        let households = try await api.gateway.read(source) { [query] tx in try query.map { try tx.count($0).households } ?? 0 }
        if format == .xlsx && households > Self.xlsxHouseholdLimit {
            throw APIError(LumbungError(
                .requestTooLarge, field: "format", value: "xlsx",
                rule: "an .xlsx export holds at most \(Self.xlsxHouseholdLimit) households and this selection has \(households); narrow the filters or ask for format=csv"))
        }
        let wilayah = (query?.wilayah ?? token.scope.wilayah)?.dotted ?? "semua"
        let date: String = switch source {
        case .live: DownloadFile.today
        case .snapshot(let name): name.description
        }
        let store = api.gateway.store
        let body = ProducedBody.body { send in
            try Self.withStore(store, source) { store in try Self.write(format, query: query, from: store, send: send) }
        }
        return Response(status: .ok, headers: format.headers(name: "lumbung-\(wilayah)-\(date)"), body: body)
    }

    /// Runs `body` with the live store or the snapshot `source` names.
    static func withStore<R>(_ store: Store, _ source: ReadSource, _ body: (Store) throws -> R) throws -> R {
        switch source {
        case .live: try body(store)
        case .snapshot(let name): try store.snapshots.open(name, body)
        }
    }

    /// Writes the export to `send`: CSV page by page; an .xlsx built in a temporary file, then
    /// its bytes. With no query, the header only.
    static func write(_ format: DownloadFile, query: HouseholdQuery?, from store: Store, send: @escaping ([UInt8]) throws -> Void) throws {
        switch (format, query) {
        case (.csv, let query?):
            _ = try Exporter.exportCSV(from: store, matching: query, write: send)
        case (.csv, nil):
            try send(HouseholdFileWriter.Encoder(format: .csv, attributeCodes: [], memberAttributeCodes: []).csvHeader)
        case (.xlsx, _):
            let file = TemporaryFile("export", suffix: ".xlsx")
            if let query {
                _ = try Exporter.export(from: store, matching: query, as: .xlsx, to: file.path)
            } else {
                try HouseholdFileWriter(path: file.path, format: .xlsx).close()
            }
            try file.send(to: send)
        }
    }
}
