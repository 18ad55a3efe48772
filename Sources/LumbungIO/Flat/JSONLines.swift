import Lumbung

/// JSON Lines: one household per line, as ``HouseholdJSON`` writes it.
///
/// ```swift
/// var out: [UInt8] = []
/// for household in households { JSONLines.append(household, to: &out) }
/// switch JSONLines.decode(line: 7, bytes) {
/// case .success(let household): …
/// case .failure(let issues): report.add(issues)
/// }
/// ```
public enum JSONLines {
    /// The household's JSON followed by `\n`.
    public static func line(_ household: Household) -> [UInt8] {
        var bytes = HouseholdJSON.encode(household)
        bytes.append(0x0A)
        return bytes
    }

    /// Appends the household's line to `buffer` (reuse one buffer for many).
    public static func append(_ household: Household, to buffer: inout [UInt8]) {
        HouseholdJSON.encode(household, into: &buffer)
        buffer.append(0x0A)
    }

    /// Reads one line (a trailing `\n` or `\r\n` is allowed); a JSON or domain error becomes a
    /// ``RowIssue`` whose column is the JSON path (`anggota[2].nik`), with the (masked) value.
    public static func decode(line number: Int, _ bytes: some Collection<UInt8>) -> Result<Household, RowIssues> {
        var slice = Array(bytes)
        while let last = slice.last, last == 0x0A || last == 0x0D { slice.removeLast() }
        do {
            return .success(try HouseholdJSON.decode(slice))
        } catch let error as LumbungError {
            return .failure(RowIssues(issues: [RowIssue(line: number, error: error)], firstLine: number))
        } catch {
            return .failure(RowIssues(
                issues: [RowIssue(line: number, column: "", value: "", code: .jsonMalformed, rule: "\(error)")],
                firstLine: number))
        }
    }

    /// Reads one line given as a `String`.
    public static func decode(line number: Int, _ text: String) -> Result<Household, RowIssues> {
        decode(line: number, Array(text.utf8))
    }
}
