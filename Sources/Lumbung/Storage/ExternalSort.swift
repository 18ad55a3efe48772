import Foundation

/// A value an ``ExternalSort`` can write to a run file and read back.
protocol Spillable: Comparable {
    func spill(to file: SpillFile)
    /// The next value of `file`, or nil at its end.
    static func unspill(from file: SpillFile) -> Self?
}

/// A sorted stream of values that may throw while it reads.
protocol EntryStream<Element> {
    associatedtype Element
    mutating func next() throws -> Element?
}

/// Sorts more values than memory should hold: the values are kept in runs of at most
/// `runLength`, each run sorted and written to an unlinked temporary file when it fills, and the
/// runs are merged when read. Memory stays about `runLength` values plus a read buffer per run,
/// whatever the count. Nothing is written while the values fit in one run.
///
/// ```swift
/// var sort = ExternalSort<UniqueEntry>(runLength: 4_000_000, directories: [store.path])
/// for entry in entries { try sort.append(entry) }
/// var sorted = try sort.sorted()
/// while let entry = try sorted.next() { … }
/// ```
struct ExternalSort<Element: Spillable> {
    let runLength: Int
    /// Where run files go, the first that takes one.
    let directories: [String]
    private var buffer: [Element] = []
    private var runs: [SpillFile] = []

    init(runLength: Int, directories: [String]) {
        self.runLength = max(1, runLength)
        self.directories = directories
    }

    /// How many runs went to files.
    var spilledRuns: Int { runs.count }

    mutating func append(_ element: Element) throws {
        buffer.append(element)
        if buffer.count >= runLength { try spill() }
    }

    private mutating func spill() throws {
        buffer.sort()
        let file = try SpillFile(in: directories)
        for element in buffer { element.spill(to: file) }
        try file.finishWriting()
        runs.append(file)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Every value appended, in order.
    mutating func sorted() throws -> SortedRuns<Element> {
        buffer.sort()
        defer { buffer = []; runs = [] }
        return SortedRuns(memory: buffer, files: runs)
    }
}

/// The merge of an ``ExternalSort``'s runs: the last one from memory, the others from their
/// files, through a binary heap of each run's next value.
struct SortedRuns<Element: Spillable>: EntryStream {
    private var memory: [Element]
    private var position = 0
    private let files: [SpillFile]
    /// Each run's next value and the run (`files.count` for the one in memory), smallest first.
    private var heap: [(Element, Int)] = []

    init(memory: [Element], files: [SpillFile]) {
        self.memory = memory
        self.files = files
        guard !files.isEmpty else { return }
        for run in 0...files.count {
            if let value = pull(run) { heap.append((value, run)) }
        }
        heap.sort { Self.precedes($0, $1) }  // a sorted array is a heap
    }

    mutating func next() throws -> Element? {
        if files.isEmpty {
            guard position < memory.count else { return nil }
            defer { position += 1 }
            return memory[position]
        }
        guard let first = heap.first else { return nil }
        let (top, run) = first
        if let value = pull(run) {
            heap[0] = (value, run)
        } else {
            let last = heap.removeLast()
            guard !heap.isEmpty else { return top }
            heap[0] = last
        }
        siftDown()
        return top
    }

    private mutating func pull(_ run: Int) -> Element? {
        if run < files.count { return Element.unspill(from: files[run]) }
        guard position < memory.count else { return nil }
        defer { position += 1 }
        return memory[position]
    }

    private mutating func siftDown() {
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var child = left
            if left + 1 < heap.count && Self.precedes(heap[left + 1], heap[left]) { child = left + 1 }
            guard Self.precedes(heap[child], heap[parent]) else { return }
            heap.swapAt(parent, child)
            parent = child
        }
    }

    /// Equal values come out in run order, so the merge is deterministic.
    @inline(__always)
    private static func precedes(_ a: (Element, Int), _ b: (Element, Int)) -> Bool {
        a.0 < b.0 || (a.0 == b.0 && a.1 < b.1)
    }
}

/// One run file: created and unlinked at once (a crash leaves nothing behind), written once,
/// then read from its start through a buffer.
final class SpillFile {
    private let file: UnsafeMutablePointer<FILE>
    /// stdio's buffer, given explicitly: glibc ignores a size without one (and reads 4 KB at a time).
    private let buffer: UnsafeMutableRawPointer
    static let bufferSize = 1 << 16

    /// A file in the first of `directories` that takes one.
    init(in directories: [String]) throws {
        var failures: [String] = []
        for directory in directories {
            var template = Array("\(directory)/.lumbung-sort-XXXXXX".utf8CString)
            let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard descriptor >= 0 else {
                failures.append("\(directory): \(String(cString: strerror(errno)))")
                continue
            }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            guard let file = fdopen(descriptor, "w+") else {
                close(descriptor)
                failures.append("\(directory): \(String(cString: strerror(errno)))")
                continue
            }
            buffer = UnsafeMutableRawPointer.allocate(byteCount: Self.bufferSize, alignment: 16)
            setvbuf(file, buffer.assumingMemoryBound(to: CChar.self), _IOFBF, Self.bufferSize)
            self.file = file
            return
        }
        throw LumbungError(.storeIO, value: directories.joined(separator: ", "), rule: "cannot create a temporary sort file: \(failures.joined(separator: "; "))")
    }

    deinit {
        fclose(file)
        buffer.deallocate()
    }

    /// Flushes what was written and goes back to the start for reading.
    func finishWriting() throws {
        guard fflush(file) == 0, ferror(file) == 0 else {
            let reason = String(cString: strerror(errno))
            throw LumbungError(errno == ENOSPC ? .storeFull : .storeIO, value: "temporary sort file", rule: "cannot write it: \(reason)")
        }
        rewind(file)
    }

    @inline(__always)
    func write<Integer: FixedWidthInteger>(_ value: Integer) {
        var bigEndian = value.bigEndian
        _ = withUnsafeBytes(of: &bigEndian) { fwrite($0.baseAddress, 1, $0.count, file) }
    }

    func write(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    }

    @inline(__always)
    func read<Integer: FixedWidthInteger>(_: Integer.Type) -> Integer? {
        var value: Integer = 0
        let got = withUnsafeMutableBytes(of: &value) { fread($0.baseAddress, 1, $0.count, file) }
        return got == MemoryLayout<Integer>.size ? Integer(bigEndian: value) : nil
    }

    func read(count: Int) -> [UInt8]? {
        var complete = false
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = count == 0 ? 0 : fread(buffer.baseAddress, 1, count, file)
            complete = initialized == count
        }
        return complete ? bytes : nil
    }
}
