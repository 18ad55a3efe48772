import Foundation
import Hummingbird
import Lumbung
import LumbungHTTP
import LumbungIO
import Testing

/// `POST /v1/match`: pemadanan over HTTP of text, CSV and .xlsx lists, answered as JSON, CSV or
/// .xlsx with `lumbung match`'s fields, inside the token's scope, and its limits.
@Suite struct MatchRouteTests {
    /// A NIK of the first member with one in each household.
    static func nik(of household: Household) -> NIK { household.members.compactMap(\.nik.nik).first! }

    /// A valid NIK no household holds: `near`'s region and birth date, another serial.
    static func absentNIK(near nik: NIK, in store: Store) throws -> NIK {
        for serial in 9000...9999 {
            guard let candidate = try? NIK(String(nik.text.prefix(12)) + String(serial)) else { continue }
            if try store.read({ tx in try tx.household(nik: candidate) }) == nil { return candidate }
        }
        throw LumbungError(.requestInvalid, rule: "no free serial")
    }

    static let xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// The rows `lumbung match` writes for `niks` (as JSON Lines, parsed), read from a file of
    /// those lines: what the route's `results` must be.
    static func cliRows(_ list: String, input: MatchInput = .lines, suffix: String = ".txt", fixture: APIFixture) throws -> [NSDictionary] {
        let path = fixture.directory.sub("cli-\(UUID().uuidString.prefix(8))\(suffix)")
        try list.write(toFile: path, atomically: true, encoding: .utf8)
        var bytes: [UInt8] = []
        let matcher = SortedMatcher(store: fixture.store, output: .jsonLines) { bytes += $0 }
        try input.forEachNIK(in: path, matcher)
        try matcher.finish()
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map { line in
            try! JSONSerialization.jsonObject(with: Data(line.utf8)) as! NSDictionary
        }
    }

    static func results(_ answer: APIFixture.Client.Download) -> [NSDictionary] {
        (answer.json["results"] as? [NSDictionary]) ?? []
    }

    static func summary(_ answer: APIFixture.Client.Download) -> [String: Int] {
        (answer.json["summary"] as? [String: Int]) ?? [:]
    }

    @Test func aTextListIsAnsweredAsLumbungMatchAnswersIt() async throws {
        let fixture = try APIFixture(households: 60)
        let a = fixture.inA[0], b = fixture.inB[0]
        let absent = try Self.absentNIK(near: Self.nik(of: b), in: fixture.store)
        let list = "\(Self.nik(of: a).text)\n\n  \(absent.text)  \n12345\n\(Self.nik(of: b).text)\n"
        try await fixture.test { client in
            let answer = try await client.send(.post, "/v1/match", contentType: "text/plain; charset=utf-8", body: Array(list.utf8))
            #expect(answer.status == .ok, "\(answer.text.prefix(300))")
            #expect(answer.contentType == "application/json")
            #expect(Self.summary(answer) == ["found": 2, "not_found": 1, "invalid": 1])
            let rows = Self.results(answer)
            #expect(rows == (try Self.cliRows(list, fixture: fixture)))
            #expect(rows.map { $0["line"] as? Int } == [1, 3, 4, 5])
            #expect(rows.map { $0["hasil"] as? String } == ["found", "not_found", "invalid", "found"])
            #expect(rows[0]["id"] as? String == a.id!.description)
            #expect(rows[0]["nomor_kk"] as? String == a.nomorKK.text)
            #expect(rows[0]["kode_wilayah"] as? String == a.wilayah.dotted)
            #expect(rows[1]["id"] as? String == "")
            #expect((rows[2]["alasan"] as? String)?.isEmpty == false)
            #expect(Set(rows[0].allKeys as! [String]) == Set(["line"] + Matcher.header))
        }
    }

