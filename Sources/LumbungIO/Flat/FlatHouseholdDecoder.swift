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
    /// The household's source id and its line, for the file-wide check.
    var sourceID: (value: SourceID, line: Int)?

    /// The result, moved out (an empty failure is left behind): reading the field would copy
    /// the household (the profile's 0.9%).
    mutating func takeResult() -> Result<Household, RowIssues> {
        var taken = Result<Household, RowIssues>.failure(RowIssues(issues: [], firstLine: 0))
        swap(&taken, &result)
        return taken
    }
}

/// Decodes one household from its grouped flat rows: it parses each cell (digits, dates, names),
/// checks the household columns agree across rows, then runs the core's one validation
/// (``Household/checked(policy:)``) and places each problem on the line and column its field
/// path came from. It holds no state, so groups decode in parallel.
struct FlatHouseholdDecoder: Sendable {
    let header: [String]
    let mapping: ColumnMapping
    let options: FlatRowDecoder.Options
    let fields: [FlatField?]
    let column: FieldColumns
    /// The attribute columns (index, attribute code), household and member.
    let householdAttributes: [(index: Int, code: String)]
    let memberAttributes: [(index: Int, code: String)]
    let householdColumns: [Int]
    /// The mapping's value translations and constants; nil when it has none.
    let translator: RowTranslator?

