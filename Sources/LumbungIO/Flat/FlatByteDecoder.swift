import Foundation
import Lumbung

/// Decodes a household straight from its CSV rows' bytes when every cell it reads is plainly
/// valid, and hands the group to the general decoder (``FlatHouseholdDecoder``) at the first doubt.
///
/// The fast path reads numbers and codes from the bytes, makes text only where the household
/// keeps text (names, the address), and builds the household once. It decides nothing itself:
/// each value is parsed by the core's own parser (or matched against the names the core lists),
/// the household is validated by ``Household/checked(policy:)``, and anything unusual (a cell
/// with spaces around it, a value the core refuses, a problem, an issue from grouping) sends the
/// whole group to the general decoder, which finds and names every issue. So both paths give the
/// same households and the same issues, and the rules keep their one home.
///
/// Built only for a mapping that translates nothing (``FlatHouseholdDecoder/translator`` is nil):
/// ``ImportInput`` decides which path a file takes.
struct FlatByteDecoder: Sendable {
    let general: FlatHouseholdDecoder
    private let policy: NIKPolicy
    private let relations = CodeNames<Relation>()
    private let presences = CodeNames<Presence>()
    private let maritalStatuses = CodeNames<MaritalStatus>()
    private let educations = CodeNames<Education>()
    private let disabilities = CodeNames<Disability>()
    /// The sexes of the one-letter cells the core reads (`L`, `P`, …), by byte.
    private let sexes: [Sex?]
    /// The attribute columns in ascending code order, so ``Attributes`` is built in one go; nil
    /// when two columns name one code (then set one by one: the last non-empty cell wins).
    private let householdAttributesInCodeOrder: [(index: Int, code: String)]?
    private let memberAttributesInCodeOrder: [(index: Int, code: String)]?

    /// Why the fast path gives a group up.
    private struct Doubt: Error {}

    /// Nil when the mapping translates cells: only the general decoder reads those.
    init?(_ general: FlatHouseholdDecoder) {
        guard general.translator == nil else { return nil }
        self.general = general
        policy = general.options.keepInvalidNIK ? .keepFlagged : .strict
        sexes = (0..<128).map { byte in Sex(letter: String(UnicodeScalar(UInt8(byte)))) }
        householdAttributesInCodeOrder = Self.inCodeOrder(general.householdAttributes)
        memberAttributesInCodeOrder = Self.inCodeOrder(general.memberAttributes)
    }

    private static func inCodeOrder(_ columns: [(index: Int, code: String)]) -> [(index: Int, code: String)]? {
        guard Set(columns.map(\.code)).count == columns.count else { return nil }
        return columns.sorted { $0.code < $1.code }
    }

    /// Decodes one group: on the bytes when it can, else through the general decoder.
    func decode(_ group: FlatRowGroup<CSVCells>) -> FlatDecodedGroup {
        decodeQuickly(group) ?? general.decode(group.asText)
    }

    /// The group decoded on its bytes; nil when it needs the general decoder.
    func decodeQuickly(_ group: FlatRowGroup<CSVCells>) -> FlatDecodedGroup? {
        try? quickly(group)
    }

    // MARK: - The fast path