    @Test func aCSVListIsAnsweredAsACSVDownload() async throws {
        let fixture = try APIFixture(households: 60)
        let found = fixture.households.prefix(5).map(Self.nik(of:))
        let absent = try Self.absentNIK(near: found[0], in: fixture.store)
        let list = "nama;NIK\n" + (found + [absent]).enumerated().map { "Orang \($0.offset);\($0.element.text)\n" }.joined() + "Kosong;\n"
        try await fixture.test { client in
            let answer = try await client.send(.post, "/v1/match?column=NIK", contentType: "text/csv", body: Array(list.utf8), headers: [.accept: "text/csv"])
            #expect(answer.status == .ok, "\(answer.text.prefix(300))")
            #expect(answer.contentType == "text/csv; charset=utf-8")
            let disposition = try #require(answer.disposition)
            #expect(disposition.wholeMatch(of: /attachment; filename="pemadanan-\d{4}-\d{2}-\d{2}\.csv"/) != nil, "\(disposition)")
            let (header, rows) = try DownloadFiles.csv(answer.bytes, in: fixture.directory)
            #expect(header == Matcher.header)
            // Checked against the store, one NIK at a time.
            let expected = try Matcher.match((found + [absent]).enumerated().map { (line: $0.offset + 2, text: $0.element.text) }, in: fixture.store)
            #expect(Array(rows.prefix(6)) == expected.map(Matcher.cells))
            #expect(rows.count == 7 && rows[6][1] == "invalid")
            for (row, nik) in zip(rows, found) {
                let household = try #require(try await fixture.store.read { tx in try tx.household(nik: nik) })
                #expect(row[3] == household.id!.description && row[4] == household.nomorKK.text && row[5] == household.wilayah.dotted)
            }

            // The same list as JSON: `?format=json` wins over Accept; line numbers are the file's.
            let json = try await client.send(.post, "/v1/match?column=NIK&format=json", contentType: "text/csv", body: Array(list.utf8), headers: [.accept: "text/csv"])
            #expect(Self.results(json) == (try Self.cliRows(list, input: .csv(column: "NIK"), suffix: ".csv", fixture: fixture)))
            #expect(Self.results(json).first?["line"] as? Int == 2)
            #expect(Self.summary(json) == ["found": 5, "not_found": 1, "invalid": 1])
        }
    }

    @Test func anXLSXListIsAnsweredAsAnXLSXDownload() async throws {
        let fixture = try APIFixture(households: 60)
        let found = fixture.households.suffix(4).map(Self.nik(of:))
        let absent = try Self.absentNIK(near: found[0], in: fixture.store)
        let niks = found + [absent]
        let workbook = try DownloadFiles.workbook([["No", "NIK"]] + niks.enumerated().map { ["\($0.offset + 1)", $0.element.text] } + [["6", "3216"]], in: fixture.directory)
        try await fixture.test { client in
            let answer = try await client.send(.post, "/v1/match?column=NIK&format=xlsx", contentType: Self.xlsxType, body: workbook)
            #expect(answer.status == .ok, "\(answer.text.prefix(300))")
            #expect(answer.contentType == Self.xlsxType)
            #expect(answer.disposition?.hasSuffix(".xlsx\"") == true)
            let rows = try DownloadFiles.xlsx(answer.bytes, in: fixture.directory)
            #expect(rows.first == Matcher.header)
            let expected = try Matcher.match(niks.enumerated().map { (line: $0.offset + 2, text: $0.element.text) }, in: fixture.store)
            func padded(_ row: [String]) -> [String] { row + Array(repeating: "", count: max(0, Matcher.header.count - row.count)) }
            #expect(rows.dropFirst().prefix(5).map(padded) == expected.map(Matcher.cells))
            #expect(rows.count == 7 && rows[6][1] == "invalid")

            // As JSON, each row's line is the sheet's row.
            let json = try await client.send(.post, "/v1/match?column=NIK", contentType: Self.xlsxType, body: workbook)
            #expect(Self.results(json).map { $0["line"] as? Int } == [2, 3, 4, 5, 6, 7])
            #expect(Self.summary(json) == ["found": 4, "not_found": 1, "invalid": 1])
        }
    }

