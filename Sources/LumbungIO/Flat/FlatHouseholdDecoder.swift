import Foundation
import Lumbung

/// What decoding one group gave: the household or its issues, and what the file-wide checks
/// (``FlatFileChecks``) need.
struct FlatDecodedGroup: Sendable {
    var result: Result<Household, RowIssues>
    var firstLine: Int
    /// Every 16-digit NIK of the rows, with its line.
    var niks: [(digits: UInt64, line: Int)] = []
    /// Each NIK's column, when it differs per NIK (JSON Lines: `anggota[2].nik`).
    var nikColumns: [String]?
    /// The Nomor KK, if valid, with its line.
    var nomorKK: (value: UInt64, line: Int)?
}

/// Decodes one household from its grouped flat rows: every field with its exact rule, the
/// household columns agreeing across rows, one head. It holds no state, so groups decode in
/// parallel.
struct FlatHouseholdDecoder: Sendable {
    let header: [String]
    let mapping: ColumnMapping
    let options: FlatRowDecoder.Options
    let fields: [FlatField?]
    private let column: FieldColumns
    /// The attribute columns (index, attribute code), household and member.
    private let householdAttributes: [(index: Int, code: String)]
    private let memberAttributes: [(index: Int, code: String)]
    private let householdColumns: [Int]

    init(header: [String], mapping: ColumnMapping, options: FlatRowDecoder.Options, fields: [FlatField?]) {
        self.header = header
        self.mapping = mapping
        self.options = options
        self.fields = fields
        column = FieldColumns(fields)
        householdAttributes = fields.enumerated().compactMap { index, field in
            if case .attribute(let code)? = field { (index, code) } else { nil }
        }
        memberAttributes = fields.enumerated().compactMap { index, field in
            if case .memberAttribute(let code)? = field { (index, code) } else { nil }
        }
        householdColumns = fields.indices.filter { fields[$0]?.isHouseholdField == true }
    }

    /// Decodes one group's rows into a household, or every issue found in them.
    func decode(_ group: FlatRowGroup) -> FlatDecodedGroup {
        var decoded = FlatDecodedGroup(result: .failure(RowIssues(issues: [], firstLine: group.firstLine)), firstLine: group.firstLine)
        decoded.result = decodeHousehold(group, &decoded)
        return decoded
    }