    private func quickly(_ group: FlatRowGroup<CSVCells>) throws(Doubt) -> FlatDecodedGroup {
        guard group.issues.isEmpty, let first = group.rows.first?.cells else { throw Doubt() }
        var decoded = FlatDecodedGroup(result: .failure(RowIssues(issues: [], firstLine: group.firstLine)), firstLine: group.firstLine)
        let line = group.rows[0].line
        // Household columns must be the same bytes on every row (else the general decoder compares them as text).
        for row in group.rows.dropFirst() {
            guard let cells = row.cells else { throw Doubt() }
            for index in general.householdColumns where !Self.sameCell(index, first, cells) { throw Doubt() }
        }
        let column = general.column
        var household = try first.withCells { (cell) throws(Doubt) -> Household in
            /// The cell's bytes; nil when empty. Spaces or tabs around it are the general decoder's to trim.
            func plain(_ field: FlatField) throws(Doubt) -> UnsafeBufferPointer<UInt8>? {
                guard let index = column[field] else { return nil }
                return try Self.plain(cell(index))
            }
            func text(_ field: FlatField) throws(Doubt) -> String? {
                try plain(field).map { String(decoding: $0, as: UTF8.self) }
            }
            var id: HouseholdID?
            if let bytes = try plain(.id) {
                guard let value = Self.wholeNumber(bytes).map(UInt64.init), HouseholdID(rawValue: value).isStorable else { throw Doubt() }
                id = HouseholdID(rawValue: value)
            }
            guard let kkBytes = try plain(.nomorKK), let nomorKK = NomorKK(digits: kkBytes) else { throw Doubt() }
            decoded.nomorKK = (nomorKK.rawValue, line)
            var sourceID: SourceID?
            if let text = try text(.sourceID) {
                guard let parsed = try? SourceID(text) else { throw Doubt() }
                sourceID = parsed
                decoded.sourceID = (parsed, line)
            }
            guard let wilayahBytes = try plain(.kodeWilayah),
                let wilayah = KodeWilayah(checkedBytes: wilayahBytes) ?? (try? KodeWilayah(String(decoding: wilayahBytes, as: UTF8.self)))
            else { throw Doubt() }
            let alamat = column[.alamat].map { String(decoding: cell($0), as: UTF8.self) } ?? ""
            func integer(_ field: FlatField) throws(Doubt) -> Int? {
                guard let bytes = try plain(field) else { return nil }
                guard let value = Self.wholeNumber(bytes) else { throw Doubt() }
                return value
            }
            let rt = try integer(.rt), rw = try integer(.rw), desil = try integer(.desil)
            var desilVersion: DesilVersion?
            if let text = try text(.desilVersi) {
                guard let parsed = try? DesilVersion(parsing: text) else { throw Doubt() }
                desilVersion = parsed
            }
            var status = HouseholdStatus.usulan
            let reasonBytes = try plain(.alasanTidakLayak)
            if let bytes = try plain(.status) {
                // The form Lumbung writes, matched on bytes; any other spelling by the core's parser.
                guard let parsed = HouseholdStatus(exactly: bytes, reason: reasonBytes)
                    ?? (try? HouseholdStatus(parsing: String(decoding: bytes, as: UTF8.self), reason: reasonBytes.map { String(decoding: $0, as: UTF8.self) })),
                    parsed.reason != nil || reasonBytes == nil
                else { throw Doubt() }
                status = parsed
            } else if reasonBytes != nil {
                throw Doubt()
            }
            var programs: Set<Program> = []
            if let bytes = try plain(.program) {
                if let exact = FlatCells.programs(bytes: bytes) {
                    programs = exact
                } else {
                    for name in FlatCells.programNames(String(decoding: bytes, as: UTF8.self)) {
                        guard let program = try? Program(parsing: name) else { throw Doubt() }
                        programs.insert(program)
                    }
                }
            }
            var updatedAt: Date?
            if let text = try text(.diperbarui) {
                guard let date = FlatCells.timestamp(cell: text) else { throw Doubt() }
                updatedAt = date
            }
            let attributes = Self.attributes(householdAttributesInCodeOrder, general.householdAttributes, cell)
            return Household(
                id: id, nomorKK: nomorKK, wilayah: wilayah, alamat: alamat, rt: rt, rw: rw, status: status, desil: desil,
                desilVersion: desilVersion, programs: programs, attributes: attributes, members: [], updatedAt: updatedAt,
                sourceID: sourceID)
        }
        household.members.reserveCapacity(group.rows.count)
        decoded.niks.reserveCapacity(group.rows.count)
        for row in group.rows {
            household.members.append(try member(row.cells!, line: row.line, &decoded))
        }
        let check = household.checked(policy: policy)
        guard check.problems.isEmpty else { throw Doubt() }
        decoded.result = .success(check.stored)
        return decoded
    }