    @Test func aWorkbookLibreOfficeWroteIsReadLikeItsCSV() async throws {
        let fixture = try APIFixture(households: 40)
        let niks = fixture.households.prefix(6).map(Self.nik(of:))
        let csv = "NIK,nama\n" + niks.map { "\($0.text),Warga\n" }.joined() + "not-a-nik,Salah\n"
        let workbook = try DownloadFiles.libreOfficeWorkbook(fromCSV: csv, columns: 2, in: fixture.directory)
        try await fixture.test { client in
            let fromWorkbook = try await client.send(.post, "/v1/match?column=NIK", contentType: Self.xlsxType, body: workbook)
            let fromCSV = try await client.send(.post, "/v1/match?column=NIK", contentType: "text/csv", body: Array(csv.utf8))
            #expect(fromWorkbook.status == .ok, "\(fromWorkbook.text.prefix(300))")
            #expect(Self.summary(fromWorkbook) == ["found": 6, "not_found": 0, "invalid": 1])
            #expect(Self.results(fromWorkbook) == Self.results(fromCSV))
        }
    }

    /// A desa token's NIK held in another desa is answered byte for byte as a NIK no household
    /// holds, in every form: the scope is applied in the matcher, where the households are read.
    @Test func aNIKOutsideTheScopeAnswersExactlyAsAnAbsentOne() async throws {
        let fixture = try APIFixture(households: 80)
        let inside = Self.nik(of: fixture.inA[0]), outside = Self.nik(of: fixture.inB[0])
        let absent = try Self.absentNIK(near: outside, in: fixture.store)
        try await fixture.test { client in
            // The whole-store token finds it: it is there.
            let admin = try await client.send(.post, "/v1/match", contentType: "text/plain", body: Array("\(outside.text)\n".utf8))
            #expect(Self.summary(admin)["found"] == 1)

            for format in ["json", "csv", "xlsx"] {
                func answer(_ nik: NIK) async throws -> APIFixture.Client.Download {
                    try await client.send(.post, "/v1/match?format=\(format)", as: "viewerA", contentType: "text/plain", body: Array("\(inside.text)\n\(nik.text)\n".utf8))
                }
                let held = try await answer(outside), none = try await answer(absent)
                #expect(held.status == .ok && none.status == .ok)
                if format == "xlsx" {
                    // A zip carries its write time: compare the cells.
                    let heldRows = try DownloadFiles.xlsx(held.bytes, in: fixture.directory), noneRows = try DownloadFiles.xlsx(none.bytes, in: fixture.directory)
                    #expect(heldRows.map { $0.map { $0.replacingOccurrences(of: outside.text, with: "NIK") } } == noneRows.map { $0.map { $0.replacingOccurrences(of: absent.text, with: "NIK") } })
                    #expect(heldRows[1][1] == "found" && heldRows[2][1] == "not_found")
                } else {
                    #expect(held.text.replacingOccurrences(of: outside.text, with: "NIK") == none.text.replacingOccurrences(of: absent.text, with: "NIK"), "\(format)")
                    #expect(held.text.contains("not_found") && held.text.contains("found"))
                }
                #expect(!held.text.contains(fixture.inB[0].nomorKK.text) && !held.text.contains(fixture.inB[0].wilayah.dotted))
            }
        }
    }