    /// `header` names every column issues can name: the file's header, then one per constant.
    init(header: [String], mapping: ColumnMapping, options: FlatRowDecoder.Options, fields: [FlatField?], translator: RowTranslator? = nil) {
        self.header = header
        self.translator = translator
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
    func decode(_ group: FlatRowGroup<[String]>) -> FlatDecodedGroup {
        var decoded = FlatDecodedGroup(result: .failure(RowIssues(issues: [], firstLine: group.firstLine)), firstLine: group.firstLine)
        decoded.result = decodeHousehold(group, &decoded)
        return decoded
    }

    private func decodeHousehold(_ group: FlatRowGroup<[String]>, _ decoded: inout FlatDecodedGroup) -> Result<Household, RowIssues> {
        var issues = group.issues
        var goodRows = group.rows.compactMap { row in row.cells.map { (line: row.line, cells: $0) } }
        if let translator {
            for index in goodRows.indices {
                translator.translate(&goodRows[index].cells, line: goodRows[index].line, names: header, issues: &issues)
            }
        }
        guard let first = goodRows.first else {
            return .failure(RowIssues(issues: issues, firstLine: group.firstLine))
        }
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

        // Household fields, from the first row: each cell parsed here, the rules checked below.
        let line = first.line, cells = first.cells
        var id: HouseholdID?
        if let text = cell(.id, cells) {
            id = HouseholdID(text)
            if id == nil {
                issue(line, .id, text, .householdInvalid, HouseholdID.rule)
            }
        }
        var nomorKK: NomorKK?
        if let text = cell(.nomorKK, cells) {
            do { nomorKK = try NomorKK(text) } catch { issue(line, .nomorKK, error, value: NIK.mask(text)) }
            if let nomorKK { decoded.nomorKK = (nomorKK.rawValue, line) }
        } else {
            issue(line, .nomorKK, "", .kkLength, "is empty; a Nomor KK has 16 digits")
        }
        var sourceID: SourceID?
        if let text = cell(.sourceID, cells) {
            do { sourceID = try SourceID(text) } catch { issue(line, .sourceID, error, value: text) }
            if let sourceID { decoded.sourceID = (sourceID, line) }
        }
        var wilayah: KodeWilayah?
        if let text = cell(.kodeWilayah, cells) {
            do { wilayah = try KodeWilayah(text) } catch { issue(line, .kodeWilayah, error, value: text) }
        } else {
            issue(line, .kodeWilayah, "", .wilayahFormat, "is empty; a household needs its desa/kelurahan code")
        }
        let alamat = column[.alamat].map { cells[$0] } ?? ""
        func integer(_ field: FlatField, _ rule: WholeNumberRule) -> Int? {
            guard let text = cell(field, cells) else { return nil }
            guard let value = Int(text) else {
                issue(line, field, text, rule.code, "is not a whole number; \(rule.rule)")
                return nil
            }
            return value
        }
        let rt = integer(.rt, Household.rtRule)
        let rw = integer(.rw, Household.rwRule)
        let desil = integer(.desil, Household.desilRule)
        var desilVersion: DesilVersion?
        if let text = cell(.desilVersi, cells) {
            do { desilVersion = try DesilVersion(parsing: text) } catch { issue(line, .desilVersi, error, value: text) }
        }
        var status = HouseholdStatus.usulan
        let reasonText = cell(.alasanTidakLayak, cells)
        if let text = cell(.status, cells) {
            do {
                status = try HouseholdStatus(parsing: text, reason: reasonText)
                if status.reason == nil, let reasonText {
                    issue(line, .alasanTidakLayak, reasonText, .householdStatus, status.strayReasonRule)
                }
            } catch let error as LumbungError {
                issue(line, error.field == "alasan_tidak_layak" ? .alasanTidakLayak : .status, error, value: text)
            } catch {}
        } else if let reasonText {
            issue(line, .alasanTidakLayak, reasonText, .householdStatus, "a reason needs status tidak_layak")
        }
        var programs: Set<Program> = []
        if let text = cell(.program, cells) {
            for trimmed in FlatCells.programNames(text) {
                do { programs.insert(try Program(parsing: trimmed)) } catch { issue(line, .program, error, value: trimmed) }
            }
        }
        var updatedAt: Date?
        if let text = cell(.diperbarui, cells) {
            updatedAt = FlatCells.timestamp(cell: text)
            if updatedAt == nil {
                issue(line, .diperbarui, text, .householdInvalid, FlatCells.timestampRule)
            }
        }
        var attributes = Attributes()
        for (index, code) in householdAttributes {
            if let value = FlatCells.attribute(cell: cells[index]) { attributes[code] = value }
        }

        // Members, one per row. A cell that did not parse leaves a stand-in that breaks no rule.
        var members: [Member] = []
        members.reserveCapacity(goodRows.count)
        var relationsKnown = true
        for row in goodRows {
            let (member, relationKnown) = member(row.line, row.cells, &issues, &decoded)
            members.append(member)
            relationsKnown = relationsKnown && relationKnown
        }

        // Every rule, from the core's one validation; each problem placed on its line and column.
        let household = Household(
            id: id, nomorKK: nomorKK ?? NomorKK(unchecked: 0), wilayah: wilayah ?? KodeWilayah(unchecked: 0, level: .desa),
            alamat: alamat, rt: rt, rw: rw, status: status, desil: desil, desilVersion: desilVersion, programs: programs, attributes: attributes,
            members: members, updatedAt: updatedAt, sourceID: sourceID)
        let check = household.checked(policy: options.keepInvalidNIK ? .keepFlagged : .strict)
        for problem in check.problems {
            switch problem.code {
            // A NIK twice in the household is the file-wide check's: it names the other line.
            case .nikDuplicate: continue
            // A relation that did not parse may be the head.
            case .householdNoHead where !relationsKnown: continue
            default: issues.append(self.issue(for: problem, in: household, rows: goodRows))
            }
        }

        guard issues.isEmpty, nomorKK != nil, wilayah != nil else {
            issues.sort { $0.line < $1.line }
            return .failure(RowIssues(issues: issues, firstLine: group.firstLine))
        }
        return .success(check.stored)
    }

    /// The column a field shows in: the header's name for it, or the Lumbung name.
    private func name(_ field: FlatField) -> String {
        if let index = column[field] { return header[index] }
        switch field {
        case .attribute(let code): return householdAttributes.first { $0.code == code }.map { header[$0.index] } ?? field.name
        case .memberAttribute(let code): return memberAttributes.first { $0.code == code }.map { header[$0.index] } ?? field.name
        default: return field.name
        }
    }

    /// A core problem placed by its field path: `anggota[2].nik` on member 2's row and its NIK
    /// column, `alamat` on the household's first row. A problem about the members together
    /// (`anggota`) shows in the column that decides it.
    private func issue(for problem: LumbungError, in household: Household, rows: [(line: Int, cells: [String])]) -> RowIssue {
        var path = Substring(problem.field ?? "")
        var row = rows[0]
        var member = false
        if path.hasPrefix("anggota["), let close = path.firstIndex(of: "]"),
            let index = Int(path[path.index(path.startIndex, offsetBy: 8)..<close]), rows.indices.contains(index)
        {
            row = rows[index]
            path = path[path.index(after: close)...].drop { $0 == "." }
            member = true
        }
        if path == "anggota" {
            switch problem.code {
            case .householdManyHeads:
                let heads = household.headIndices
                return RowIssue(
                    line: rows[heads[1]].line, column: name(.memberHubungan), value: Relation.kepalaKeluarga.name,
                    code: problem.code, rule: problem.rule + " (lines \(heads.map { String(rows[$0].line) }.joined(separator: ", ")))")
            case .householdTooLarge:
                return RowIssue(line: row.line, column: name(.memberNama), error: problem)
            default:
                return RowIssue(line: row.line, column: name(.memberHubungan), error: problem)
            }
        }
        guard let field = FlatField(name: member ? "anggota." + path : String(path)) else {
            return RowIssue(line: row.line, column: String(path), error: problem)
        }
        switch field {
        // Values the report shows as written in the cell.
        case .kodeWilayah, .rt, .rw, .desil:
            let value = column[field].map { row.cells[$0].trimmingSpaces } ?? problem.value ?? ""
            return RowIssue(line: row.line, column: name(field), value: value, code: problem.code, rule: problem.rule)
        default:
            return RowIssue(line: row.line, column: name(field), error: problem)
        }
    }

    /// One member from its row, and whether its relation was read. A cell that does not parse is
    /// an issue and leaves a stand-in: a sex that agrees with the NIK, the relation `lainnya`.
    private func member(_ line: Int, _ cells: [String], _ issues: inout [RowIssue], _ decoded: inout FlatDecodedGroup) -> (Member, relationKnown: Bool) {
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
                issue(field, text, .memberInvalid, T.rule)
                return nil
            }
            return value
        }

