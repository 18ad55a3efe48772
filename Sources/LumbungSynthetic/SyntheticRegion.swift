import Lumbung

/// Synthetic households spread over every kabupaten/kota of a provinsi, of the nation, or of one
/// kabupaten: the many-kabupaten form of ``SyntheticKabupaten``.
///
/// The total is split over the kabupaten by their population (Kepmendagri 2025, from the region
/// table) with largest-remainder apportionment, and each kabupaten's share is the first
/// households of its own ``SyntheticKabupaten`` with the same seed. NIK and Nomor KK begin with
/// the kecamatan code `PPKKCC`, so numbers from different kabupaten never meet, and inside one
/// kabupaten they are unique below ``SyntheticKabupaten/uniqueHouseholdLimit``: so they are
/// unique throughout. One kabupaten gives exactly the households of ``SyntheticKabupaten``.
///
/// ```swift
/// let jawaBarat = try SyntheticRegion(wilayah: try KodeWilayah("32"), households: 100_000, seed: 7)
/// jawaBarat.shares.first?.kabupaten   // 32.01, Kabupaten Bogor: the first by code
/// for household in jawaBarat.households { … }   // streamed, kabupaten after kabupaten
/// ```
public struct SyntheticRegion: Sendable {
    /// One kabupaten's part: its generator and the range of region-wide indices it fills.
    public struct Share: Sendable {
        public let generator: SyntheticKabupaten
        /// Region-wide index of its first household.
        public let start: Int
        public let count: Int
        public var kabupaten: KodeWilayah { generator.kabupaten }
    }

    /// The provinsi or kabupaten/kota, or nil for the nation.
    public let wilayah: KodeWilayah?
    public let seed: UInt64
    /// The kabupaten that receive households, in code order.
    public let shares: [Share]
    public let count: Int

    /// Splits `households` over the kabupaten of `wilayah` (nil: every kabupaten of the nation).
    /// Every kabupaten's share must stay within ``SyntheticKabupaten/uniqueHouseholdLimit``, so a
    /// region takes at most ``householdLimit(for:)`` in all (the nation about 150M).
    /// - Throws: ``LumbungError`` `.wilayahLevel` for a kecamatan or desa, `.syntheticTooMany` when
    ///   a share would pass the limit.
    public init(wilayah: KodeWilayah?, households: Int, seed: UInt64 = 1) throws {
        let kabupaten = try Self.kabupaten(of: wilayah)
        let counts = Self.shares(of: households, over: kabupaten)
        var shares: [Share] = []
        var start = 0
        for (code, count) in zip(kabupaten, counts) where count > 0 {
            guard count <= SyntheticKabupaten.uniqueHouseholdLimit else {
                throw LumbungError(
                    .syntheticTooMany, field: "households", value: String(households),
                    rule: "\(code.dotted) would get \(count) households; a kabupaten/kota keeps NIKs unique up to "
                        + "\(SyntheticKabupaten.uniqueHouseholdLimit), so \(wilayah?.dotted ?? "the nation") takes at most "
                        + "\(Self.householdLimit(for: kabupaten)) in all")
            }
            shares.append(Share(generator: SyntheticKabupaten(kabupaten: code, seed: seed), start: start, count: count))
            start += count
        }
        self.wilayah = wilayah
        self.seed = seed
        self.shares = shares
        self.count = start
    }

    /// The most households `wilayah` (nil: the nation) takes with every kabupaten's share within
    /// ``SyntheticKabupaten/uniqueHouseholdLimit``.
    public static func householdLimit(for wilayah: KodeWilayah?) throws -> Int {
        householdLimit(for: try kabupaten(of: wilayah))
    }

    /// Each kabupaten's share of `households`, by population (largest remainder).
    private static func shares(of households: Int, over kabupaten: [KodeWilayah]) -> [Int] {
        let table = WilayahTable.shared
        return Apportionment.largestRemainder(
            total: households, weights: kabupaten.map { table.population(of: $0)?.total ?? 0 })
    }

    /// The largest total whose shares all fit, by bisection: a total a little past it gives the
    /// most populous kabupaten more than the limit.
    private static func householdLimit(for kabupaten: [KodeWilayah]) -> Int {
        let limit = SyntheticKabupaten.uniqueHouseholdLimit
        let fits = { (total: Int) in shares(of: total, over: kabupaten).allSatisfy { $0 <= limit } }
        var low = limit, high = limit * kabupaten.count  // `low` fits: no share is larger than the total
        guard !fits(high) else { return high }
        while high - low > 1 {
            let middle = low + (high - low) / 2
            if fits(middle) { low = middle } else { high = middle }
        }
        return low
    }

    /// The kabupaten/kota under `wilayah` (itself for a kabupaten), in code order.
    public static func kabupaten(of wilayah: KodeWilayah?) throws -> [KodeWilayah] {
        let table = WilayahTable.shared
        switch wilayah?.level {
        case nil: return table.children(of: nil).flatMap { table.children(of: $0) }
        case .provinsi?: return table.children(of: wilayah)
        case .kabupaten?: return [wilayah!]
        default:
            throw LumbungError(
                .wilayahLevel, field: "wilayah", value: wilayah!.dotted,
                rule: "households are spread over a provinsi, a kabupaten/kota or the nation, not a \(wilayah!.level)")
        }
    }

    /// A realistic register size for `wilayah` (nil: the nation): the sum of its kabupaten's
    /// ``SyntheticKabupaten/defaultHouseholdCount(for:)``.
    public static func defaultHouseholdCount(for wilayah: KodeWilayah?) throws -> Int {
        try kabupaten(of: wilayah).reduce(0) { $0 + SyntheticKabupaten.defaultHouseholdCount(for: $1) }
    }

    /// Every household, kabupaten after kabupaten; generated on access, in constant memory.
    public var households: SyntheticRegionHouseholds { SyntheticRegionHouseholds(region: self) }

    /// The share holding region-wide index `index`.
    @inline(__always)
    func share(containing index: Int) -> Share {
        var low = 0, high = shares.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if shares[middle].start <= index { low = middle } else { high = middle - 1 }
        }
        return shares[low]
    }
}

/// The households of a ``SyntheticRegion``, generated on access: iterate it (streaming) or split
/// `indices` across threads.
public struct SyntheticRegionHouseholds: RandomAccessCollection, Sendable {
    public let region: SyntheticRegion

    public var startIndex: Int { 0 }
    public var endIndex: Int { region.count }

    public subscript(position: Int) -> Household {
        precondition(position >= 0 && position < region.count, "index out of range")
        let share = region.share(containing: position)
        return share.generator.household(at: position - share.start)
    }
}
