/// One CSV record's cells as UTF-8 bytes, kept in a block shared with the records read before
/// and after it.
///
/// What ``CSVReader/nextCells()`` gives the import's fast path: no `String` per field, so a cell
/// becomes text only where a household keeps text (a name, an address); and no allocation per
/// record, since many records' bytes share one ``CSVCellBlock``.
///
/// ```swift
/// while let (line, cells) = try reader.nextCells() {
///     cells.withCells { cell in print(line, cell(0).count) }   // the first cell's byte count
/// }
/// ```
struct CSVCells: Sendable {
    /// The block holding this record's bytes and cell ends (and other records').
    let block: CSVCellBlock
    /// Where the record's bytes start in the block.
    let byteStart: Int
    /// Where the record's cell ends start in the block.
    let endStart: Int
    /// The number of cells.
    let count: Int

    /// Calls `body` with a function that gives a cell's bytes by its index (valid only inside).
    @inline(__always)
    func withCells<R, E>(_ body: ((Int) -> UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let bytes = UnsafePointer(block.bytes + byteStart)
        let ends = UnsafePointer(block.ends + endStart)
        // The pointers are valid while the block lives: keep it to the end of the call.
        defer { withExtendedLifetime(block) {} }
        return try body { index in CSVCellLayout.cell(index, bytes: bytes, ends: ends) }
    }

    /// The cells as text, as ``CSVReader/next()`` gives them (the bytes are valid UTF-8).
    var strings: [String] {
        withCells { cell in (0..<count).map { String(decoding: cell($0), as: UTF8.self) } }
    }

    /// Cell `index` as text.
    func string(at index: Int) -> String {
        withCells { cell in String(decoding: cell(index), as: UTF8.self) }
    }
}

/// How a record's cells lie in its bytes: back to back with one separator byte between two
/// cells, and each cell's end (relative to the record's first byte) in a list.
///
/// A record without quotes is its own bytes (the delimiters are the separators), so it is
/// copied once, whole; a quoted one is written unquoted with a separator after each cell.
enum CSVCellLayout {
    /// Cell `index` of the record at `bytes` whose cell ends are `ends`.
    @inline(__always)
    static func cell(_ index: Int, bytes: UnsafePointer<UInt8>, ends: UnsafePointer<Int32>) -> UnsafeBufferPointer<UInt8> {
        let start = index == 0 ? 0 : Int(ends[index - 1]) + 1
        return UnsafeBufferPointer(start: bytes + start, count: Int(ends[index]) - start)
    }
}

/// Append-only storage for many records' bytes and cell ends, shared by their ``CSVCells``.
///
/// The reader writes each record past the last one and never touches written bytes again;
/// each ``CSVCells`` holds the block, so it is freed when the last record in it is. A block is
/// written on the reader thread only before the records in it are handed to other threads.
final class CSVCellBlock: @unchecked Sendable {
    /// The bytes a new block holds (records longer than that get a block of their own size).
    static let standardByteCapacity = 128 << 10

    let bytes: UnsafeMutablePointer<UInt8>
    let ends: UnsafeMutablePointer<Int32>
    let byteCapacity: Int
    let endCapacity: Int
    private(set) var byteCount = 0
    private(set) var endCount = 0

    init(byteCapacity: Int, endCapacity: Int) {
        self.byteCapacity = byteCapacity
        self.endCapacity = endCapacity
        bytes = .allocate(capacity: byteCapacity)
        ends = .allocate(capacity: endCapacity)
    }

    deinit {
        bytes.deallocate()
        ends.deallocate()
    }

    /// Whether a record of `byteCount` bytes and `cellCount` cells still fits.
    func fits(byteCount: Int, cellCount: Int) -> Bool {
        byteCapacity - self.byteCount >= byteCount && endCapacity - endCount >= cellCount
    }

    /// Appends a record laid out as ``CSVCellLayout`` says; it must fit.
    func append(bytes record: UnsafeBufferPointer<UInt8>, ends cellEnds: UnsafeBufferPointer<Int32>) -> CSVCells {
        if let base = record.baseAddress, !record.isEmpty { (bytes + byteCount).update(from: base, count: record.count) }
        if let base = cellEnds.baseAddress, !cellEnds.isEmpty { (ends + endCount).update(from: base, count: cellEnds.count) }
        let cells = CSVCells(block: self, byteStart: byteCount, endStart: endCount, count: cellEnds.count)
        byteCount += record.count
        endCount += cellEnds.count
        return cells
    }
}
