#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Lumbung

/// A flat row's cells as the grouper reads them: text (a sheet's row, a CSV record read as
/// text) or a CSV record's bytes (``CSVCells``, the import's fast path).
protocol FlatRowCells: Sendable {
    var count: Int { get }
    /// Cell `index` without the spaces and tabs around it.
    func trimmedText(at index: Int) -> String
    /// Whether ``trimmedText(at:)`` would be `text` (as `==` compares them), perhaps without
    /// making the text.
    func trimmedText(at index: Int, is text: String) -> Bool
}

extension FlatRowCells {
    func trimmedText(at index: Int, is text: String) -> Bool { trimmedText(at: index) == text }
}

extension Array: FlatRowCells where Element == String {
    func trimmedText(at index: Int) -> String { self[index].trimmingSpaces }
}

extension CSVCells: FlatRowCells {
    func trimmedText(at index: Int) -> String {
        withCells { cell in String(decoding: Self.trimmed(cell(index)), as: UTF8.self) }
    }

    /// The same bytes are the same text; other bytes may still be equal text (`==` compares
    /// canonical equivalents), so only then is the text made.
    func trimmedText(at index: Int, is text: String) -> Bool {
        let sameBytes: Bool = withCells { cell in
            let bytes = Self.trimmed(cell(index))
            let same: Bool? = text.utf8.withContiguousStorageIfAvailable { utf8 in
                utf8.count == bytes.count && (bytes.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            }
            return same ?? false
        }
        return sameBytes || trimmedText(at: index) == text
    }

    private static func trimmed(_ cell: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = cell.count
        while start < end && (cell[start] == 0x20 || cell[start] == 0x09) { start += 1 }
        while end > start && (cell[end - 1] == 0x20 || cell[end - 1] == 0x09) { end -= 1 }
        return UnsafeBufferPointer(rebasing: cell[start..<end])
    }
}

/// One household's rows of a flat file, as grouped, before decoding.
struct FlatRowGroup<Cells: FlatRowCells>: Sendable {
    var key: String
    var firstLine: Int
    /// Each row's line and cells; nil cells for a row with the wrong column count.
    var rows: [(line: Int, cells: Cells?)] = []
    /// Issues found while grouping (column count, empty or non-contiguous key).
    var issues: [RowIssue] = []
}

extension FlatRowGroup where Cells == CSVCells {
    /// The group with its cells as text, for the general decoder.
    var asText: FlatRowGroup<[String]> {
        FlatRowGroup<[String]>(key: key, firstLine: firstLine, rows: rows.map { ($0.line, $0.cells?.strings) }, issues: issues)
    }
}

/// Groups consecutive rows with the same ``ColumnMapping/groupBy`` value into households.
///
/// It runs in file order and is cheap, so decoding the groups can run in parallel. Across the
/// file it remembers every finished key (compactly) to report `row.groupNotContiguous`.
struct FlatRowGrouper<Cells: FlatRowCells>: Sendable {
    let header: [String]
    let groupColumn: Int
    let groupBy: ColumnMapping.GroupKey

    private var group: FlatRowGroup<Cells>?
    /// The current group's key as a number (nil for a text key), and whether an earlier group
    /// had the key: found once, when the group starts.
    private var groupKey: (number: UInt64?, seenBefore: Bool) = (nil, false)
    private var finishedNumericKeys: [UInt64: UInt32] = [:]
    private var finishedTextKeys: [String: UInt32] = [:]

    init(header: [String], groupColumn: Int, groupBy: ColumnMapping.GroupKey) {
        self.header = header
        self.groupColumn = groupColumn
        self.groupBy = groupBy
    }

    /// Takes the next row; returns the previous group when this row starts a new one.
    mutating func push(line: Int, row: Cells) -> FlatRowGroup<Cells>? {
        // Most rows: one more row of the household being read, found without making its key.
        if row.count == header.count, let key = group?.key, !key.isEmpty, row.trimmedText(at: groupColumn, is: key) {
            group!.rows.append((line, row))
            return nil
        }
        var rowIssues: [RowIssue] = []
        var cells: Cells? = row
        var key: String
        if row.count != header.count {
            rowIssues.append(RowIssue(
                line: line, column: "", value: String(row.count), code: .rowColumnCount,
                rule: "the row has \(row.count) cells, the header \(header.count)"))
            cells = nil
            key = groupColumn < row.count ? row.trimmedText(at: groupColumn) : group?.key ?? ""
        } else {
            key = row.trimmedText(at: groupColumn)
        }
        if key.isEmpty {
            if cells != nil {
                rowIssues.append(RowIssue(
                    line: line, column: header[groupColumn], value: "", code: .rowGroupKeyMissing,
                    rule: "rows are grouped by \(groupBy.rawValue), which is empty on this row"))
            }
            key = group?.key ?? ""
        }
        var finished: FlatRowGroup<Cells>?
        if group == nil || group!.key != key {
            if let previous = group {
                remember(previous)
                finished = previous
            }
            var fresh = FlatRowGroup<Cells>(key: key, firstLine: line)
            fresh.rows.reserveCapacity(4)  // most households have at most four members
            let number = Self.numericKey(key)
            let earlier = firstLine(ofFinished: key, number: number)
            groupKey = (number, earlier != nil)
            if let earlier {
                fresh.issues.append(RowIssue(
                    line: line, column: header[groupColumn], value: maskedKey(key), code: .rowGroupNotContiguous,
                    rule: "this household's rows already appeared from line \(earlier), before another household; sort the file by \(groupBy.rawValue)"))
            }
            group = fresh
        }
        group!.rows.append((line, cells))
        if !rowIssues.isEmpty { group!.issues += rowIssues }
        return finished
    }

    /// Ends the input: returns the last group, if any.
    mutating func finish() -> FlatRowGroup<Cells>? {
        guard let finished = group else { return nil }
        group = nil
        remember(finished)
        return finished
    }

    private static func numericKey(_ key: String) -> UInt64? {
        guard key.utf8.count <= 19, key.utf8.first != UInt8(ascii: "0") || key.utf8.count == 1 else { return nil }
        return UInt64(key)
    }

    /// Remembers the current group's key when it finishes (the first group with it only).
    private mutating func remember(_ finished: FlatRowGroup<Cells>) {
        guard !finished.key.isEmpty, !groupKey.seenBefore else { return }
        let line = UInt32(clamping: finished.firstLine)
        if let number = groupKey.number {
            finishedNumericKeys[number] = line
        } else {
            finishedTextKeys[finished.key] = line
        }
    }

    /// The first line of the finished group with `key`, whose number is `number`.
    private func firstLine(ofFinished key: String, number: UInt64?) -> Int? {
        if key.isEmpty { return nil }
        if let number { return finishedNumericKeys[number].map(Int.init) }
        return finishedTextKeys[key].map(Int.init)
    }

    private func maskedKey(_ key: String) -> String { groupBy == .nomorKK ? NIK.mask(key) : key }
}