    private func decodeHousehold(_ group: FlatRowGroup, _ decoded: inout FlatDecodedGroup) -> Result<Household, RowIssues> {
        var issues = group.issues
        let goodRows = group.rows.compactMap { row in row.cells.map { (line: row.line, cells: $0) } }
        guard let first = goodRows.first else {
            return .failure(RowIssues(issues: issues, firstLine: group.firstLine))
        }
        func name(_ field: FlatField) -> String { column[field].map { header[$0] } ?? field.name }
        func cell(_ field: FlatField, _ cells: [String]) -> String? {
            guard let index = column[field] else { return nil }
            let text = cells[index].trimmingSpaces
            return text.isEmpty ? nil : text
        }
        func issue(_ line: Int, _ field: FlatField, _ value: String, _ code: LumbungError.Code, _ rule: String) {
            issues.append(RowIssue(line: line, column: name(field), value: value, code: code, rule: rule))
        }
        func issue(_ line: Int, _ field: FlatField, _ error: Error, value: String) {
            if let error = error as? LumbungError {
                issues.append(RowIssue(line: line, column: name(field), value: error.value ?? value, code: error.code, rule: error.rule))
            } else {
                issue(line, field, value, .householdInvalid, "\(error)")
            }
        }

        // Household columns must agree across the rows.
        for row in goodRows.dropFirst() {
            for index in householdColumns where first.cells[index] != row.cells[index] {
                let a = first.cells[index].trimmingSpaces
                let b = row.cells[index].trimmingSpaces
                if a != b {
                    let personal = fields[index] == .nomorKK
                    issues.append(RowIssue(
                        line: row.line, column: header[index], value: personal ? NIK.mask(b) : b,
                        code: .rowHouseholdMismatch,
                        rule: "household column \(header[index]) is '\(personal ? NIK.mask(b) : b)' here but '\(personal ? NIK.mask(a) : a)' on line \(first.line), the household's first row"))
                }
            }
        }

        // Household fields, from the first row.
        let line = first.line, cells = first.cells
        var id: HouseholdID?
        if let text = cell(.id, cells) {
            id = HouseholdID(text)
            if id == nil {
                issue(line, .id, text, .householdInvalid, "an id is a whole number 1 to \(HouseholdID.max.rawValue)")
            }
        }
        var nomorKK: NomorKK?
        if let text = cell(.nomorKK, cells) {
            do { nomorKK = try NomorKK(text) } catch { issue(line, .nomorKK, error, value: NIK.mask(text)) }
            if let nomorKK { decoded.nomorKK = (nomorKK.rawValue, line) }
        } else {
            issue(line, .nomorKK, "", .kkLength, "is empty; a Nomor KK has 16 digits")
        }
        var wilayah: KodeWilayah?
        if let text = cell(.kodeWilayah, cells) {
            do {
                let code = try KodeWilayah(text)
                if code.level == .desa {
                    wilayah = code
                } else {
                    issue(line, .kodeWilayah, text, .wilayahLevel, "a household's wilayah is a desa/kelurahan code (PP.KK.CC.DDDD)")
                }
            } catch { issue(line, .kodeWilayah, error, value: text) }
        } else {
            issue(line, .kodeWilayah, "", .wilayahFormat, "is empty; a household needs its desa/kelurahan code")
        }
        let alamat = column[.alamat].map { cells[$0] } ?? ""
        if alamat.utf8.count > 500 {
            issue(line, .alamat, String(alamat.prefix(40)) + "…", .householdInvalid, "an address is at most 500 bytes")
        }
        func integer(_ field: FlatField, _ range: ClosedRange<Int>, _ code: LumbungError.Code, _ rule: String) -> Int? {
            guard let text = cell(field, cells) else { return nil }
            guard let value = Int(text), range.contains(value) else {
                issue(line, field, text, code, rule)
                return nil
            }
            return value
        }
        let rt = integer(.rt, 0...999, .householdInvalid, "RT is a whole number 0 to 999")
        let rw = integer(.rw, 0...999, .householdInvalid, "RW is a whole number 0 to 999")
        let desil = integer(.desil, 1...10, .householdDesil, "desil is a whole number 1 to 10")
        var status = HouseholdStatus.usulan
        let reasonText = cell(.alasanTidakLayak, cells)
        if let text = cell(.status, cells) {
            do {
                status = try HouseholdStatus(parsing: text, reason: reasonText)
                if status.reason == nil, let reasonText {
                    issue(line, .alasanTidakLayak, reasonText, .householdStatus,
                          "only a tidak_layak household has a reason; status is \(status.name)")
                }
            } catch let error as LumbungError {
                issue(line, error.field == "alasan_tidak_layak" ? .alasanTidakLayak : .status, error, value: text)
            } catch {}
        } else if let reasonText {
            issue(line, .alasanTidakLayak, reasonText, .householdStatus, "a reason needs status tidak_layak")
        }
        var programs: Set<Program> = []
        if let text = cell(.program, cells) {
            for part in text.split(whereSeparator: { $0 == "|" || $0 == "," || $0 == ";" }) {
                let trimmed = part.trimmingSpaces
                if trimmed.isEmpty { continue }
                do { programs.insert(try Program(parsing: trimmed)) } catch { issue(line, .program, error, value: trimmed) }
            }
        }
        var updatedAt: Date?
        if let text = cell(.diperbarui, cells) {
            updatedAt = FlatCells.timestamp(cell: text)
            if updatedAt == nil {
                issue(line, .diperbarui, text, .householdInvalid, "a timestamp is written YYYY-MM-DDTHH:MM:SS.fffZ (UTC)")
            }
        }
        var attributes = Attributes()
        for (index, code) in householdAttributes {
            guard let value = FlatCells.attribute(cell: cells[index]) else { continue }
            attributes[code] = check(value, line: line, column: header[index], into: &issues)
        }

        // Members, one per row.
        var members: [Member] = []
        var headLines: [Int] = []
        var relationsKnown = true
        for row in goodRows {
            if let member = member(row.line, row.cells, &issues, &decoded) { members.append(member) }
            switch cell(.memberHubungan, row.cells).flatMap({ Relation(name: $0) }) {
            case .kepalaKeluarga?: headLines.append(row.line)
            case nil: relationsKnown = false
            default: break
            }
        }
        if goodRows.count > Household.maxMembers {
            issue(line, .memberNama, String(goodRows.count), .householdTooLarge,
                  "a household has at most \(Household.maxMembers) members")
        }
        if relationsKnown && headLines.isEmpty {
            issue(line, .memberHubungan, "", .householdNoHead, "exactly one member is the kepala_keluarga; none is")
        }
        if headLines.count > 1 {
            issue(headLines[1], .memberHubungan, Relation.kepalaKeluarga.name, .householdManyHeads,
                  "exactly one member is the kepala_keluarga; \(headLines.count) are (lines \(headLines.map(String.init).joined(separator: ", ")))")
        }

        guard issues.isEmpty, let nomorKK, let wilayah else {
            issues.sort { $0.line < $1.line }
            return .failure(RowIssues(issues: issues, firstLine: group.firstLine))
        }
        return .success(Household(
            id: id, nomorKK: nomorKK, wilayah: wilayah, alamat: alamat, rt: rt, rw: rw, status: status, desil: desil,
            programs: programs, attributes: attributes, members: members, updatedAt: updatedAt))
    }

