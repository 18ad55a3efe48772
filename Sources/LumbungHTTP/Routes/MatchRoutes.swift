import Foundation
import Hummingbird
import Lumbung
import LumbungIO

/// `POST /v1/match`: pemadanan over HTTP, as `lumbung match` does it, inside the token's scope.
///
/// The body is a NIK list: `text/plain` (one NIK a line), `text/csv` or an .xlsx workbook
/// (first sheet), the NIKs in the column `?column=NAME` (``MatchInput``). It is spooled to a
/// temporary file (at most ``bodyLimit`` bytes and ``nikLimit`` NIKs, else 413), read through
/// once to check it (a missing column or an unreadable file is 400 before any answer), then
/// matched by ``SortedMatcher`` in sorted runs with the token's scope: a NIK held outside it
/// answers `not_found` exactly as one no household holds. The answer streams, a run at a time:
/// JSON by default (`{"results": [rows], "summary": {found, not_found, invalid}}`, each row
/// `line` then the ``Matcher/header`` fields), or a CSV or .xlsx download (`?format=csv|xlsx`,
/// or `Accept: text/csv`) with `lumbung match`'s columns. An .xlsx is built in a temporary file
/// first (a zip is written by seeking), then sent.
struct MatchRoutes<Context: LumbungRequestContext>: Sendable {
    let api: LumbungAPI<Context>

    /// The largest body a list may be: 64 MiB (a million NIKs as text take 17 MB).
    static var bodyLimit: Int { 64 << 20 }
    /// The most NIKs one request may hold (an .xlsx answer fits on one sheet).
    static var nikLimit: Int { 1_000_000 }

    func add(to group: RouterGroup<Context>) {
        group.post("match", use: match)
    }

    /// What the answer is sent as: JSON, or one of the download files (``DownloadFile``).
    enum Answer: String, CaseIterable {
        case json, csv, xlsx
    }

