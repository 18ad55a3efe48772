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
    case id, nomorKK, kodeWilayah, alamat, rt, rw, status, alasanTidakLayak, desil, program, diperbarui
    case attribute(String)
    case memberNIK, memberNama, memberJenisKelamin, memberTanggalLahir, memberHubungan, memberKeberadaan
    case memberStatusKawin, memberPendidikan, memberPekerjaan, memberDisabilitas
    case memberAttribute(String)

    /// The household fields, in export order.
    public static let householdFields: [FlatField] = [
        .id, .nomorKK, .kodeWilayah, .alamat, .rt, .rw, .status, .alasanTidakLayak, .desil, .program, .diperbarui,
    ]
    /// The member fields, in export order.
    public static let memberFields: [FlatField] = [
        .memberNIK, .memberNama, .memberJenisKelamin, .memberTanggalLahir, .memberHubungan, .memberKeberadaan,
        .memberStatusKawin, .memberPendidikan, .memberPekerjaan, .memberDisabilitas,
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
        case .kodeWilayah: "kode_wilayah"
        case .alamat: "alamat"
        case .rt: "rt"
        case .rw: "rw"
        case .status: "status"
        case .alasanTidakLayak: "alasan_tidak_layak"
        case .desil: "desil"
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
        case .memberAttribute(let code): "anggota.atribut.\(code)"
        }
    }

    public var description: String { name }

    /// Whether the column is repeated on every row of a household.
    public var isHouseholdField: Bool {
        switch self {
        case .memberNIK, .memberNama, .memberJenisKelamin, .memberTanggalLahir, .memberHubungan, .memberKeberadaan,
            .memberStatusKawin, .memberPendidikan, .memberPekerjaan, .memberDisabilitas, .memberAttribute:
            false
        default: true
        }
    }
}

/// Maps the header names of a flat CSV (one row per member) to Lumbung fields, and says which
/// field groups rows into households.
///
/// Read from JSON:
/// ```json
/// {"columns": {"NO_KK": "nomor_kk", "KODE_WILAYAH": "kode_wilayah", "NAMA": "anggota.nama",
///              "NIK": "anggota.nik", "LANTAI": "atribut.lantai", "CACAT": "anggota.atribut.cacat"},
///  "group_by": "nomor_kk", "ignore": ["NO_URUT"]}
/// ```
/// ```swift
/// let mapping = try ColumnMapping(json: Data(contentsOf: url))
/// let decoder = try FlatRowDecoder(header: header, mapping: mapping)
/// ```
/// A header column that is neither mapped nor ignored is an error (`row.unmappedColumn`), unless
/// ``acceptsLumbungNames`` is set and the header is itself a Lumbung field name
/// (``FlatField/name``), as in ``lumbungDefault``.
public struct ColumnMapping: Codable, Sendable, Hashable {
    /// Which field identifies a household's rows.
    public enum GroupKey: String, Codable, Sendable, Hashable {
        case id
        case nomorKK = "nomor_kk"

        var field: FlatField { self == .id ? .id : .nomorKK }
    }

    /// Source header name → Lumbung field name (``FlatField/name``).
    public var columns: [String: String]
    public var groupBy: GroupKey
    /// Source columns that are read past.
    public var ignore: [String]
    /// Whether a header that is a Lumbung field name maps to that field without being listed.
    public var acceptsLumbungNames: Bool

    enum CodingKeys: String, CodingKey {
        case columns
        case groupBy = "group_by"
        case ignore
        case acceptsLumbungNames = "lumbung_names"
    }

    public init(
        columns: [String: String] = [:], groupBy: GroupKey = .nomorKK, ignore: [String] = [],
        acceptsLumbungNames: Bool = false
    ) {
        self.columns = columns
        self.groupBy = groupBy
        self.ignore = ignore
        self.acceptsLumbungNames = acceptsLumbungNames
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        columns = try container.decodeIfPresent([String: String].self, forKey: .columns) ?? [:]
        groupBy = try container.decodeIfPresent(GroupKey.self, forKey: .groupBy) ?? .nomorKK
        ignore = try container.decodeIfPresent([String].self, forKey: .ignore) ?? []
        acceptsLumbungNames = try container.decodeIfPresent(Bool.self, forKey: .acceptsLumbungNames) ?? false
    }