    private func check(_ value: AttributeValue, line: Int, column: String, into issues: inout [RowIssue]) -> AttributeValue? {
        if case .text(let text) = value, text.utf8.count > 4096 {
            issues.append(RowIssue(
                line: line, column: column, value: String(text.prefix(20)) + "…", code: .attributeInvalid,
                rule: "an attribute text is at most 4096 bytes"))
            return nil
        }
        return value
    }

    /// One member from its row; nil (with issues) when a required field is unusable.
    private func member(_ line: Int, _ cells: [String], _ issues: inout [RowIssue], _ decoded: inout FlatDecodedGroup) -> Member? {
        let before = issues.count
        func name(_ field: FlatField) -> String { column[field].map { header[$0] } ?? field.name }
        func cell(_ field: FlatField) -> String? {
            guard let index = column[field] else { return nil }
            let text = cells[index].trimmingSpaces
            return text.isEmpty ? nil : text
        }
        func issue(_ field: FlatField, _ value: String, _ code: LumbungError.Code, _ rule: String) {
            issues.append(RowIssue(line: line, column: name(field), value: value, code: code, rule: rule))
        }
        func named<T: NamedCode>(_ field: FlatField, _ type: T.Type) -> T? {
            guard let text = cell(field) else { return nil }
            guard let value = T(name: text) else {
                issue(field, text, .memberInvalid, "must be one of " + T.allCases.map(\.name).joined(separator: ", "))
                return nil
            }
            return value
        }

        let nameText = column[.memberNama].map { cells[$0] } ?? ""
        if nameText.trimmingSpaces.isEmpty || nameText.utf8.count > 200 {
            issue(.memberNama, String(nameText.prefix(40)), .memberInvalid, "a name is 1-200 bytes of text")
        }
        var sex: Sex?
        if let text = cell(.memberJenisKelamin) {
            sex = Sex(letter: text)
            if sex == nil { issue(.memberJenisKelamin, text, .memberInvalid, "must be L (laki-laki) or P (perempuan)") }
        } else {
            issue(.memberJenisKelamin, "", .memberInvalid, "is empty; must be L (laki-laki) or P (perempuan)")
        }
        var birthDate: CalendarDate?
        if let text = cell(.memberTanggalLahir) {
            do { birthDate = try CalendarDate(parsing: text) } catch let error as LumbungError {
                issue(.memberTanggalLahir, text, error.code, error.rule)
            } catch {}
        }
        let relation = named(.memberHubungan, Relation.self)
        if relation == nil && cell(.memberHubungan) == nil {
            issue(.memberHubungan, "", .memberInvalid, "is empty; must be one of " + Relation.allCases.map(\.name).joined(separator: ", "))
        }
        let presence = named(.memberKeberadaan, Presence.self) ?? .tinggalBersama
        let marital = named(.memberStatusKawin, MaritalStatus.self)
        let education = named(.memberPendidikan, Education.self)
        let disability = named(.memberDisabilitas, Disability.self)
        let occupation = cell(.memberPekerjaan).map { _ in cells[column[.memberPekerjaan]!] }
        if let occupation, occupation.utf8.count > 200 {
            issue(.memberPekerjaan, String(occupation.prefix(40)), .memberInvalid, "an occupation is at most 200 bytes")
        }
        var attributes = Attributes()
        for (index, code) in memberAttributes {
            guard let value = FlatCells.attribute(cell: cells[index]) else { continue }
            attributes[code] = check(value, line: line, column: header[index], into: &issues)
        }

        // NIK: the exact rule, the cross-checks, duplicates across the file.
        let rawNIK = column[.memberNIK].map { cells[$0] }
        var nik = MemberNIK(parsing: rawNIK)
        switch nik {
        case .valid(let parsed):
            var mismatch: (LumbungError.Code, String)?
            if let sex, parsed.sex != sex {
                mismatch = (.nikSexMismatch, "the NIK's day (\(parsed.sex == .female ? "+40, female" : "male")) disagrees with jenis_kelamin \(sex.letter)")
            } else if let birthDate, parsed.birthDay != birthDate.day || parsed.birthMonth != birthDate.month
                || parsed.birthYearTwoDigits != birthDate.year % 100
            {
                mismatch = (.nikBirthDateMismatch, "the NIK's birth date disagrees with tanggal_lahir \(birthDate)")
            }
            if let (code, rule) = mismatch {
                if options.keepInvalidNIK {
                    nik = .invalid(parsed.text, reason: code)
                } else {
                    issue(.memberNIK, parsed.masked, code, rule)
                }
            }
        case .invalid(let raw, _):
            if !options.keepInvalidNIK {
                do { _ = try NIK(raw) } catch let error as LumbungError {
                    issue(.memberNIK, error.value ?? NIK.mask(raw), error.code, error.rule)
                } catch {}
            }
        case .missing:
            if !options.keepInvalidNIK {
                issue(.memberNIK, "", .nikMissing,
                      "every member needs a NIK; import members without one only with keepInvalidNIK (legacy data)")
            }
        }
        if let text = nik.text?.trimmingSpaces, text.utf8.count == 16, let digits = UInt64(text) {
            decoded.niks.append((digits, line))
        }

        guard issues.count == before, let sex, let relation else { return nil }
        return Member(
            nik: nik, name: nameText, sex: sex, birthDate: birthDate, relation: relation, presence: presence,
            maritalStatus: marital, education: education, occupation: occupation, disability: disability,
            attributes: attributes)
    }
}