        let nik = MemberNIK(parsing: column[.memberNIK].map { cells[$0] })
        // A placeholder is no one's NIK: many members may carry the same one.
        if nik.status.kind != .missing, let text = nik.text?.trimmingSpaces, text.utf8.count == 16, let digits = UInt64(text) {
            decoded.niks.append((digits, line))
        }
        let nameText = column[.memberNama].map { cells[$0] } ?? ""
        var sex: Sex?
        if let text = cell(.memberJenisKelamin) {
            sex = Sex(letter: text)
            if sex == nil { issue(.memberJenisKelamin, text, .memberInvalid, Sex.rule) }
        } else {
            issue(.memberJenisKelamin, "", .memberInvalid, "is empty; " + Sex.rule)
        }
        var birthDate: CalendarDate?
        if let text = cell(.memberTanggalLahir) {
            do { birthDate = try CalendarDate(parsing: text) } catch let error as LumbungError {
                issue(.memberTanggalLahir, text, error.code, error.rule)
            } catch {}
        }
        let relation = named(.memberHubungan, Relation.self)
        if relation == nil && cell(.memberHubungan) == nil {
            issue(.memberHubungan, "", .memberInvalid, "is empty; " + Relation.rule)
        }
        let presence = named(.memberKeberadaan, Presence.self) ?? .tinggalBersama
        let marital = named(.memberStatusKawin, MaritalStatus.self)
        let education = named(.memberPendidikan, Education.self)
        let disability = named(.memberDisabilitas, Disability.self)
        let occupation = cell(.memberPekerjaan).map { _ in cells[column[.memberPekerjaan]!] }
        var dukcapil: DukcapilResult?
        let dukcapilStatus = cell(.memberStatusDukcapil), dukcapilReason = cell(.memberAlasanDukcapil)
        if dukcapilStatus != nil || dukcapilReason != nil {
            do {
                dukcapil = try DukcapilResult.parsing(dukcapilStatus ?? "", reason: dukcapilReason)
            } catch let error as LumbungError {
                let field: FlatField = error.field == DukcapilResult.reasonField ? .memberAlasanDukcapil : .memberStatusDukcapil
                issue(field, error.value ?? "", error.code, error.rule)
            } catch {}
        }
        var attributes = Attributes()
        for (index, code) in memberAttributes {
            if let value = FlatCells.attribute(cell: cells[index]) { attributes[code] = value }
        }
        let member = Member(
            nik: nik, name: nameText, sex: sex ?? nik.nik?.sex ?? .male, birthDate: birthDate, relation: relation ?? .lainnya,
            presence: presence, maritalStatus: marital, education: education, occupation: occupation, disability: disability,
            attributes: attributes, dukcapil: dukcapil)
        return (member, relation != nil)
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
        case .sourceID: 21
        case .desilVersi: 22
        case .memberStatusDukcapil: 23
        case .memberAlasanDukcapil: 24
        case .attribute, .memberAttribute: nil
        }
    }
}
