import Foundation
import Lumbung

/// The checks a mapping gets before any row is read: every Lumbung value it names (a value map's
/// targets, a code list's, a default, a constant) against its field's rule, and whether a
/// column's code list and format fit it. Each problem names its place in the mapping file
/// (`columns[3].values["aktif"]`).
extension ColumnMapping.Column {
    /// Every problem of this column's value translation, for `field`, the column at `path`.
    func valueProblems(field: FlatField, at path: String, codeLists: [String: [String: String]]) -> [LumbungError] {
        var problems: [LumbungError] = []
        if let codeList, codeLists[codeList] == nil {
            problems.append(LumbungError(
                .rowMappingInvalid, field: path + ".code_list", value: codeList,
                rule: "no code list has this name; \"code_lists\" defines "
                    + (codeLists.isEmpty ? "none" : codeLists.keys.sorted().joined(separator: ", "))))
        }
        if let format, let rule = format.misfit(field) {
            problems.append(LumbungError(.rowMappingInvalid, field: path + ".format", value: format.description, rule: rule))
        }
        for (key, target) in values.sorted(by: { $0.key < $1.key }) {
            let place = path + ".values[\(ColumnMapping.quoted(key))]"
            if key.trimmingSpaces.isEmpty {
                problems.append(LumbungError(
                    .rowMappingInvalid, field: place, value: key,
                    rule: "an empty cell takes the column's \"default\"; a value map's keys are cell texts"))
            }
            problems += Self.targetProblems(field: field, target, at: place)
        }
        if let defaultValue {
            problems += Self.targetProblems(field: field, defaultValue, at: path + ".default")
        }
        return problems
    }

    /// Why `value`, a Lumbung value the mapping gives `field` at `path`, breaks the field's rule.
    static func targetProblems(field: FlatField, _ value: String, at path: String) -> [LumbungError] {
        guard let problem = field.problem(inCell: value) else { return [] }
        let rule = problem.rule.hasPrefix(field.name) ? problem.rule : "\(field.name): \(problem.rule)"
        return [LumbungError(.rowMappingInvalid, field: path, value: problem.value ?? value, rule: rule)]
    }
}

extension ColumnMapping {
    /// A key as a mapping path writes it: `"aktif"`, JSON-escaped.
    static func quoted(_ key: String) -> String {
        var writer = JSONWriter(pretty: false, capacity: key.utf8.count + 16)
        writer.string(key)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

extension CellFormat {
    /// Why this format cannot read into `field`; nil when it can.
    func misfit(_ field: FlatField) -> String? {
        switch (self, field) {
        case (.date, .memberTanggalLahir), (_, .attribute), (_, .memberAttribute): nil
        case (.date, _): "a date format reads into anggota.tanggal_lahir or an attribute, not \(field.name)"
        case (.boolean, _): "a yes/no reads into an attribute (atribut.CODE, anggota.atribut.CODE) as 1 or 0, not \(field.name)"
        }
    }
}

extension LumbungError {
    /// The same error, placed at `path` in a mapping file.
    func atPath(_ path: String) -> LumbungError {
        var copy = self
        copy.field = path
        return copy
    }
}

extension FlatField {
    /// What a field name in a mapping must be.
    static let unknownFieldRule =
        "not a Lumbung field: use " + FlatField.householdFields.map(\.name).joined(separator: ", ") + ", atribut.<code> or anggota.<field>"

    /// The fields every flat file must give (a column, or a constant).
    static func required(groupBy: ColumnMapping.GroupKey) -> [FlatField] {
        [groupBy.field, .nomorKK, .kodeWilayah, .memberNama, .memberJenisKelamin, .memberHubungan]
    }

    /// The problem of an attribute field's code; nil for another field or a good code.
    var attributeCodeProblem: LumbungError? {
        switch self {
        case .attribute(let code), .memberAttribute(let code): Attributes.codeProblem(code, field: name)
        default: nil
        }
    }

    /// Why `text` cannot be this field's cell, by the core's own parsers and rules; nil when it
    /// can. Rules that need the whole household (a head, a desa code) are left to the row check.
    func problem(inCell text: String) -> LumbungError? {
        func thrown(_ body: () throws -> Void) -> LumbungError? {
            do {
                try body()
                return nil
            } catch let error as LumbungError {
                return error
            } catch {
                return LumbungError(.rowMappingInvalid, value: text, rule: "\(error)")
            }
        }
        func named<T: NamedCode>(_ type: T.Type) -> LumbungError? {
            T(name: text) == nil ? LumbungError(.memberInvalid, value: text, rule: T.rule) : nil
        }
        func whole(_ rule: WholeNumberRule) -> LumbungError? {
            guard let value = Int(text) else { return LumbungError(rule.code, value: text, rule: rule.rule) }
            return rule.problem(value)
        }
        if text.isEmpty {
            guard Self.required(groupBy: .nomorKK).contains(self) else { return nil }
            return LumbungError(.rowMappingInvalid, value: text, rule: "is required, so it cannot be empty")
        }
        switch self {
        case .id: return HouseholdID(text) == nil ? LumbungError(.householdInvalid, value: text, rule: HouseholdID.rule) : nil
        case .nomorKK: return thrown { _ = try NomorKK(text) }
        case .sourceID: return thrown { _ = try SourceID(text) }
        case .kodeWilayah: return thrown { _ = try KodeWilayah(text) }
        case .alamat, .memberNama, .memberPekerjaan, .attribute, .memberAttribute: return nil
        case .rt: return whole(Household.rtRule)
        case .rw: return whole(Household.rwRule)
        case .desil: return whole(Household.desilRule)
        case .desilVersi: return thrown { _ = try DesilVersion(parsing: text) }
        case .memberStatusDukcapil: return thrown { _ = try DukcapilFilter(parsing: text) }
        case .memberAlasanDukcapil: return nil
        case .status:
            // `tidak_layak` alone takes its reason from the alasan_tidak_layak column.
            let problem = thrown { _ = try HouseholdStatus(parsing: text) }
            return problem?.field == "alasan_tidak_layak" && !text.contains(":") ? nil : problem
        case .alasanTidakLayak: return thrown { _ = try HouseholdStatus(parsing: "tidak_layak", reason: text) }
        case .program: return FlatCells.programNames(text).lazy.compactMap { name in thrown { _ = try Program(parsing: name) } }.first
        case .diperbarui: return FlatCells.timestamp(cell: text) == nil ? LumbungError(.householdInvalid, value: text, rule: FlatCells.timestampRule) : nil
        case .memberNIK: return NIKPlaceholder(written: text) != nil ? nil : thrown { _ = try NIK(text) }
        case .memberJenisKelamin: return Sex(letter: text) == nil ? LumbungError(.memberInvalid, value: text, rule: Sex.rule) : nil
        case .memberTanggalLahir: return thrown { _ = try CalendarDate(parsing: text) }
        case .memberHubungan: return named(Relation.self)
        case .memberKeberadaan: return named(Presence.self)
        case .memberStatusKawin: return named(MaritalStatus.self)
        case .memberPendidikan: return named(Education.self)
        case .memberDisabilitas: return named(Disability.self)
        }
    }
}
