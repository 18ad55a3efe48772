import Foundation
import Hummingbird
import HummingbirdTesting
import Lumbung
import LumbungIO
import NIOCore

/// Requests with any body and media type, and answers kept as bytes (CSV and .xlsx downloads).
extension APIFixture.Client {
    struct Download {
        let status: HTTPResponse.Status
        let headers: HTTPFields
        let bytes: [UInt8]
        var text: String { String(decoding: bytes, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] ?? [:] }
        /// The problem's stable code, field and rule.
        var code: String? { json["code"] as? String }
        var problem: [String: Any] { (json["errors"] as? [[String: Any]])?.first ?? [:] }
        var contentType: String? { headers[.contentType] }
        var disposition: String? { headers[.contentDisposition] }
    }

    func send(
        _ method: HTTPRequest.Method, _ uri: String, as token: String? = "adminAll", contentType: String? = nil, body: [UInt8]? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> Download {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(fixture.secrets[token] ?? token)" }
        if let contentType { headers[.contentType] = contentType }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) { response in
            Download(status: response.status, headers: response.headers, bytes: Array(response.body.readableBytesView))
        }
    }
}

enum DownloadFiles {
    /// `bytes` written to a file in `directory`, for the file readers.
    static func file(_ bytes: [UInt8], named name: String, in directory: TemporaryDirectory) throws -> String {
        let path = directory.sub(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A CSV file's header and records.
    static func csv(_ bytes: [UInt8], in directory: TemporaryDirectory) throws -> (header: [String], rows: [[String]]) {
        let reader = try CSVReader(path: try file(bytes, named: "answer-\(UUID().uuidString.prefix(8)).csv", in: directory))
        var rows: [[String]] = []
        while let record = try reader.next() { rows.append(record.fields) }
        return (reader.header ?? [], rows)
    }

    /// A workbook's first sheet's rows (the header first), every cell as text.
    static func xlsx(_ bytes: [UInt8], in directory: TemporaryDirectory) throws -> [[String]] {
        let reader = try XLSXReader(path: try file(bytes, named: "answer-\(UUID().uuidString.prefix(8)).xlsx", in: directory))
        var rows: [[String]] = []
        try reader.forEachRow { row in
            rows.append(row.cells)
            return true
        }
        return rows
    }

    /// A workbook of `rows` (the first the header) written by Lumbung's own writer.
    static func workbook(_ rows: [[String]], in directory: TemporaryDirectory) throws -> [UInt8] {
        let path = directory.sub("list-\(UUID().uuidString.prefix(8)).xlsx")
        let writer = try XLSXWriter(path: path, header: rows[0], textColumns: rows[0].map { _ in true })
        var bytes: [UInt8] = []
        for row in rows.dropFirst() { XLSXWriter.encode(row: row, textColumns: writer.textColumns, into: &bytes) }
        try writer.write(encoded: bytes, rows: rows.count - 1)
        try writer.close()
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// A CSV file converted to .xlsx by LibreOffice, every column typed Text (so a NIK stays 16
    /// digits).
    static func libreOfficeWorkbook(fromCSV csv: String, columns: Int, in directory: TemporaryDirectory) throws -> [UInt8] {
        let source = directory.sub("lo-list.csv")
        try csv.write(toFile: source, atomically: true, encoding: .utf8)
        let workbook = try LibreOffice.convert(source, to: "xlsx", filter: LibreOffice.textColumnsFilter(columns), in: directory)
        return Array(try Data(contentsOf: URL(fileURLWithPath: workbook)))
    }
}
