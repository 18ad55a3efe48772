import Lumbung

/// Pemadanan: checks a list of NIKs against the register.
///
/// Each NIK is answered with whether it is in the store and, if so, its household's id, KK,
/// wilayah, status, desil and programs. An invalid NIK is reported as invalid, with the rule it
/// breaks, never as "not found"; a NIK placeholder (`9999999999999995`) as invalid because it
/// is a placeholder (`nik.placeholder`), not by the NIK rule its digits happen to break.
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
        /// The household, decoded whole (the one-at-a-time path only: ``match(_:in:)-(_,ReadTransaction)``).
        public var household: Household?
        /// What the output shows of the household: set whenever the NIK was found.
        public var outline: HouseholdOutline?

        public init(line: Int, nik: String, outcome: Outcome, reason: String? = nil, household: Household? = nil, outline: HouseholdOutline? = nil) {
            self.line = line
            self.nik = nik
            self.outcome = outcome
            self.reason = reason
            self.household = household
            self.outline = outline ?? household.flatMap(HouseholdOutline.init)
        }
    }

    /// A NIK as read from the input: valid, or the row that reports it invalid.
    public enum Parsed {
        case valid(NIK)
        case invalid(Row)
    }

    /// Parses one input NIK; an invalid one becomes its row (masked, with its code and rule).
    @inline(__always)
    public static func parse(line: Int, text: some StringProtocol) -> Parsed {
        do {
            return .valid(try NIK(text))
        } catch let error as LumbungError {
            let reason = NIKPlaceholder(written: text).map { "\(NIKPlaceholder.code): \($0.notANIK)" } ?? "\(error.code): \(error.rule)"
            return .invalid(Row(line: line, nik: NIK.mask(text), outcome: .invalid, reason: reason))
        } catch {
            return .invalid(Row(line: line, nik: NIK.mask(text), outcome: .invalid, reason: "\(error)"))
        }
    }

    /// The output columns, in order.
    public static let header = ["nik", "hasil", "alasan", "id", "nomor_kk", "kode_wilayah", "status", "desil", "program"]

    /// Per ``header`` column, whether it holds an identifier a spreadsheet must keep as text
    /// (``XLSXWriter/textColumns``): the NIK, the KK number and the wilayah code.
    public static let textColumns = header.map { ["nik", "nomor_kk", "kode_wilayah"].contains($0) }

    /// Matches one batch of NIKs in one short read transaction.
    public static func match(_ niks: [(line: Int, text: String)], in store: Store) throws -> [Row] {
        try store.read { tx in try match(niks, in: tx) }
    }

    /// Matches one batch in a transaction the caller holds (a write that acts on the matches),
    /// one NIK at a time, decoding each found household whole. ``SortedMatcher`` answers a
    /// long list faster, with the same output.
    public static func match(_ niks: [(line: Int, text: String)], in tx: ReadTransaction) throws -> [Row] {
        try niks.map { line, text in
            let nik: NIK
            switch parse(line: line, text: text) {
            case .valid(let valid): nik = valid
            case .invalid(let row): return row
            }
            guard let household = try tx.household(nik: nik) else {
                return Row(line: line, nik: nik.text, outcome: .notFound)
            }
            return Row(line: line, nik: nik.text, outcome: .found, household: household)
        }
    }

    /// A result as output cells, in ``header`` order.
    public static func cells(_ row: Row) -> [String] {
        cells(nik: row.nik, outcome: row.outcome, reason: row.reason, household: householdCells(row.outline))
    }

    /// A result's cells from its parts, the household's as ``householdCells(_:)`` gives them.
    @inline(__always)
    static func cells(nik: String, outcome: Outcome, reason: String?, household: [String]) -> [String] {
        [nik, outcome.rawValue, reason ?? ""] + household
    }

    /// The household's cells (``header`` from `id` on); empty strings when there is none.
    public static func householdCells(_ outline: HouseholdOutline?) -> [String] {
        guard let outline else { return noHouseholdCells }
        return [
            outline.id.description, outline.nomorKK.text, outline.wilayah.dotted, outline.status.description,
            outline.desil.map(String.init) ?? "", outline.programs.sorted().map(\.name).joined(separator: "|"),
        ]
    }

    static let noHouseholdCells = Array(repeating: "", count: 6)
}
