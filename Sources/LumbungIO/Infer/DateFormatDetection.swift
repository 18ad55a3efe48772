import Lumbung

/// Which date format a sample of cells is written in: each cell is tried in every date format of
/// ``CellFormat``, and the format that reads the most cells wins (the first listed on a tie).
/// Memory is one counter a format, whatever the sample's size.
///
/// ```swift
/// var detection = DateFormatDetection()
/// for cell in ["23-01-1990", "15-05-1992", ""] { detection.add(cell) }
/// detection.best       // .date(.dayMonthYear(separator: 45)): "DD-MM-YYYY"
/// detection.unread     // 0
/// ```
public struct DateFormatDetection: Sendable {
    /// The date formats, in the order a tie is decided (a cell of 8 digits is `YYYYMMDD`, not a serial).
    public static let candidates: [CellFormat] = ["YYYY-MM-DD", "DD-MM-YYYY", "DD/MM/YYYY", "YYYYMMDD", "excel"]
        .map { CellFormat(name: $0)! }

    /// How many cells each candidate reads.
    public private(set) var reads = [Int](repeating: 0, count: candidates.count)
    /// How many non-empty cells were seen.
    public private(set) var cells = 0

    public init() {}

    /// Counts one cell (an empty one is not counted).
    public mutating func add(_ cell: String) {
        let text = cell.trimmingSpaces
        guard !text.isEmpty else { return }
        cells += 1
        for (index, format) in Self.candidates.enumerated() {
            if case .success = format.read(text) { reads[index] += 1 }
        }
    }

    /// The format that reads the most cells; nil when none reads any.
    public var best: CellFormat? {
        guard let top = reads.max(), top > 0 else { return nil }
        return Self.candidates[reads.firstIndex(of: top)!]
    }

    /// How many non-empty cells the best format does not read.
    public var unread: Int { cells - (reads.max() ?? 0) }
}