    /// One member from its row's bytes.
    private func member(_ cells: CSVCells, line: Int, _ decoded: inout FlatDecodedGroup) throws(Doubt) -> Member {
        let column = general.column
        return try cells.withCells { (cell) throws(Doubt) -> Member in
            func plain(_ field: FlatField) throws(Doubt) -> UnsafeBufferPointer<UInt8>? {
                guard let index = column[field] else { return nil }
                return try Self.plain(cell(index))
            }
            func text(_ field: FlatField) throws(Doubt) -> String? {
                try plain(field).map { String(decoding: $0, as: UTF8.self) }
            }
            func named<T: NamedCode>(_ field: FlatField, _ names: CodeNames<T>) throws(Doubt) -> T? {
                guard let bytes = try plain(field) else { return nil }
                guard let value = names.value(bytes) ?? T(name: String(decoding: bytes, as: UTF8.self)) else { throw Doubt() }
                return value
            }

            var nik = MemberNIK.missing
            if let bytes = try plain(.memberNIK) {
                // Only a valid NIK here; a placeholder, a dash or a bad NIK is the general decoder's.
                guard let valid = NIK(digits: bytes) else { throw Doubt() }
                nik = .valid(valid)
                decoded.niks.append((valid.rawValue, line))
            }
            let name = column[.memberNama].map { String(decoding: cell($0), as: UTF8.self) } ?? ""
            guard let sexBytes = try plain(.memberJenisKelamin) else { throw Doubt() }
            guard let sex = sexBytes.count == 1 && sexBytes[0] < 0x80
                ? sexes[Int(sexBytes[0])] : Sex(letter: String(decoding: sexBytes, as: UTF8.self))
            else { throw Doubt() }
            var birthDate: CalendarDate?
            if let bytes = try plain(.memberTanggalLahir) {
                birthDate = try Self.date(bytes)
            }
            guard let relation = try named(.memberHubungan, relations) else { throw Doubt() }
            let presence = try named(.memberKeberadaan, presences) ?? .tinggalBersama
            let marital = try named(.memberStatusKawin, maritalStatuses)
            let education = try named(.memberPendidikan, educations)
            let disability = try named(.memberDisabilitas, disabilities)
            // The occupation as written, when it holds more than spaces.
            var occupation: String?
            if let index = column[.memberPekerjaan], cell(index).contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                occupation = String(decoding: cell(index), as: UTF8.self)
            }
            var dukcapil: DukcapilResult?
            let dukcapilStatus = try text(.memberStatusDukcapil), dukcapilReason = try text(.memberAlasanDukcapil)
            if dukcapilStatus != nil || dukcapilReason != nil {
                // Nil is a result here (belum_dipadankan), so the error is caught, not flattened by try?.
                do { dukcapil = try DukcapilResult.parsing(dukcapilStatus ?? "", reason: dukcapilReason) } catch { throw Doubt() }
            }
            let attributes = Self.attributes(memberAttributesInCodeOrder, general.memberAttributes, cell)
            return Member(
                nik: nik, name: name, sex: sex, birthDate: birthDate, relation: relation, presence: presence,
                maritalStatus: marital, education: education, occupation: occupation, disability: disability,
                attributes: attributes, dukcapil: dukcapil)
        }
    }

    /// A row's attributes: built in code order when the columns allow, else set one by one.
    @inline(__always)
    private static func attributes(
        _ inCodeOrder: [(index: Int, code: String)]?, _ columns: [(index: Int, code: String)],
        _ cell: (Int) -> UnsafeBufferPointer<UInt8>
    ) -> Attributes {
        guard let inCodeOrder else {
            var attributes = Attributes()
            for (index, code) in columns {
                if let value = FlatCells.attribute(bytes: cell(index)) { attributes[code] = value }
            }
            return attributes
        }
        if inCodeOrder.isEmpty { return Attributes() }
        var entries: [Attributes.Element] = []
        entries.reserveCapacity(inCodeOrder.count)
        for (index, code) in inCodeOrder {
            if let value = FlatCells.attribute(bytes: cell(index)) { entries.append((code, value)) }
        }
        return Attributes(inCodeOrder: entries)
    }

    // MARK: - Bytes

    /// The cell's bytes; nil when empty; a doubt when spaces or tabs surround it.
    @inline(__always)
    private static func plain(_ bytes: UnsafeBufferPointer<UInt8>) throws(Doubt) -> UnsafeBufferPointer<UInt8>? {
        guard let first = bytes.first, let last = bytes.last else { return nil }
        if first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09 { throw Doubt() }
        return bytes
    }

    /// Whether cell `index` holds the same bytes in both rows.
    @inline(__always)
    private static func sameCell(_ index: Int, _ a: CSVCells, _ b: CSVCells) -> Bool {
        a.withCells { cellA in
            b.withCells { cellB in
                let x = cellA(index), y = cellB(index)
                // memcmp, not `elementsEqual`: this runs for some 29 columns of every row after a household's first.
                return x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0)
            }
        }
    }

    /// Up to 18 ASCII digits as a number; nil for anything else (a sign, a point, more digits).
    @inline(__always)
    private static func wholeNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            let digit = byte &- 0x30
            guard digit < 10 else { return nil }
            value = value &* 10 &+ Int(digit)
        }
        return value
    }

    /// A birth date: `YYYY-MM-DD` read from the bytes, any other form by the core's parser.
    @inline(__always)
    private static func date(_ bytes: UnsafeBufferPointer<UInt8>) throws(Doubt) -> CalendarDate {
        if bytes.count == 10, bytes[4] == 0x2D, bytes[7] == 0x2D,
            let year = wholeNumber(UnsafeBufferPointer(rebasing: bytes[0..<4])),
            let month = wholeNumber(UnsafeBufferPointer(rebasing: bytes[5..<7])),
            let day = wholeNumber(UnsafeBufferPointer(rebasing: bytes[8..<10]))
        {
            guard let date = try? CalendarDate(year: year, month: month, day: day) else { throw Doubt() }
            return date
        }
        guard let date = try? CalendarDate(parsing: String(decoding: bytes, as: UTF8.self)) else { throw Doubt() }
        return date
    }
}

/// A coded field's names as the core lists them (``NamedCode/names``), matched on bytes: the
/// exact name a file written by Lumbung holds. Anything else goes to the core's own parser.
struct CodeNames<Code: NamedCode>: Sendable {
    private let names: [[UInt8]] = Code.names.map { Array($0.utf8) }

    /// The code whose name is exactly these bytes.
    @inline(__always)
    func value(_ bytes: UnsafeBufferPointer<UInt8>) -> Code? {
        guard let start = bytes.baseAddress else { return nil }
        for index in names.indices where names[index].count == bytes.count {
            // memcmp, not `elementsEqual`: its iterators cost more than the comparison (a name is a few bytes).
            if names[index].withUnsafeBufferPointer({ memcmp($0.baseAddress!, start, bytes.count) == 0 }) {
                return Code(rawValue: UInt8(index + 1))
            }
        }
        return nil
    }
}
