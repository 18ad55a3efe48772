import Lumbung

/// How `match` writes its rows: CSV under ``Matcher/header``, or JSON Lines (`line`, then the
/// same keys), every cell a string.
///
/// A household's part of a row (``Matcher/header`` from `id` on) is the same in every row that
/// finds it, so ``SortedMatcher`` encodes it once (``householdBytes(_:)``) and each row writes
/// only its own start (``row(line:nik:outcome:reason:household:into:)``): a row is the bytes
/// ``encode(line:cells:into:)`` writes for its cells.
///
/// ```swift
/// var bytes: [UInt8] = []
/// MatchOutput.csv.encode(line: 1, cells: Matcher.cells(row), into: &bytes)
/// // 3216014507900001,found,,12,3216012003150001,32.16.01.2001,ditetapkan,3,PKH|BPNT\n
/// ```
public enum MatchOutput: Sendable {
    case csv
    case jsonLines

    /// A row from its ``Matcher/header`` cells.
    public func encode(line: Int, cells: [String], into bytes: inout [UInt8]) {
        switch self {
        case .csv: CSVWriter.encode(cells, into: &bytes)
        case .jsonLines:
            let fields = zip(Matcher.header, cells).map { ($0, JSONValue.string($1)) }
            JSONValue.object([("line", .int(line))] + fields).write(into: &bytes)
            bytes.append(0x0A)
        }
    }

    /// A household's cells (``Matcher/householdCells(_:)``) as the bytes that end each of its
    /// rows: CSV `,12,3216…,…`; JSON `,"id":"12",…}`; then the line's end.
    public func householdBytes(_ cells: [String]) -> [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .csv:
            for cell in cells {
                bytes.append(CSVDelimiter.comma.byte)
                CSVWriter.appendField(cell, to: &bytes)
            }
        case .jsonLines:
            // The object's members after its first, as the whole row's object writes them.
            let fields = zip(Matcher.header.suffix(cells.count), cells).map { ($0, JSONValue.string($1)) }
            let object = JSONValue.object(fields).bytes
            bytes.append(UInt8(ascii: ","))
            bytes += object.dropFirst()
        }
        bytes.append(0x0A)
        return bytes
    }

    /// One row: the NIK (digits, or the masked text of an invalid one), outcome and reason,
    /// then `household` (``householdBytes(_:)``).
    @inline(__always)
    func row(line: Int, nik: UnsafeBufferPointer<UInt8>, outcome: Matcher.Outcome, reason: String?, household: [UInt8], into bytes: inout [UInt8]) {
        switch self {
        case .csv:
            CSVWriter.appendField(nik, to: &bytes)
            bytes.append(CSVDelimiter.comma.byte)
            bytes += outcome.rawValue.utf8
            bytes.append(CSVDelimiter.comma.byte)
            if let reason { CSVWriter.appendField(reason, to: &bytes) }
        case .jsonLines:
            let start: JSONValue = .object([
                ("line", .int(line)), ("nik", .string(String(decoding: nik, as: UTF8.self))),
                ("hasil", .string(outcome.rawValue)), ("alasan", .string(reason ?? "")),
            ])
            var head = start.bytes
            head.removeLast()  // the closing brace: the household's part closes the object
            bytes += head
        }
        bytes += household
    }
}
