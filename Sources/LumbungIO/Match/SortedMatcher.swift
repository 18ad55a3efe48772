import Lumbung

/// Pemadanan of a long list at disk speed: the same rows as ``Matcher``, in input order.
///
/// The input is taken in runs of at most `runSize` NIKs, so memory stays bounded whatever the
/// list's length. Each run's distinct NIKs are sorted and joined with the NIK index in key
/// order (one cursor walking forward, ``ReadTransaction/householdIDs(nikNumbers:into:)``); the
/// households found are read once each, in id order, head only; then the run's rows are
/// encoded in input order. Each step splits its work over `workers` threads, each with its own
/// short read transaction. A run is answered and written before the next is read, so there is
/// nothing to spill: the output's input order comes from the run's own positions.
///
/// With a ``MatchOutput``, each household found is encoded once, as the bytes that end its
/// rows, and a row is its NIK and outcome written straight to bytes, then those: no cells a row.
///
/// A ``scope`` narrower than the whole store (an API token's) is applied where households are
/// read: one outside it answers `not_found` with no household cells, the same row as for a NIK
/// no household holds.
///
/// ```swift
/// let matcher = SortedMatcher(store: store, output: .csv, write: { bytes in try sink.write(bytes) })
/// try matcher.add(line: 1, text: "3216014507900001")
/// try matcher.finish()
/// ```
public final class SortedMatcher {
    /// Appends one row's output bytes, given its input line and ``Matcher/header`` cells.
    public typealias Encode = @Sendable (_ line: Int, _ cells: [String], _ bytes: inout [UInt8]) -> Void

    /// The default run: about 24 MB of run state, large enough that a run's NIKs share index pages.
    public static let defaultRunSize = 1 << 18

    public let store: Store
    public let runSize: Int
    public let workers: Int
    /// The wilayah whose households may be found; a NIK held outside answers `not_found`.
    public let scope: AccessScope
    private let output: Output
    private let write: ([UInt8]) throws -> Void

    /// A built-in format (households encoded once), or rows from their cells.
    private enum Output {
        case format(MatchOutput)
        case cells(Encode)
    }

    /// Rows answered so far, by outcome.
    public private(set) var counts: [Matcher.Outcome: Int] = [:]

    // The current run, by position: the input line and the NIK's raw value (0: invalid).
    private var lines: [Int] = []
    private var numbers: [UInt64] = []
    private var invalid: [Int: Matcher.Row] = [:]

    /// Rows in `output`'s format.
    public convenience init(
        store: Store, runSize: Int = SortedMatcher.defaultRunSize, workers: Int = 2, scope: AccessScope = .everything,
        output: MatchOutput, write: @escaping ([UInt8]) throws -> Void
    ) {
        self.init(store: store, runSize: runSize, workers: workers, scope: scope, output: .format(output), write: write)
    }

    /// Rows as `encode` writes them from their cells.
    public convenience init(
        store: Store, runSize: Int = SortedMatcher.defaultRunSize, workers: Int = 2, scope: AccessScope = .everything,
        encode: @escaping Encode, write: @escaping ([UInt8]) throws -> Void
    ) {
        self.init(store: store, runSize: runSize, workers: workers, scope: scope, output: .cells(encode), write: write)
    }

    private init(store: Store, runSize: Int, workers: Int, scope: AccessScope, output: Output, write: @escaping ([UInt8]) throws -> Void) {
        precondition(runSize > 0 && workers > 0, "a run holds at least one NIK and one worker answers it")
        self.store = store
        self.runSize = runSize
        self.workers = workers
        self.scope = scope
        self.output = output
        self.write = write
    }

    /// Adds one input NIK as text (trimmed or not); answers the run when it is full.
    public func add(line: Int, text: some StringProtocol) throws {
        switch Matcher.parse(line: line, text: text) {
        case .valid(let nik): append(line: line, number: nik.rawValue)
        case .invalid(let row):
            invalid[numbers.count] = row
            append(line: line, number: 0)
        }
        if numbers.count >= runSize { try answerRun() }
    }

