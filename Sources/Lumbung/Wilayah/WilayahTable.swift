import Foundation
/// The Kemendagri region-code table: every provinsi, kabupaten/kota, kecamatan and
/// desa/kelurahan with its name, and the population of each provinsi and kabupaten/kota.
///
/// The table is compiled into the library at build time (see `WilayahTablePlugin`) and
/// decoded once per process, on first use, into sorted arrays.
///
/// ```swift
/// let table = WilayahTable.shared
/// let bekasi = try KodeWilayah("32.16")
/// table.name(of: bekasi)                      // "Kabupaten Bekasi"
/// table.children(of: bekasi).count            // its kecamatan
/// table.population(of: bekasi)?.total
/// table.isKnownKabupaten(3216)                // true
/// ```
public final class WilayahTable: Sendable {
    /// The table built into the library.
    public static let shared = WilayahTable(
        codes: WilayahData.codes, names: WilayahData.names, population: WilayahData.population)

    /// Packed codes, ascending, one array per level (index = level.rawValue - 1).
    private let codes: [[UInt64]]
    /// Where each code's name starts in `names`, parallel to `codes`.
    private let nameStarts: [[UInt32]]
    /// All names joined by "\n"; a static literal, so names are sliced out of it, not copied.
    private let names: StaticString
    private let populations: [UInt64: Population]
    /// Bit `pp` set when provinsi `pp` exists; bit `ppkk` when kabupaten `ppkk` exists.
    private let provinsiBits: [UInt64]
    private let kabupatenBits: [UInt64]

    /// Decodes the compact form written by `WilayahCompiler`.
    init(codes codeText: StaticString, names: StaticString, population: StaticString) {
        var codes: [[UInt64]] = Array(repeating: [], count: 4)
        var nameStarts: [[UInt32]] = Array(repeating: [], count: 4)
        for index in 0..<4 {
            codes[index].reserveCapacity(WilayahData.counts[index])
            nameStarts[index].reserveCapacity(WilayahData.counts[index])
        }
        var provinsiBits = [UInt64](repeating: 0, count: 2)
        var kabupatenBits = [UInt64](repeating: 0, count: 10_000 / 64 + 1)

        names.withUTF8Buffer { nameBytes in
            codeText.withUTF8Buffer { bytes in
                // prefix[i] is the packed code last seen at level i; parents precede children.
                var prefix: [UInt64] = [0, 0, 0, 0]
                var nameOffset = 0
                var position = 0
                while position < bytes.count {
                    let level: KodeWilayah.Level
                    switch bytes[position] {
                    case UInt8(ascii: "p"): level = .provinsi
                    case UInt8(ascii: "k"): level = .kabupaten
                    case UInt8(ascii: "c"): level = .kecamatan
                    case UInt8(ascii: "d"): level = .desa
                    default: preconditionFailure("WilayahData.codes is corrupt at \(position)")
                    }
                    position += 1
                    var part: UInt64 = 0
                    for _ in 0..<level.width {
                        part = part * 10 + UInt64(bytes[position] &- UInt8(ascii: "0"))
                        position += 1
                    }
                    let index = level.rawValue - 1
                    let packed = (index > 0 ? prefix[index - 1] : 0) + part * level.scale
                    prefix[index] = packed
                    codes[index].append(packed)
                    nameStarts[index].append(UInt32(nameOffset))
                    while nameOffset < nameBytes.count && nameBytes[nameOffset] != UInt8(ascii: "\n") {
                        nameOffset += 1
                    }
                    nameOffset += 1

                    switch level {
                    case .provinsi:
                        let pp = Int(packed / level.scale)
                        provinsiBits[pp >> 6] |= 1 << UInt64(pp & 63)
                    case .kabupaten:
                        let ppkk = Int(packed / level.scale)
                        kabupatenBits[ppkk >> 6] |= 1 << UInt64(ppkk & 63)
                    case .kecamatan, .desa:
                        break
                    }
                }
            }
        }

        // "code:pria,wanita,total;" with plain codes of 2 or 4 digits.
        var populations: [UInt64: Population] = [:]
        population.withUTF8Buffer { bytes in
            var fields: [UInt64] = []
            var number: UInt64 = 0
            var digits = 0
            var codeDigits = 0
            for byte in bytes {
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    number = number * 10 + UInt64(byte - UInt8(ascii: "0"))
                    digits += 1
                case UInt8(ascii: ":"):
                    codeDigits = digits
                    fields = [number]
                    number = 0
                    digits = 0
                case UInt8(ascii: ","):
                    fields.append(number)
                    number = 0
                    digits = 0
                case UInt8(ascii: ";"):
                    fields.append(number)
                    precondition(fields.count == 4, "WilayahData.population is corrupt")
                    let level: KodeWilayah.Level = codeDigits == 2 ? .provinsi : .kabupaten
                    populations[fields[0] * level.scale] = Population(
                        male: Int(fields[1]), female: Int(fields[2]), total: Int(fields[3]))
                    number = 0
                    digits = 0
                default:
                    preconditionFailure("WilayahData.population is corrupt")
                }
            }
        }

