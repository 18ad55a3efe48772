import Lumbung

/// A workbook's shared-string table, held compactly: every string's UTF-8 bytes in one buffer
/// and where each ends, so a table of a million strings costs its text plus 4 bytes a string
/// (never a million `String`s). Cells refer to it by index (`<c t="s"><v>7</v></c>`), in any
/// order, so it is the one part of a workbook an import keeps whole.
///
/// ```swift
/// var table = SharedStrings()
/// table.append(Array("Siti".utf8)[...])
/// table.string(at: 0)   // "Siti"
/// ```
struct SharedStrings: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var ends: [UInt32] = []

    /// The table's ceiling: offsets are 32-bit.
    static let maximumBytes = Int(UInt32.max)

    var count: Int { ends.count }

    mutating func append(_ text: some Collection<UInt8>) throws {
        guard bytes.count + text.count <= Self.maximumBytes else {
            throw LumbungError(.xlsxCorrupt, field: "xl/sharedStrings.xml", rule: "the shared strings exceed 4 GiB, more than an .xlsx holds")
        }
        bytes.append(contentsOf: text)
        ends.append(UInt32(bytes.count))
    }

    /// The string at `index`, or `nil` past the end.
    func string(at index: Int) -> String? {
        guard index >= 0 && index < ends.count else { return nil }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        return bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<Int(ends[index])]), as: UTF8.self) }
    }
}