/// Which column holds each named field: an array lookup, not a hash of the field (every cell
/// of an import asks). Attribute fields are not looked up this way.
struct FieldColumns: Sendable {
    private var slots: [Int]

    init(_ fields: [FlatField?]) {
        slots = Array(repeating: -1, count: FlatField.householdFields.count + FlatField.memberFields.count)
        for (index, field) in fields.enumerated() {
            if let field, let slot = Self.slot(field), slots[slot] < 0 { slots[slot] = index }
        }
    }

    subscript(field: FlatField) -> Int? {
        guard let slot = Self.slot(field) else { return nil }
        let index = slots[slot]
        return index < 0 ? nil : index
    }

    @inline(__always)
    private static func slot(_ field: FlatField) -> Int? {
        switch field {
        case .id: 0
        case .nomorKK: 1
        case .kodeWilayah: 2
        case .alamat: 3
        case .rt: 4
        case .rw: 5
        case .status: 6
        case .alasanTidakLayak: 7
        case .desil: 8
        case .program: 9
        case .diperbarui: 10
        case .memberNIK: 11
        case .memberNama: 12
        case .memberJenisKelamin: 13
        case .memberTanggalLahir: 14
        case .memberHubungan: 15
        case .memberKeberadaan: 16
        case .memberStatusKawin: 17
        case .memberPendidikan: 18
        case .memberPekerjaan: 19
        case .memberDisabilitas: 20
        case .attribute, .memberAttribute: nil
        }
    }
}
