import Lumbung

/// Pemadanan: checks a list of NIKs against the register.
///
/// Each NIK is answered with whether it is in the store and, if so, its household's id, KK,
/// wilayah, status, desil and programs. An invalid NIK is reported as invalid, with the rule it
/// breaks, never as "not found".
///
/// ```swift
/// let rows = try Matcher.match([(line: 1, text: "3216014507900001")], in: store)
/// ```
public enum Matcher {
    public enum Outcome: String, Sendable {
        case found, notFound = "not_found", invalid
    }

    public struct Row: Sendable {
        public var line: Int
        /// The NIK as given; masked when it is invalid (it is echoed into reports).
        public var nik: String
        public var outcome: Outcome
        public var reason: String?
        public var household: Household?
    }

    /// The output columns, in order.
    public static let header = ["nik", "hasil", "alasan", "id", "nomor_kk", "kode_wilayah", "status", "desil", "program"]

    /// Matches one batch of NIKs in one short read transaction.
    public static func match(_ niks: [(line: Int, text: String)], in store: Store) throws -> [Row] {
        try store.read { tx in try match(niks, in: tx) }
    }

    /// Matches one batch in a transaction the caller holds (a write that acts on the matches).
    public static func match(_ niks: [(line: Int, text: String)], in tx: ReadTransaction) throws -> [Row] {
        try niks.map { line, text in
            let nik: NIK
            do {
                nik = try NIK(text)
            } catch let error as LumbungError {
                return Row(line: line, nik: NIK.mask(text), outcome: .invalid, reason: "\(error.code): \(error.rule)")
            }
            guard let household = try tx.household(nik: nik) else {
                return Row(line: line, nik: nik.text, outcome: .notFound)
            }
            return Row(line: line, nik: nik.text, outcome: .found, household: household)
        }
    }

    /// A result as output cells, in ``header`` order.
    public static func cells(_ row: Row) -> [String] {
        let household = row.household
        return [
            row.nik, row.outcome.rawValue, row.reason ?? "",
            household?.id?.description ?? "", household?.nomorKK.text ?? "", household?.wilayah.dotted ?? "",
            household?.status.description ?? "", household?.desil.map(String.init) ?? "",
            household?.programs.sorted().map(\.name).joined(separator: "|") ?? "",
        ]
    }
}