    /// Reads a mapping from its JSON file's bytes.
    ///
    /// ```swift
    /// let mapping = try ColumnMapping(json: Data(#"{"columns":{"NIK":"anggota.nik"}}"#.utf8))
    /// ```
    /// - Throws: ``LumbungError`` `row.mappingInvalid` when the JSON is not a mapping.
    public init(json: Data) throws {
        do {
            self = try JSONDecoder().decode(ColumnMapping.self, from: json)
        } catch {
            throw LumbungError(
                .rowMappingInvalid, field: "mapping", value: nil,
                rule: "the column mapping is not {\"columns\": {HEADER: field}, \"group_by\": \"id\"|\"nomor_kk\", \"ignore\": [HEADER]}: \(error)")
        }
    }

    /// Lumbung's own flat layout: every header is the field's name (`id`, `nomor_kk`, …,
    /// `anggota.nik`, …, `atribut.<code>`, `anggota.atribut.<code>`), rows grouped by `nomor_kk`.
    /// Reads what ``FlatRowEncoder`` writes.
    public static let lumbungDefault = ColumnMapping(groupBy: .nomorKK, acceptsLumbungNames: true)

    /// The same layout, grouped by household `id` (for exports of stored households).
    public static let lumbungByID = ColumnMapping(groupBy: .id, acceptsLumbungNames: true)

    /// Resolves a header: the field of each column (nil when ignored) or every problem found, each
    /// an issue on `line`.
    public func resolve(header: [String], line: Int = 1) -> Result<[FlatField?], RowIssues> {
        var issues: [RowIssue] = []
        var fields: [FlatField?] = []
        var seen: [FlatField: String] = [:]
        let ignored = Set(ignore)
        for name in header {
            let key = name.trimmingSpaces
            if ignored.contains(name) || ignored.contains(key) {
                fields.append(nil)
                continue
            }
            let target = columns[name] ?? columns[key] ?? (acceptsLumbungNames ? key : nil)
            guard let target else {
                issues.append(RowIssue(
                    line: line, column: name, value: name, code: .rowUnmappedColumn,
                    rule: "the column is not in the mapping; map it to a field or list it in \"ignore\""))
                fields.append(nil)
                continue
            }
            guard let field = FlatField(name: target) else {
                issues.append(RowIssue(
                    line: line, column: name, value: target, code: acceptsLumbungNames && columns[name] == nil ? .rowUnmappedColumn : .rowMappingInvalid,
                    rule: "not a Lumbung field: use id, nomor_kk, kode_wilayah, alamat, rt, rw, status, alasan_tidak_layak, desil, program, diperbarui, atribut.<code> or anggota.<field>"))
                fields.append(nil)
                continue
            }
            switch field {
            case .attribute(let code), .memberAttribute(let code):
                if let problem = Attributes.codeProblem(code, field: field.name) {
                    issues.append(RowIssue(line: line, column: name, error: problem))
                }
            default: break
            }
            if let other = seen[field] {
                issues.append(RowIssue(
                    line: line, column: name, value: field.name, code: .rowMappingInvalid,
                    rule: "the field is already mapped from column \(other)"))
            }
            seen[field] = name
            fields.append(field)
        }
        for required in [groupBy.field, .nomorKK, .kodeWilayah, .memberNama, .memberJenisKelamin, .memberHubungan]
        where seen[required] == nil {
            if issues.contains(where: { $0.value == required.name && $0.code == .rowMappingInvalid }) { continue }
            issues.append(RowIssue(
                line: line, column: required.name, value: "", code: .rowMappingInvalid,
                rule: required == groupBy.field
                    ? "rows are grouped by \(required.name), so a column must map to it"
                    : "a column must map to \(required.name), a required field"))
        }
        return issues.isEmpty ? .success(fields) : .failure(RowIssues(issues: issues, firstLine: line))
    }
}