    /// Adds one input NIK given as 16 valid ASCII digits (ASCII spaces around ignored), without
    /// making a string; returns false, adding nothing, for anything else (then pass the text to
    /// ``add(line:text:)``).
    @discardableResult
    public func add(line: Int, digits bytes: UnsafeBufferPointer<UInt8>) throws -> Bool {
        guard let nik = NIK(digits: bytes) else { return false }
        append(line: line, number: nik.rawValue)
        if numbers.count >= runSize { try answerRun() }
        return true
    }

    /// Answers what is left of the input.
    public func finish() throws {
        if !numbers.isEmpty { try answerRun() }
    }

    @inline(__always)
    private func append(line: Int, number: UInt64) {
        lines.append(line)
        numbers.append(number)
    }

    private func answerRun() throws {
        let (lines, numbers, invalid) = (self.lines, self.numbers, self.invalid)
        self.lines.removeAll(keepingCapacity: true)
        self.numbers.removeAll(keepingCapacity: true)
        self.invalid.removeAll()
        self.numbers.reserveCapacity(runSize)
        self.lines.reserveCapacity(runSize)

        // 1. The run's distinct NIKs, in index order, and the household of each.
        let keys = Self.sortedDistinct(numbers.filter { $0 != 0 })
        var keyIDs: [UInt32] = try inParts(keys.count) { [store] range in
            try store.read { tx in
                var ids = [UInt32](repeating: 0, count: range.count)
                try keys[range].withUnsafeBufferPointer { numbers in
                    try ids.withUnsafeMutableBufferPointer { try tx.householdIDs(nikNumbers: numbers, into: $0) }
                }
                return ids
            }
        }
        // 2. Each household found, once, in id order: its outline, kept when inside the scope.
        let candidates = Self.sortedDistinct(keyIDs.filter { $0 != 0 }.map(UInt64.init))
        let read: [HouseholdOutline?] = try inParts(candidates.count) { [store] range in
            try store.read { tx in try candidates[range].map { id in try tx.outline(id: HouseholdID(rawValue: id)) } }
        }
        let (ids, outlines) = scope.seesWholeStore ? (candidates, read) : Self.forget(outsideOf: scope, keyIDs: &keyIDs, ids: candidates, outlines: read)
        // 3. Each household's cells (in a format: their bytes), then the rows.
        let parts: [(bytes: [UInt8], counts: [Int])]
        switch output {
        case .format(let format):
            let households: [[UInt8]] = try inParts(outlines.count) { range in
                outlines[range].map { format.householdBytes(Matcher.householdCells($0)) }
            }
            parts = try Self.rows(format, lines: lines, numbers: numbers, invalid: invalid, keys: keys, keyIDs: keyIDs, ids: ids, households: households, inParts: inParts)
        case .cells(let encode):
            let households: [[String]] = try inParts(outlines.count) { range in outlines[range].map(Matcher.householdCells) }
            parts = try Self.rows(encode, lines: lines, numbers: numbers, invalid: invalid, keys: keys, keyIDs: keyIDs, ids: ids, households: households, inParts: inParts)
        }
        for part in parts {
            try write(part.bytes)
            for (outcome, count) in zip([Matcher.Outcome.found, .notFound, .invalid], part.counts) {
                counts[outcome, default: 0] += count
            }
        }
    }

    /// The households of a run inside `scope`: those outside are dropped and their NIKs' ids
    /// become 0, so their rows are written exactly as for a NIK that no household holds.
    private static func forget(
        outsideOf scope: AccessScope, keyIDs: inout [UInt32], ids: [UInt64], outlines: [HouseholdOutline?]
    ) -> ([UInt64], [HouseholdOutline?]) {
        var outside = Set<UInt32>()
        var keptIDs: [UInt64] = [], keptOutlines: [HouseholdOutline?] = []
        keptIDs.reserveCapacity(ids.count)
        keptOutlines.reserveCapacity(ids.count)
        for (id, outline) in zip(ids, outlines) {
            if let outline, !scope.permits(outline.wilayah) {
                outside.insert(UInt32(truncatingIfNeeded: id))
            } else {
                keptIDs.append(id)
                keptOutlines.append(outline)
            }
        }
        if !outside.isEmpty {
            for index in keyIDs.indices where outside.contains(keyIDs[index]) { keyIDs[index] = 0 }
        }
        return (keptIDs, keptOutlines)
    }

    private typealias Parts = (Int, @escaping @Sendable (Range<Int>) throws -> [(bytes: [UInt8], counts: [Int])]) throws -> [(bytes: [UInt8], counts: [Int])]

