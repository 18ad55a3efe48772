import Foundation
import Lumbung

/// A Lumbung field a flat column can hold: a household field (repeated on each member's row),
/// a household attribute `atribut.<code>`, a member field `anggota.…` or a member attribute
/// `anggota.atribut.<code>`.
///
/// ```swift
/// FlatField(name: "anggota.nik")       // .memberNIK
/// FlatField(name: "atribut.lantai")    // .attribute("lantai")
/// ```
public enum FlatField: Hashable, Sendable, CustomStringConvertible {
    case id, nomorKK, sourceID, kodeWilayah, alamat, rt, rw, status, alasanTidakLayak, desil, desilVersi, program, diperbarui
    case attribute(String)
    case memberNIK, memberNama, memberJenisKelamin, memberTanggalLahir, memberHubungan, memberKeberadaan
    case memberStatusKawin, memberPendidikan, memberPekerjaan, memberDisabilitas, memberStatusDukcapil, memberAlasanDukcapil
    case memberAttribute(String)

    /// The household fields, in export order.
    public static let householdFields: [FlatField] = [
        .id, .nomorKK, .sourceID, .kodeWilayah, .alamat, .rt, .rw, .status, .alasanTidakLayak, .desil, .desilVersi, .program, .diperbarui,
    ]
    /// The member fields, in export order.
    public static let memberFields: [FlatField] = [
        .memberNIK, .memberNama, .memberJenisKelamin, .memberTanggalLahir, .memberHubungan, .memberKeberadaan,
        .memberStatusKawin, .memberPendidikan, .memberPekerjaan, .memberDisabilitas, .memberStatusDukcapil, .memberAlasanDukcapil,
    ]

    private static let byName: [String: FlatField] = {
        var table: [String: FlatField] = [:]
        for field in householdFields + memberFields { table[field.name] = field }
        return table
    }()

    /// Parses a Lumbung field name (`nomor_kk`, `anggota.nik`, `atribut.lantai`, …).
    public init?(name: String) {
        if let field = FlatField.byName[name] {
            self = field
        } else if name.hasPrefix("anggota.atribut."), name.count > 16 {
            self = .memberAttribute(String(name.dropFirst(16)))
        } else if name.hasPrefix("atribut."), name.count > 8 {
            self = .attribute(String(name.dropFirst(8)))
        } else {
            return nil
        }
    }

    /// The Lumbung field name, as in ``ColumnMapping/lumbungDefault`` headers.
    public var name: String {
        switch self {
        case .id: "id"
        case .nomorKK: "nomor_kk"
        case .sourceID: "id_sumber"
        case .kodeWilayah: "kode_wilayah"
        case .alamat: "alamat"
        case .rt: "rt"
        case .rw: "rw"
        case .status: "status"
        case .alasanTidakLayak: "alasan_tidak_layak"
        case .desil: "desil"
        case .desilVersi: DesilVersion.field
        case .program: "program"
        case .diperbarui: "diperbarui"
        case .attribute(let code): "atribut.\(code)"
        case .memberNIK: "anggota.nik"
        case .memberNama: "anggota.nama"
        case .memberJenisKelamin: "anggota.jenis_kelamin"
        case .memberTanggalLahir: "anggota.tanggal_lahir"
        case .memberHubungan: "anggota.hubungan"
        case .memberKeberadaan: "anggota.keberadaan"
        case .memberStatusKawin: "anggota.status_kawin"
        case .memberPendidikan: "anggota.pendidikan"
        case .memberPekerjaan: "anggota.pekerjaan"
        case .memberDisabilitas: "anggota.disabilitas"
        case .memberStatusDukcapil: "anggota." + DukcapilResult.statusField
        case .memberAlasanDukcapil: "anggota." + DukcapilResult.reasonField
        case .memberAttribute(let code): "anggota.atribut.\(code)"
        }
    }

    public var description: String { name }

    /// Whether the column is repeated on every row of a household.
    public var isHouseholdField: Bool {
        switch self {
        case .memberNIK, .memberNama, .memberJenisKelamin, .memberTanggalLahir, .memberHubungan, .memberKeberadaan,
            .memberStatusKawin, .memberPendidikan, .memberPekerjaan, .memberDisabilitas, .memberStatusDukcapil,
            .memberAlasanDukcapil, .memberAttribute:
            false
        default: true
        }
    }
}

