/// A Kemendagri region code (kode wilayah) at one of four levels: provinsi, kabupaten/kota,
/// kecamatan or desa/kelurahan.
///
/// The code is held as the 10-digit number `PP KK CC DDDD`, with zeros for the levels below
/// its own, so every code under a region falls in one contiguous range of numbers.
///
/// ```swift
/// let desa = try KodeWilayah("32.16.01.2001")       // or "3216012001"
/// desa.level                                        // .desa
/// desa.ancestor(at: .kabupaten)?.name               // "Kabupaten Bekasi"
/// try KodeWilayah("32.16").contains(desa)           // true
/// ```
public struct KodeWilayah: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// How deep a code goes.
    public enum Level: Int, Sendable, Comparable, CaseIterable, Codable {
        case provinsi = 1, kabupaten, kecamatan, desa

        public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Digits this level adds to the code: 2, 2, 2, 4.
        var width: Int { self == .desa ? 4 : 2 }

        /// What one unit of this level's part is worth in the packed number.
        var scale: UInt64 {
            switch self {
            case .provinsi: 100_000_000
            case .kabupaten: 1_000_000
            case .kecamatan: 10_000
            case .desa: 1
            }
        }

        /// The word used in messages.
        var noun: String {
            switch self {
            case .provinsi: "provinsi"
            case .kabupaten: "kabupaten/kota"
            case .kecamatan: "kecamatan"
            case .desa: "desa/kelurahan"
            }
        }
    }

    public let level: Level

    /// The 10-digit number PP KK CC DDDD with zeros for the levels below `level`,
    /// e.g. 32.16 -> 3216000000.
    public let packed: UInt64

    /// Parses and checks a code against the region table.
    ///
    /// Accepts the dotted form (`32`, `32.16`, `32.16.01`, `32.16.01.2001`) or the plain form
    /// (`32`, `3216`, `321601`, `3216012001`); surrounding whitespace is ignored.
    /// - Throws: ``LumbungError`` `.wilayahFormat` when the text is not a code, and
    ///   `.wilayahUnknown` when the code (or one of its parents) is not in the table.
    public init(_ text: String) throws {
        let trimmed = text.trimmingWhitespace
        guard let (packed, level) = Self.parse(trimmed) else {
            throw LumbungError(
                .wilayahFormat, field: "kode_wilayah", value: String(trimmed),
                rule: "must be a kode wilayah such as 32, 32.16, 32.16.01 or 32.16.01.2001 "
                    + "(or 3216012001): parts of 2, 2, 2 and 4 digits, none of them all zeros")
        }
        let code = KodeWilayah(unchecked: packed, level: level)
        if let error = code.unknownError() { throw error }
        self = code
    }

    /// A code read from its bytes (no whitespace around it) when it is well formed and in the
    /// table; nil otherwise, where ``init(_:)`` names the problem. For importers: no `String`.
    public init?(checkedBytes bytes: UnsafeBufferPointer<UInt8>) {
        guard let (packed, level) = Self.parse(bytes) else { return nil }
        let code = KodeWilayah(unchecked: packed, level: level)
        guard code.unknownError() == nil else { return nil }
        self = code
    }

    /// A code taken as is, without consulting the table; for the store's own data.
    public init(unchecked packed: UInt64, level: Level) {
        self.packed = packed
        self.level = level
    }

    /// The dotted form, `32.16.01.2001`.
    public var dotted: String { render(dots: true) }

    /// The plain form, `3216012001` (only as many digits as the level has: `3216`).
    public var plain: String { render(dots: false) }

    public var description: String { dotted }

    /// The code of the region containing this one at `level`; `self` at its own level, and
    /// `nil` for a deeper level.
    public func ancestor(at level: Level) -> KodeWilayah? {
        guard level <= self.level else { return nil }
        return KodeWilayah(unchecked: packed / level.scale * level.scale, level: level)
    }

    /// The region one level up; `nil` for a provinsi.
    public var parent: KodeWilayah? {
        Level(rawValue: level.rawValue - 1).flatMap(ancestor(at:))
    }

    /// The region's name from the table, e.g. "Kabupaten Bekasi".
    public var name: String? { WilayahTable.shared.name(of: self) }

    /// Whether `other` is this region or lies inside it.
    public func contains(_ other: KodeWilayah) -> Bool {
        other.level >= level && other.packed / level.scale * level.scale == packed
    }

    /// Every packed code under this one, e.g. 32.16 -> 3216000000..<3217000000; the range to
    /// scan in an index keyed by packed desa code.
    public var packedRange: Range<UInt64> { packed..<(packed + level.scale) }

    /// Whether this is a kota (or lies in one): kabupaten part 71 and above.
    public var isKota: Bool { level >= .kabupaten && packed / 1_000_000 % 100 >= 71 }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.packed, lhs.level.rawValue) < (rhs.packed, rhs.level.rawValue)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do {
            self = try KodeWilayah(text)
        } catch let error as LumbungError {
            throw error.at(decoder.codingPath)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(dotted)
    }
}

extension KodeWilayah {
    /// Reads the dotted or plain form; `nil` when the text is not a well-formed code.
    static func parse(_ text: Substring) -> (packed: UInt64, level: Level)? {
        var copy = text
        return copy.withUTF8 { parse($0) }
    }

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> (packed: UInt64, level: Level)? {
        let levels = Level.allCases
        var packed: UInt64 = 0
        var index = 0
        var position = 0
        let dotted = bytes.contains(UInt8(ascii: "."))
        while position < bytes.count {
            guard index < levels.count else { return nil }
            let level = levels[index]
            if dotted && index > 0 {
                guard bytes[position] == UInt8(ascii: ".") else { return nil }
                position += 1
            }
            guard position + level.width <= bytes.count else { return nil }
            var part: UInt64 = 0
            for offset in 0..<level.width {
                let digit = bytes[position + offset] &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                part = part * 10 + UInt64(digit)
            }
            // A zero part would collide with "no part at this level".
            guard part > 0 else { return nil }
            packed += part * level.scale
            position += level.width
            index += 1
        }
        guard index > 0 else { return nil }
        return (packed, levels[index - 1])
    }

    /// The error for the highest level of this code that the table does not know, if any.
    func unknownError() -> LumbungError? {
        let table = WilayahTable.shared
        for level in Level.allCases where level <= self.level {
            guard let code = ancestor(at: level), !table.contains(code) else { continue }
            var rule = "\(level.noun) \(code.dotted) is not in the kode wilayah table"
            if let parent = code.parent, let parentName = parent.name {
                rule += " (no such \(level.noun) in \(parent.dotted) \(parentName))"
            }
            return LumbungError(.wilayahUnknown, field: "kode_wilayah", value: dotted, rule: rule)
        }
        return nil
    }

    private func render(dots: Bool) -> String {
        var digits = String(packed)
        // Pad to 10 digits; provinsi codes start at 11, so only a malformed unchecked code pads.
        if digits.utf8.count < 10 {
            digits = String(repeating: "0", count: 10 - digits.utf8.count) + digits
        }
        let bytes = Array(digits.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(13)
        var position = 0
        for level in Level.allCases where level <= self.level {
            if dots && level != .provinsi { out.append(UInt8(ascii: ".")) }
            out.append(contentsOf: bytes[position..<(position + level.width)])
            position += level.width
        }
        return String(decoding: out, as: UTF8.self)
    }
}