    @Test func limitsAndBadRequestsNameTheFieldAndRule() async throws {
        let fixture = try APIFixture(households: 20)
        let nik = Self.nik(of: fixture.households[0]).text
        try await fixture.test { client in
            #expect(try await client.send(.post, "/v1/match", as: nil, contentType: "text/plain", body: Array(nik.utf8)).status == .unauthorized)

            for type in ["application/json", "application/x-www-form-urlencoded", nil] {
                let answer = try await client.send(.post, "/v1/match", contentType: type, body: Array(nik.utf8))
                #expect(answer.status == .unsupportedMediaType, "\(type ?? "none")")
                #expect(answer.code == "request.mediaType" && answer.problem["field"] as? String == "Content-Type")
                #expect((answer.problem["rule"] as? String)?.contains("text/csv") == true)
            }

            let csv = Array("nama,NIK\nSiti,\(nik)\n".utf8)
            let noColumn = try await client.send(.post, "/v1/match", contentType: "text/csv", body: csv)
            #expect(noColumn.status == .badRequest && noColumn.problem["field"] as? String == "column")
            let wrongColumn = try await client.send(.post, "/v1/match?column=nik_kepala", contentType: "text/csv", body: csv)
            #expect(wrongColumn.status == .badRequest && wrongColumn.code == "csv.header")
            #expect(wrongColumn.problem["field"] as? String == "column" && wrongColumn.problem["value"] as? String == "nik_kepala")
            #expect((wrongColumn.problem["rule"] as? String)?.hasSuffix("nama, NIK") == true, "\(wrongColumn.text)")
            #expect(!wrongColumn.text.contains("lumbung-match"), "the spool file's name leaks: \(wrongColumn.text)")

            let workbook = try DownloadFiles.workbook([["nama", "NIK"], ["Siti", nik]], in: fixture.directory)
            let wrongSheetColumn = try await client.send(.post, "/v1/match?column=KTP", contentType: Self.xlsxType, body: workbook)
            #expect(wrongSheetColumn.status == .badRequest && wrongSheetColumn.problem["field"] as? String == "column")
            #expect((wrongSheetColumn.problem["rule"] as? String)?.hasSuffix("nama, NIK") == true)
            let notAWorkbook = try await client.send(.post, "/v1/match?column=NIK", contentType: Self.xlsxType, body: csv)
            #expect(notAWorkbook.status == .badRequest && notAWorkbook.code == "xlsx.notWorkbook")
            #expect(!notAWorkbook.text.contains("lumbung-match"))

            let columnOnText = try await client.send(.post, "/v1/match?column=NIK", contentType: "text/plain", body: Array(nik.utf8))
            #expect(columnOnText.status == .badRequest && columnOnText.problem["field"] as? String == "column")
            let badFormat = try await client.send(.post, "/v1/match?format=pdf", contentType: "text/plain", body: Array(nik.utf8))
            #expect(badFormat.status == .badRequest && badFormat.problem["field"] as? String == "format")

            // Over the byte limit: refused while the body is spooled, naming the limit.
            let oversized = try await client.send(.post, "/v1/match", contentType: "text/plain", body: [UInt8](repeating: 0x31, count: 64 << 20 + 1))
            #expect(oversized.status == .contentTooLarge && oversized.code == "request.tooLarge", "\(oversized.status) \(oversized.text.prefix(300))")
            #expect((oversized.problem["rule"] as? String)?.contains(String(64 << 20)) == true)
            // Over the NIK limit: a million and one lines (of a NIK no household holds); a million pass.
            let absent = Array("\(try Self.absentNIK(near: try NIK(nik), in: fixture.store).text)\n".utf8)
            let many = try await client.send(.post, "/v1/match", contentType: "text/plain", body: Array(repeating: absent, count: 1_000_001).flatMap { $0 })
            #expect(many.status == .contentTooLarge && many.code == "request.tooLarge")
            #expect((many.problem["rule"] as? String)?.contains("1000000 NIKs") == true, "\(many.text)")
            let million = try await client.send(.post, "/v1/match?format=csv", contentType: "text/plain", body: Array(repeating: absent, count: 1_000_000).flatMap { $0 })
            #expect(million.status == .ok)
            #expect(million.bytes.count { $0 == 0x0A } == 1_000_001)
        }
    }
}
