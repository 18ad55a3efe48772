import Foundation

/// The position of each of a few short strings, found by a cheap hash of the bytes and one
/// comparison.
///
/// ``RecordCodec`` looks up every attribute code of every household it encodes among the known
/// ones; a `Dictionary<String, Int>`, hashing each code with SipHash, cost about 1.8% of an
/// import's CPU.
struct CodeTable: Sendable {
    private let codes: [[UInt8]]
    /// Open addressing, probed linearly: an index of `codes`, or -1 for an empty slot.
    private let slots: [Int16]
    private let mask: Int

    /// A table of `codes`, which are distinct.
    init(_ codes: [String]) {
        precondition(codes.count < Int(Int16.max))
        self.codes = codes.map { Array($0.utf8) }
        // At most a quarter full, so a probe rarely goes past its slot.
        var size = 16
        while size < codes.count * 4 { size *= 2 }
        var slots = [Int16](repeating: -1, count: size)
        for (index, code) in self.codes.enumerated() {
            var slot = code.withUnsafeBufferPointer { Self.hash($0) } & (size - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = Int16(index)
        }
        self.slots = slots
        self.mask = size - 1
    }

    /// The position of `code` in the table's codes, or nil.
    @inline(__always)
    func index(of code: String) -> Int? {
        var code = code
        return code.withUTF8 { bytes -> Int? in
            var slot = Self.hash(bytes) & mask
            while true {
                let index = Int(slots[slot])
                if index < 0 { return nil }
                let candidate = codes[index]
                if candidate.count == bytes.count
                    && candidate.withUnsafeBufferPointer({ bytes.isEmpty || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) {
                    return index
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// FNV-1a of the bytes, folded.
    @inline(__always)
    private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return Int(truncatingIfNeeded: hash ^ (hash >> 29))
    }
}