    @Sendable func match(_ request: Request, context: Context) async throws -> Response {
        let token = try context.access.authorized(.viewer)
        let parameters = try RequestInput.query(request, allowed: ["column", "format"])
        let input = try Self.input(contentType: request.headers[.contentType], column: parameters["column"])
        let answer = try Self.answer(parameters["format"], accept: request.headers[.accept])
        let body = try await TemporaryFile.spool(request, purpose: "match", limit: Self.bodyLimit)
        try await api.gateway.run { _ in try Self.check(input, body) }

        let store = api.gateway.store, scope = token.scope
        let produce: @Sendable (@escaping ([UInt8]) throws -> Void) throws -> Void = { send in
            try Self.write(answer, input: input, body: body, store: store, scope: scope, send: send)
        }
        guard let file = DownloadFile(rawValue: answer.rawValue) else {
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: ProducedBody.body(produce))
        }
        return Response(status: .ok, headers: file.headers(name: "pemadanan-\(DownloadFile.today)"), body: ProducedBody.body(produce))
    }

    /// Where the NIKs are, from the body's media type and `column` (415 for another type; 400
    /// for a CSV or workbook without `column`, or a list with one).
    static func input(contentType: String?, column: String?) throws -> MatchInput {
        let type = contentType.map(DownloadFile.mediaType)
        let types = ["text/plain", "text/csv", DownloadFile.xlsxMediaType]
        guard let type, types.contains(type) else {
            throw APIError(LumbungError(
                .requestMediaType, field: "Content-Type", value: contentType.map { String($0.prefix(80)) },
                rule: "a NIK list is sent as \(types.joined(separator: ", "))"))
        }
        if type == "text/plain" {
            guard column == nil else {
                throw APIError(LumbungError(.requestInvalid, field: "column", rule: "a text/plain list has one NIK a line; column is for text/csv and .xlsx bodies"))
            }
            return .lines
        }
        guard let column, !column.isEmpty else {
            throw APIError(LumbungError(.requestInvalid, field: "column", rule: "name the column that holds the NIKs (?column=NAME) for a \(type) body"))
        }
        return type == "text/csv" ? .csv(column: column) : .xlsx(column: column)
    }

    /// The answer's form: `format` if given, else CSV or .xlsx when `Accept` asks for it, else JSON.
    static func answer(_ format: String?, accept: String?) throws -> Answer {
        if let format {
            guard let answer = Answer(rawValue: format) else {
                throw APIError(LumbungError(.requestInvalid, field: "format", value: String(format.prefix(16)), rule: DownloadFile.choices(Answer.allCases.map(\.rawValue))))
            }
            return answer
        }
        let accepted = accept?.split(separator: ",").map(DownloadFile.mediaType) ?? []
        if accepted.contains("text/csv") { return .csv }
        if accepted.contains(DownloadFile.xlsxMediaType) { return .xlsx }
        return .json
    }

    /// Reads the spooled list through once: a missing column, an unreadable file or more than
    /// ``nikLimit`` NIKs is refused before any answer is sent, naming the body, not the file.
    static func check(_ input: MatchInput, _ body: TemporaryFile) throws {
        var count = 0
        do {
            try input.forEachNIK(in: body.path) { _, _ in
                count += 1
                guard count <= nikLimit else {
                    throw APIError(LumbungError(.requestTooLarge, field: "body", rule: "a list holds at most \(nikLimit) NIKs; split it"))
                }
            }
        } catch var error as LumbungError {
            if error.code == .csvHeader && error.value != nil { error.field = "column" }
            error.field = error.field?.replacingOccurrences(of: body.path, with: "body")
            if error.value == body.path { error.value = nil }
            throw APIError(error)
        }
    }

    /// Writes the answer to `send`: the matcher's rows in `answer`'s form, a run at a time.
    static func write(
        _ answer: Answer, input: MatchInput, body: TemporaryFile, store: Store, scope: AccessScope, send: @escaping ([UInt8]) throws -> Void
    ) throws {
        switch answer {
        case .csv:
            var header: [UInt8] = []
            CSVWriter.encode(Matcher.header, into: &header)
            try send(header)
            let matcher = SortedMatcher(store: store, scope: scope, output: .csv, write: send)
            try input.forEachNIK(in: body.path, matcher)
            try matcher.finish()
        case .json:
            try send(Array(#"{"results":["#.utf8))
            var first = true
            let matcher = SortedMatcher(store: store, scope: scope, output: .jsonLines) { lines in
                try send(Self.arrayElements(lines, first: first))
                first = false
            }
            try input.forEachNIK(in: body.path, matcher)
            try matcher.finish()
            let summary: JSONValue = .object([Matcher.Outcome.found, .notFound, .invalid].map { ($0.rawValue, .int(matcher.counts[$0] ?? 0)) })
            try send(Array(#"],"summary":"#.utf8) + summary.bytes + [UInt8(ascii: "}")])
        case .xlsx:
            let file = TemporaryFile("match", suffix: ".xlsx")
            let workbook = try XLSXWriter(path: file.path, sheetName: "Pemadanan", header: Matcher.header, textColumns: Matcher.textColumns)
            do {
                let matcher = SortedMatcher(
                    store: store, scope: scope,
                    encode: { _, cells, bytes in XLSXWriter.encode(row: cells, textColumns: Matcher.textColumns, into: &bytes) },
                    write: { rows in try workbook.write(encoded: rows, rows: XLSXWriter.rows(in: rows)) })
                try input.forEachNIK(in: body.path, matcher)
                try matcher.finish()
                try workbook.close()
            } catch {
                workbook.abandon()
                throw error
            }
            try file.send(to: send)
        }
    }

    /// JSON Lines rows (each ends in a line feed, which a JSON string never holds) as members
    /// of an array: a comma between each, and before the first unless it is the array's first.
    static func arrayElements(_ lines: [UInt8], first: Bool) -> [UInt8] {
        var elements: [UInt8] = []
        elements.reserveCapacity(lines.count + 1)
        if !first { elements.append(UInt8(ascii: ",")) }
        for byte in lines.dropLast() { elements.append(byte == 0x0A ? UInt8(ascii: ",") : byte) }
        return elements
    }
}
