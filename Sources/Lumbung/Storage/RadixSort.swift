/// A stable least-significant-digit radix sort of plain values by a 64-bit key, a byte a pass.
///
/// A bulk load's held index entries (``DeferredIndexes``) are millions of small records keyed by
/// integers: comparing them in a merge sort cost about 2.5% of an import's CPU, where a few linear
/// passes do. Passes over a byte that every key shares are skipped (a NIK's top byte, a desa's
/// high ones), and stability lets two sorts make one by a pair of keys: by the second key, then by
/// the first. It needs a buffer as large as the array while it runs.
enum RadixSort {
    /// Sorts `elements` by `key` ascending, keeping the order of equal keys.
    @inline(__always)
    static func sort<Element: BitwiseCopyable>(_ elements: inout [Element], by key: (Element) -> UInt64) {
        let count = elements.count
        guard count > 1 else { return }
        // The eight bytes' histograms in one pass.
        var counts = [Int](repeating: 0, count: 8 * 256)
        let first = elements[0]
        elements.withUnsafeBufferPointer { source in
            counts.withUnsafeMutableBufferPointer { counts in
                for element in source {
                    var bits = key(element)
                    for digit in 0..<8 {
                        counts[digit &<< 8 | Int(truncatingIfNeeded: bits & 0xFF)] += 1
                        bits &>>= 8
                    }
                }
            }
        }
        let firstKey = key(first)
        // A byte every key shares would move nothing.
        let digits = (0..<8).filter { digit in counts[digit << 8 | Int((firstKey >> UInt64(digit * 8)) & 0xFF)] != count }
        guard !digits.isEmpty else { return }
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: count)
        defer { buffer.deallocate() }
        elements.withUnsafeMutableBufferPointer { elements in
            var source = elements, target = buffer
            for digit in digits {
                // Each byte value's first place in the target.
                var offsets = [Int](repeating: 0, count: 256)
                var next = 0
                for value in 0..<256 {
                    offsets[value] = next
                    next += counts[digit << 8 | value]
                }
                let shift = UInt64(digit * 8)
                offsets.withUnsafeMutableBufferPointer { offsets in
                    for element in source {
                        let value = Int(truncatingIfNeeded: (key(element) >> shift) & 0xFF)
                        (target.baseAddress! + offsets[value]).initialize(to: element)
                        offsets[value] += 1
                    }
                }
                swap(&source, &target)
            }
            // An odd number of passes leaves the result in the buffer.
            if source.baseAddress != elements.baseAddress {
                _ = elements.update(fromContentsOf: source)
            }
        }
    }
}
