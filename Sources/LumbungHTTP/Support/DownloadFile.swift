import Hummingbird
import Lumbung

/// The file types the API sends as downloads, and the headers that make a browser save them.
enum DownloadFile: String, Sendable, CaseIterable {
    case csv
    case xlsx

    /// The media type sent as `Content-Type`.
    var mediaType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8"
        case .xlsx: Self.xlsxMediaType
        }
    }

    /// An Excel workbook's media type, sent and accepted.
    static let xlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// `Content-Type` and `Content-Disposition: attachment; filename="NAME.csv"` (the name made of
    /// codes, dates and ASCII words, so it needs no quoting).
    func headers(name: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentType] = mediaType
        headers[.contentDisposition] = #"attachment; filename="\#(name).\#(rawValue)""#
        headers[.cacheControl] = "no-store"
        return headers
    }

    /// The `format` names a route accepts, as a rule reads them: `csv or xlsx`.
    static func choices(_ names: [String]) -> String {
        names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// Today's date in a file name, as the register dates things (WIB): `2026-11-27`.
    static var today: String { CalendarDate.today().description }

    /// The media type of a `Content-Type` or `Accept` entry: lowercased, parameters dropped.
    static func mediaType(_ header: some StringProtocol) -> String {
        String(header.split(separator: ";", maxSplits: 1).first ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }
}