/// Maps the header names of a flat CSV (one row per member) to Lumbung fields, translates a
/// file's own vocabulary into Lumbung's values, and says which field groups rows into households.
///
/// Read from a JSON file (README, "Column mappings", lists every key):
/// ```json
/// {"code_lists": {"hubungan_bps": {"1": "kepala_keluarga", "2": "istri_suami", "3": "anak"}},
///  "columns": [
///    {"header": "NO_KK", "field": "nomor_kk"},
///    {"header": "STATUS", "field": "status", "values": {"aktif": "ditetapkan"}, "default": "usulan"},
///    {"header": "HUB", "field": "anggota.hubungan", "code_list": "hubungan_bps", "values": {"Istri": "istri_suami"}},
///    {"header": "TGL_LAHIR", "field": "anggota.tanggal_lahir", "format": "DD-MM-YYYY"},
///    {"field": "kode_wilayah", "constant": "32.16.01.2001"}],
///  "group_by": "nomor_kk", "ignore": ["NO_URUT"]}
/// ```
/// (`"columns"` may also be an object, `{"NO_KK": "nomor_kk", "STATUS": {"field": "status", …}}`.)
/// ```swift
/// let mapping = try ColumnMapping(json: Data(contentsOf: url))
/// let decoder = try FlatRowDecoder(header: header, mapping: mapping)
/// ```
/// A header column that is neither mapped nor ignored is an error (`row.unmappedColumn`), unless
/// ``acceptsLumbungNames`` is set and the header is itself a Lumbung field name
/// (``FlatField/name``), as in ``lumbungDefault``.
public struct ColumnMapping: Sendable, Hashable {
    /// Which field identifies a household's rows (and, for an import, finds the stored one).
    public enum GroupKey: String, Codable, Sendable, Hashable, CaseIterable {
        case id
        case nomorKK = "nomor_kk"
        /// The household's id in its source register (``SourceID``).
        case sourceID = "id_sumber"

        var field: FlatField {
            switch self {
            case .id: .id
            case .nomorKK: .nomorKK
            case .sourceID: .sourceID
            }
        }
    }

    /// One mapped column: the Lumbung field it holds and how its cells are read.
    ///
    /// A cell is trimmed; an empty one takes ``defaultValue``; otherwise it is looked up in
    /// ``values`` (then the code list); a cell found in neither is read in ``format``, or passed
    /// on as it is (so Lumbung's own values still read). Every Lumbung value the column names is
    /// checked against the field's rule when the mapping is loaded.
    /// ```swift
    /// let status: ColumnMapping.Column = "status"   // a plain rename
    /// let relation = ColumnMapping.Column(field: "anggota.hubungan", values: ["Istri": "istri_suami"])
    /// ```
    public struct Column: Hashable, Sendable, ExpressibleByStringLiteral {
        /// The Lumbung field name (``FlatField/name``).
        public var field: String
        /// The file's cell text → Lumbung's value for it (`""` leaves an optional field empty).
        public var values: [String: String]
        /// A code list of ``ColumnMapping/codeLists``; ``values`` win over it.
        public var codeList: String?
        /// The Lumbung value of an empty cell (or of every row, when the file lacks the column).
        public var defaultValue: String?
        /// How a date or yes/no cell is written.
        public var format: CellFormat?

        public init(
            field: String, values: [String: String] = [:], codeList: String? = nil, defaultValue: String? = nil,
            format: CellFormat? = nil
        ) {
            self.field = field
            self.values = values
            self.codeList = codeList
            self.defaultValue = defaultValue
            self.format = format
        }

        public init(stringLiteral field: String) { self.init(field: field) }

        /// Whether the column's cells are read as anything but themselves.
        var translates: Bool { !values.isEmpty || codeList != nil || defaultValue != nil || format != nil }
    }

    /// Source header name → its column.
    public var columns: [String: Column]
    /// Values for fields the file has no column for: field name → Lumbung value
    /// (`{"field": "status", "constant": "usulan"}` in the file).
    public var constants: [String: String]
    /// Value maps defined once and named by columns (`code_list`): name → file value → Lumbung value.
    public var codeLists: [String: [String: String]]
    public var groupBy: GroupKey
    /// Source columns that are read past.
    public var ignore: [String]
    /// Whether a header that is a Lumbung field name maps to that field without being listed.
    public var acceptsLumbungNames: Bool

    public init(
        columns: [String: Column] = [:], constants: [String: String] = [:], codeLists: [String: [String: String]] = [:],
        groupBy: GroupKey = .nomorKK, ignore: [String] = [], acceptsLumbungNames: Bool = false
    ) {
        self.columns = columns
        self.constants = constants
        self.codeLists = codeLists
        self.groupBy = groupBy
        self.ignore = ignore
        self.acceptsLumbungNames = acceptsLumbungNames
    }

    /// Lumbung's own flat layout: every header is the field's name (`id`, `nomor_kk`, …,
    /// `anggota.nik`, …, `atribut.<code>`, `anggota.atribut.<code>`), rows grouped by `nomor_kk`.
    /// Reads what ``FlatRowEncoder`` writes.
    public static let lumbungDefault = ColumnMapping(groupBy: .nomorKK, acceptsLumbungNames: true)

    /// The same layout, grouped by household `id` (for exports of stored households).
    public static let lumbungByID = ColumnMapping(groupBy: .id, acceptsLumbungNames: true)

