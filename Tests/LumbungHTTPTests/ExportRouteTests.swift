import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import LumbungIO
import Testing

/// `GET /v1/export` and `/v1/snapshots/{period}/export`: a selection, filtered as `GET
/// /v1/households` filters and cut to the token's scope, downloaded as `lumbung export` writes it.
@Suite struct ExportRouteTests {
    /// What `lumbung export` writes for `query`: the exporter's file, read back.
    static func exported(_ query: HouseholdQuery, from store: Store, in directory: TemporaryDirectory) throws -> [UInt8] {
        let path = directory.sub("cli-\(UUID().uuidString.prefix(8)).csv")
        _ = try Exporter.export(from: store, matching: query, as: .csv, to: path)
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The household ids of an export's rows (one row a member).
    static func ids(_ rows: [[String]]) -> Set<String> { Set(rows.map { $0[0] }) }

    @Test func aSelectionDownloadsAsLumbungExportWritesIt() async throws {
        let fixture = try APIFixture(households: 120)
        var desaA = HouseholdQuery()
        desaA.wilayah = fixture.desaA
        let expected = try Self.exported(desaA, from: fixture.store, in: fixture.directory)
        try await fixture.test { client in
            let answer = try await client.send(.get, "/v1/export?wilayah=\(fixture.desaA.dotted)")
            #expect(answer.status == .ok)
            #expect(answer.contentType == "text/csv; charset=utf-8")
            let disposition = try #require(answer.disposition)
            #expect(disposition.wholeMatch(of: /attachment; filename="lumbung-32\.16\.\d\d\.\d{4}-\d{4}-\d{2}-\d{2}\.csv"/) != nil, "\(disposition)")
            #expect(disposition.contains(fixture.desaA.dotted))
            #expect(answer.bytes == expected)
            let (header, rows) = try DownloadFiles.csv(answer.bytes, in: fixture.directory)
            #expect(header.first == "id")
            #expect(Self.ids(rows) == Set(fixture.inA.map { $0.id!.description }))
            #expect(rows.count == fixture.inA.reduce(0) { $0 + $1.members.count })

            // The filters of GET /v1/households select the same households.
            let filters = "program=PKH&desil_max=6&wilayah=32.16"
            let filtered = try await client.send(.get, "/v1/export?\(filters)")
            let page = try await client.call(.get, "/v1/households?\(filters)&limit=1000")
            let listed = Set(((page.json["households"] as? [[String: Any]]) ?? []).map { String($0["id"] as! Int) })
            #expect(!listed.isEmpty)
            #expect(Self.ids(try DownloadFiles.csv(filtered.bytes, in: fixture.directory).rows) == listed)

            // The same selection as .xlsx: the CSV's rows on a sheet.
            let workbook = try await client.send(.get, "/v1/export?wilayah=\(fixture.desaA.dotted)&format=xlsx")
            #expect(workbook.status == .ok)
            #expect(workbook.contentType == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            #expect(workbook.disposition?.hasSuffix(".xlsx\"") == true)
            func trimmed(_ row: [String]) -> [String] { Array(row.reversed().drop { $0.isEmpty }.reversed()) }
            let sheet = try DownloadFiles.xlsx(workbook.bytes, in: fixture.directory)
            #expect(sheet.map(trimmed) == ([header] + rows).map(trimmed))
        }
    }

    @Test func aDesaTokenExportsItsDesaAndNothingElse() async throws {
        let fixture = try APIFixture(households: 120)
        var desaA = HouseholdQuery()
        desaA.wilayah = fixture.desaA
        let expected = try Self.exported(desaA, from: fixture.store, in: fixture.directory)
        let outside = Set(fixture.households.filter { !fixture.desaA.contains($0.wilayah) }.map { $0.id!.description })
        try await fixture.test { client in
            let all = try await client.send(.get, "/v1/export", as: "viewerA")
            #expect(all.status == .ok)
            #expect(all.bytes == expected)
            #expect(all.disposition?.contains("lumbung-\(fixture.desaA.dotted)-") == true)
            #expect(Self.ids(try DownloadFiles.csv(all.bytes, in: fixture.directory).rows).isDisjoint(with: outside))

            for format in ["csv", "xlsx"] {
                // Another desa, or its kabupaten: nothing outside the scope.
                let other = try await client.send(.get, "/v1/export?wilayah=\(fixture.desaB.dotted)&format=\(format)", as: "viewerA")
                #expect(other.status == .ok)
                let rows = format == "csv" ? try DownloadFiles.csv(other.bytes, in: fixture.directory).rows : Array(try DownloadFiles.xlsx(other.bytes, in: fixture.directory).dropFirst())
                #expect(rows.isEmpty, "\(format)")
                let wider = try await client.send(.get, "/v1/export?wilayah=32.16&format=\(format)", as: "viewerA")
                let widerRows = format == "csv" ? try DownloadFiles.csv(wider.bytes, in: fixture.directory).rows : Array(try DownloadFiles.xlsx(wider.bytes, in: fixture.directory).dropFirst())
                #expect(Self.ids(widerRows) == Set(fixture.inA.map { $0.id!.description }), "\(format)")
            }
        }
    }

    @Test func aSnapshotExportsAsItWas() async throws {
        let fixture = try APIFixture(households: 60)
        _ = try fixture.store.snapshots.create(period: try SnapshotName("2026-10"))
        let removed = fixture.inA[0]
        _ = try await fixture.store.write(actor: "test") { tx in try tx.delete(id: removed.id!) }
        try await fixture.test { client in
            let then = try await client.send(.get, "/v1/snapshots/2026-10/export", as: "viewerA")
            #expect(then.status == .ok)
            #expect(then.disposition == #"attachment; filename="lumbung-\#(fixture.desaA.dotted)-2026-10.csv""#)
            #expect(Self.ids(try DownloadFiles.csv(then.bytes, in: fixture.directory).rows).contains(removed.id!.description))
            let now = try await client.send(.get, "/v1/export", as: "viewerA")
            #expect(!Self.ids(try DownloadFiles.csv(now.bytes, in: fixture.directory).rows).contains(removed.id!.description))
            #expect(try await client.send(.get, "/v1/snapshots/2030-01/export").status == .notFound)
        }
    }

    @Test func badParametersNameTheField() async throws {
        let fixture = try APIFixture(households: 20)
        try await fixture.test { client in
            #expect(try await client.send(.get, "/v1/export", as: nil).status == .unauthorized)
            let format = try await client.send(.get, "/v1/export?format=pdf")
            #expect(format.status == .badRequest && format.problem["field"] as? String == "format")
            for parameter in ["cursor=x", "limit=5", "kk=3216010101010001"] {
                let answer = try await client.send(.get, "/v1/export?\(parameter)")
                #expect(answer.status == .badRequest, "\(parameter)")
                #expect((answer.problem["rule"] as? String)?.contains("unknown query parameter") == true)
            }
            let desil = try await client.send(.get, "/v1/export?desil_min=7&desil_max=2")
            #expect(desil.status == .badRequest && desil.problem["field"] as? String == "desil_min")
        }
    }
}