    /// The rows, in input order, in a format: each row's start, then its household's bytes.
    private static func rows(
        _ format: MatchOutput, lines: [Int], numbers: [UInt64], invalid: [Int: Matcher.Row], keys: [UInt64], keyIDs: [UInt32],
        ids: [UInt64], households: [[UInt8]], inParts: Parts
    ) throws -> [(bytes: [UInt8], counts: [Int])] {
        let none = format.householdBytes(Matcher.noHouseholdCells)
        return try inParts(numbers.count) { range in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(range.count * 96)
            var counts = [0, 0, 0]
            for position in range {
                let number = numbers[position]
                if number == 0 {
                    let row = invalid[position]!
                    var text = row.nik
                    text.withUTF8 { format.row(line: lines[position], nik: $0, outcome: row.outcome, reason: row.reason, household: none, into: &bytes) }
                    counts[2] += 1
                    continue
                }
                let id = keyIDs[Self.position(of: number, in: keys)]
                NIK(unchecked: number).withDigits { nik in
                    if id == 0 {
                        format.row(line: lines[position], nik: nik, outcome: .notFound, reason: nil, household: none, into: &bytes)
                    } else {
                        let household = households[Self.position(of: UInt64(id), in: ids)]
                        format.row(line: lines[position], nik: nik, outcome: .found, reason: nil, household: household, into: &bytes)
                    }
                }
                counts[id == 0 ? 1 : 0] += 1
            }
            return [(bytes, counts)]
        }
    }

    /// The rows, in input order, from their cells.
    private static func rows(
        _ encode: @escaping Encode, lines: [Int], numbers: [UInt64], invalid: [Int: Matcher.Row], keys: [UInt64], keyIDs: [UInt32],
        ids: [UInt64], households: [[String]], inParts: Parts
    ) throws -> [(bytes: [UInt8], counts: [Int])] {
        try inParts(numbers.count) { range in
            var bytes: [UInt8] = []
            bytes.reserveCapacity(range.count * 96)
            var counts = [0, 0, 0]
            for position in range {
                let number = numbers[position]
                let cells: [String]
                if number == 0 {
                    let row = invalid[position]!
                    cells = Matcher.cells(row)
                    counts[2] += 1
                } else {
                    let id = keyIDs[Self.position(of: number, in: keys)]
                    let nik = NIK(unchecked: number).text
                    if id == 0 {
                        cells = Matcher.cells(nik: nik, outcome: .notFound, reason: nil, household: Matcher.noHouseholdCells)
                        counts[1] += 1
                    } else {
                        let household = households[Self.position(of: UInt64(id), in: ids)]
                        cells = Matcher.cells(nik: nik, outcome: .found, reason: nil, household: household)
                        counts[0] += 1
                    }
                }
                encode(lines[position], cells, &bytes)
            }
            return [(bytes, counts)]
        }
    }

    /// Splits `0..<count` into `workers` contiguous ranges, runs `body` on each at once and
    /// joins the results in range order; the first error wins.
    private func inParts<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Range<Int>) throws -> [T]) throws -> [T] {
        let parts = count < 2 * 1024 ? 1 : workers
        let results = Locked<[Result<[T], any Error>?]>(Array(repeating: nil, count: parts))
        Parallel.run(parts) { part in
            let range = (count * part / parts)..<(count * (part + 1) / parts)
            let result = Result { try body(range) }
            results.withLock { $0[part] = result }
        }
        var joined: [T] = []
        joined.reserveCapacity(count)
        for result in results.withLock({ $0 }) { joined += try result!.get() }
        return joined
    }

    /// `values` sorted, each once.
    static func sortedDistinct(_ values: [UInt64]) -> [UInt64] {
        var sorted = values
        sorted.sort()
        var kept = 0
        for index in sorted.indices where kept == 0 || sorted[kept - 1] != sorted[index] {
            sorted[kept] = sorted[index]
            kept += 1
        }
        sorted.removeLast(sorted.count - kept)
        return sorted
    }

    /// Where `value` sits in `sorted` (which holds it).
    @inline(__always)
    static func position(of value: UInt64, in sorted: [UInt64]) -> Int {
        var low = 0, high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
