/// One CSV record's cells as UTF-8 bytes: every cell's bytes back to back, and where each ends.
///
/// What ``CSVReader/nextCells()`` gives the import's fast path: no `String` per field, so a cell
/// becomes text only where a household keeps text (a name, an address).
///
/// ```swift
/// while let (line, cells) = try reader.nextCells() {
///     cells.withCells { cell in print(line, cell(0).count) }   // the first cell's byte count
/// }
/// ```
struct CSVCells: Sendable {
    /// The cells' bytes, back to back (quotes removed, `""` unescaped).
    var bytes: [UInt8]
    /// Where each cell ends in ``bytes``; the next one starts there.
    var ends: [Int]

    /// The number of cells.
    var count: Int { ends.count }

    /// Calls `body` with a function that gives a cell's bytes by its index (valid only inside).
    @inline(__always)
    func withCells<R, E>(_ body: ((Int) -> UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let result: Result<R, E> = bytes.withUnsafeBufferPointer { all in
            ends.withUnsafeBufferPointer { ends in
                do throws(E) {
                    return .success(try body { index in
                        let start = index == 0 ? 0 : ends[index - 1]
                        return UnsafeBufferPointer(rebasing: all[start..<ends[index]])
                    })
                } catch {
                    return .failure(error)
                }
            }
        }
        return try result.get()
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