        self.codes = codes
        self.nameStarts = nameStarts
        self.names = names
        self.populations = populations
        self.provinsiBits = provinsiBits
        self.kabupatenBits = kabupatenBits
    }

    /// Whether the table has this code at this level.
    public func contains(_ code: KodeWilayah) -> Bool {
        index(of: code) != nil
    }

    /// The official name of a code at any level, e.g. "Kabupaten Bekasi" for 32.16.
    public func name(of code: KodeWilayah) -> String? {
        withName(of: code) { String(decoding: $0, as: UTF8.self) }
    }

    /// Calls `body` with the UTF-8 bytes of the code's name (nil: no such code), without
    /// making a string of them (a DCI address writes them straight into its JSON).
    public func withName<Result>(of code: KodeWilayah, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result? {
        guard let index = index(of: code) else { return nil }
        let start = Int(nameStarts[code.level.rawValue - 1][index])
        return names.withUTF8Buffer { bytes in
            var end = start
            while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
            return body(UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }
    }

    /// Every code whose name is `name`, compared without case and with `_` and `-` read as
    /// spaces, at any level, ascending by level then code; a walk of the whole table (about
    /// 90,000 names), for searches that name a place rather than give its code.
    ///
    /// ```swift
    /// WilayahTable.shared.codes(named: "kabupaten_bekasi")   // [32.16]
    /// ```
    public func codes(named name: String) -> [KodeWilayah] {
        let wanted = Array(Self.folded(name).utf8)
        guard !wanted.isEmpty else { return [] }
        var found: [KodeWilayah] = []
        names.withUTF8Buffer { bytes in
            for level in KodeWilayah.Level.allCases {
                let index = level.rawValue - 1
                for (position, start) in nameStarts[index].enumerated() {
                    var offset = Int(start), matched = 0
                    while offset < bytes.count, bytes[offset] != UInt8(ascii: "\n"), matched < wanted.count,
                          Self.folded(bytes[offset]) == wanted[matched] {
                        offset += 1
                        matched += 1
                    }
                    if matched == wanted.count, offset == bytes.count || bytes[offset] == UInt8(ascii: "\n") {
                        found.append(KodeWilayah(unchecked: codes[index][position], level: level))
                    }
                }
            }
        }
        return found
    }

    private static func folded(_ text: String) -> String {
        String(decoding: text.trimmingCharacters(in: .whitespaces).utf8.map(folded), as: UTF8.self)
    }

    /// An ASCII byte lower-cased, `_` and `-` as a space.
    private static func folded(_ byte: UInt8) -> UInt8 {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
        case UInt8(ascii: "_"), UInt8(ascii: "-"): UInt8(ascii: " ")
        default: byte
        }
    }

    /// The codes one level below `parent`, ascending; every provinsi when `parent` is nil,
    /// and none under a desa.
    public func children(of parent: KodeWilayah?) -> [KodeWilayah] {
        guard let parent else {
            return codes[0].map { KodeWilayah(unchecked: $0, level: .provinsi) }
        }
        guard let level = KodeWilayah.Level(rawValue: parent.level.rawValue + 1) else { return [] }
        let candidates = codes[level.rawValue - 1]
        let range = parent.packedRange
        let lower = candidates.lowerBound(of: range.lowerBound)
        let upper = candidates.lowerBound(of: range.upperBound)
        return candidates[lower..<upper].map { KodeWilayah(unchecked: $0, level: level) }
    }

    /// The population (Kepmendagri 2025) of a provinsi or kabupaten/kota; `nil` for other
    /// levels and unknown codes.
    public func population(of code: KodeWilayah) -> Population? {
        guard code.level <= .kabupaten else { return nil }
        return populations[code.packed]
    }

    /// How many codes the table has at each level.
    public var count: (provinsi: Int, kabupaten: Int, kecamatan: Int, desa: Int) {
        (codes[0].count, codes[1].count, codes[2].count, codes[3].count)
    }

    /// Whether provinsi `pp` (e.g. 32) exists. O(1); used on the NIK hot path.
    public func isKnownProvinsi(_ pp: Int) -> Bool {
        guard pp >= 0 && pp < 100 else { return false }
        return provinsiBits[pp >> 6] & (1 << UInt64(pp & 63)) != 0
    }

    /// Whether kabupaten/kota `ppkk` (e.g. 3216) exists. O(1); used on the NIK hot path.
    public func isKnownKabupaten(_ ppkk: Int) -> Bool {
        guard ppkk >= 0 && ppkk < 10_000 else { return false }
        return kabupatenBits[ppkk >> 6] & (1 << UInt64(ppkk & 63)) != 0
    }

    private func index(of code: KodeWilayah) -> Int? {
        let levelCodes = codes[code.level.rawValue - 1]
        let index = levelCodes.lowerBound(of: code.packed)
        return index < levelCodes.count && levelCodes[index] == code.packed ? index : nil
    }
}

/// The number of residents of a provinsi or kabupaten/kota.
public struct Population: Sendable, Hashable {
    /// Pria.
    public let male: Int
    /// Wanita.
    public let female: Int
    public let total: Int

    public init(male: Int, female: Int, total: Int) {
        self.male = male
        self.female = female
        self.total = total
    }
}

extension Array where Element == UInt64 {
    /// The first index whose element is not less than `value` (binary search; sorted arrays).
    func lowerBound(of value: UInt64) -> Int {
        var low = 0
        var high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
