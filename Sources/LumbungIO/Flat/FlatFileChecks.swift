import Lumbung

/// The checks that span a whole flat file, run on decoded groups in file order: a NIK on two
/// rows (`nik.duplicate`), and, when grouping by id, a Nomor KK on two households
/// (`kk.duplicate`; grouped by KK a repeat is already `row.groupNotContiguous`), and, unless
/// grouping by source id, a source id on two households (`sourceid.duplicate`).
///
/// It remembers every NIK and Nomor KK compactly (``SixteenDigitLines``, 16 digits → line, about
/// 11 bytes each), and each source id once (at most 64 characters a household).
struct FlatFileChecks: Sendable {
    let nikColumn: String
    let kkColumn: String
    let sourceIDColumn: String
    /// Whether a Nomor KK on two households is reported here (grouping by id or source id, and JSON Lines).
    let checksKK: Bool
    /// Whether a source id on two households is reported here (not grouping by it).
    let checksSourceID: Bool
    private var nikLines = SixteenDigitLines()
    private var kkLines = SixteenDigitLines()
    private var sourceIDLines: [SourceID: UInt32] = [:]

    init(nikColumn: String, kkColumn: String, sourceIDColumn: String, checksKK: Bool, checksSourceID: Bool) {
        self.nikColumn = nikColumn
        self.kkColumn = kkColumn
        self.sourceIDColumn = sourceIDColumn
        self.checksKK = checksKK
        self.checksSourceID = checksSourceID
    }

    /// The number of distinct NIKs seen so far.
    var nikCount: Int { nikLines.count }

    /// Forgets every number and source id seen, once the file is read: they are most of what
    /// an import holds at the end.
    mutating func forgetFile() {
        nikLines = SixteenDigitLines()
        kkLines = SixteenDigitLines()
        sourceIDLines = [:]
    }

    /// The decoded household, or its issues with any file-wide ones added. Consumed, so that the
    /// household moves out instead of being copied (a copy retains each of its arrays and strings).
    mutating func check(_ decoded: consuming FlatDecodedGroup) -> Result<Household, RowIssues> {
        check(inPlace: &decoded)
        return decoded.takeResult()
    }

    /// Adds any file-wide issues to the group's result (a failure then), leaving the household
    /// where it is, so that it moves on uncopied; the group's lines and columns stay for the
    /// importer's lookups in the store.
    mutating func check(inPlace decoded: inout FlatDecodedGroup) {
        var issues: [RowIssue] = []
        if checksKK, let (kk, line) = decoded.nomorKK {
            if let other = kkLines.firstLine(of: kk, orInsert: line) {
                issues.append(RowIssue(
                    line: line, column: kkColumn, value: NIK.mask(String(kk)), code: .kkDuplicate,
                    rule: "the Nomor KK is already the household on line \(other)"))
            }
        }
        if checksSourceID, let (sourceID, line) = decoded.sourceID {
            if let other = sourceIDLines[sourceID] {
                issues.append(RowIssue(
                    line: line, column: sourceIDColumn, value: sourceID.text, code: .sourceIDDuplicate,
                    rule: "the source id is already the household on line \(other)"))
            } else {
                sourceIDLines[sourceID] = UInt32(clamping: line)
            }
        }
        for (position, (digits, line)) in decoded.niks.enumerated() {
            if let other = nikLines.firstLine(of: digits, orInsert: line) {
                issues.append(RowIssue(
                    line: line, column: decoded.nikColumns?[position] ?? nikColumn, value: NIK.mask(Self.sixteenDigits(digits)), code: .nikDuplicate,
                    rule: "the NIK is already on line \(other)"))
            }
        }
        guard !issues.isEmpty else { return }
        if case .failure(let earlier) = decoded.result { issues = earlier.issues + issues }
        issues.sort { $0.line < $1.line }
        decoded.result = .failure(RowIssues(issues: issues, firstLine: decoded.firstLine))
    }

    private static func sixteenDigits(_ value: UInt64) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 16 - text.count)) + text
    }
}