    /// Resolves a header: the field of each column (nil when ignored), then one per constant
    /// (and per defaulted column the file lacks), or every problem found, each an issue on `line`.
    public func resolve(header: [String], line: Int = 1) -> Result<[FlatField?], RowIssues> {
        resolved(header: header, line: line).map(\.fields)
    }

    /// A header resolved: each column's field and name, how cells translate, the constant cells.
    struct Resolved: Sendable {
        /// One per header column, then one per constant.
        var fields: [FlatField?] = []
        /// The names issues give the columns: the header's, then each constant's field name.
        var names: [String] = []
        /// The header columns whose cells translate, by index.
        var translations: [(index: Int, translation: CellTranslation)] = []
        /// The cells appended to every row for the constants, in ``fields`` order.
        var constantCells: [String] = []
    }

    func resolved(header: [String], line: Int = 1) -> Result<Resolved, RowIssues> {
        var issues: [RowIssue] = []
        var resolved = Resolved()
        var seen: [FlatField: String] = [:]
        let ignored = Set(ignore)
        func add(_ field: FlatField, name: String, at column: String) {
            if let other = seen[field] {
                issues.append(RowIssue(
                    line: line, column: column, value: field.name, code: .rowMappingInvalid,
                    rule: "the field is already mapped from column \(other)"))
            }
            seen[field] = name
        }
        var used = Set<String>()
        for name in header {
            let key = name.trimmingSpaces
            resolved.names.append(name)
            if ignored.contains(name) || ignored.contains(key) {
                resolved.fields.append(nil)
                continue
            }
            let declared = columns[name].map { (name, $0) } ?? columns[key].map { (key, $0) }
            let target = declared?.1.field ?? (acceptsLumbungNames ? key : nil)
            guard let target else {
                issues.append(RowIssue(
                    line: line, column: name, value: name, code: .rowUnmappedColumn,
                    rule: "the column is not in the mapping; map it to a field or list it in \"ignore\""))
                resolved.fields.append(nil)
                continue
            }
            if let declared { used.insert(declared.0) }
            guard let field = FlatField(name: target) else {
                issues.append(RowIssue(
                    line: line, column: name, value: target, code: acceptsLumbungNames && declared == nil ? .rowUnmappedColumn : .rowMappingInvalid,
                    rule: FlatField.unknownFieldRule))
                resolved.fields.append(nil)
                continue
            }
            if let problem = field.attributeCodeProblem {
                issues.append(RowIssue(line: line, column: name, error: problem))
            }
            add(field, name: name, at: name)
            if let (key, column) = declared, column.translates {
                let problems = column.valueProblems(field: field, at: "columns[\(Self.quoted(key))]", codeLists: codeLists)
                issues += problems.map { RowIssue(line: line, error: $0) }
                if problems.isEmpty {
                    resolved.translations.append((resolved.fields.count, CellTranslation(column, field: field, codeLists: codeLists)))
                }
            }
            resolved.fields.append(field)
        }
        // Constants, and defaulted columns the file lacks, are columns of their own at the end.
        var fixed = constants.sorted { $0.key < $1.key }.map { (field: $0.key, value: $0.value) }
        fixed += columns.filter { !used.contains($0.key) && !header.contains($0.key) && $0.value.defaultValue != nil }
            .sorted { $0.key < $1.key }.map { (field: $0.value.field, value: $0.value.defaultValue!) }
        for (name, value) in fixed {
            guard let field = FlatField(name: name) else {
                issues.append(RowIssue(line: line, column: name, value: name, code: .rowMappingInvalid, rule: FlatField.unknownFieldRule))
                continue
            }
            let path = "constants[\(Self.quoted(name))]"
            issues += (field.attributeCodeProblem.map { [$0.atPath(path)] } ?? []).map { RowIssue(line: line, error: $0) }
            issues += Column.targetProblems(field: field, value, at: path).map { RowIssue(line: line, error: $0) }
            if field == groupBy.field {
                issues.append(RowIssue(
                    line: line, column: name, value: value, code: .rowMappingInvalid,
                    rule: "rows are grouped by \(name), so it needs a column of the file, not a constant"))
                continue
            }
            add(field, name: "\(name) (constant)", at: name)
            resolved.names.append(name)
            resolved.fields.append(field)
            resolved.constantCells.append(value)
        }
        for required in FlatField.required(groupBy: groupBy) where seen[required] == nil {
            if issues.contains(where: { $0.value == required.name && $0.code == .rowMappingInvalid }) { continue }
            issues.append(RowIssue(
                line: line, column: required.name, value: "", code: .rowMappingInvalid,
                rule: required == groupBy.field
                    ? "rows are grouped by \(required.name), so a column must map to it"
                    : "a column must map to \(required.name), a required field"))
        }
        return issues.isEmpty ? .success(resolved) : .failure(RowIssues(issues: issues, firstLine: line))
    }
}
