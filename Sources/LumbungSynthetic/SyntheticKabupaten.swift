import Lumbung

/// A deterministic, realistic synthetic kabupaten/kota: households with members, NIKs, Nomor KK,
/// housing answers, desil and programs.
///
/// Every household comes from its own SplitMix64 stream keyed by `(seed, kabupaten, index)`,
/// so ``household(at:)`` is random access, generation parallelises by index range, and the
/// same `(kabupaten, seed)` always gives the same households. Every generated household passes
/// the store's strict validation (unless `dirtyNIKRate` flags some NIKs on purpose), and NIKs and
/// Nomor KK are unique across the first ``uniqueHouseholdLimit`` households (see
/// `IdentityScheme` for the proof).
///
/// ```swift
/// let bekasi = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 7)
/// for household in bekasi.households(count: 1_000) { try store.write { try $0.put(household) } }
/// let same = bekasi.household(at: 42)
/// ```
public struct SyntheticKabupaten: Sendable {
    public let kabupaten: KodeWilayah
    public let seed: UInt64
    /// The fraction of members whose NIK is missing or invalid (flagged) instead of valid.
    public let dirtyNIKRate: Double

    private let layout: KabupatenLayout
    private let identity: IdentityScheme

    /// Households up to this index have distinct NIKs and distinct Nomor KK (3,039,696).
    public static let uniqueHouseholdLimit = IdentityScheme.nikCapacity

    /// The household attribute codes every generated household holds (`atap`, …, `luas_lantai`),
    /// sorted: the attribute columns of a flat file of generated households. Members hold none.
    public static let attributeCodes: [String] = Profile.attributeCodes

    /// A generator for `kabupaten` (a kabupaten/kota-level code from the region table).
    public init(kabupaten: KodeWilayah, seed: UInt64 = 1, dirtyNIKRate: Double = 0) {
        precondition(kabupaten.level == .kabupaten, "SyntheticKabupaten needs a kabupaten/kota code, got \(kabupaten)")
        self.kabupaten = kabupaten
        self.seed = seed
        self.dirtyNIKRate = dirtyNIKRate
        self.layout = KabupatenLayout(kabupaten: kabupaten, seed: seed)
        self.identity = IdentityScheme(seed: seed)
    }

    /// The first `count` households, in a fixed order; generated lazily, in constant memory.
    public func households(count: Int) -> SyntheticHouseholds {
        precondition(count >= 0 && count <= Self.uniqueHouseholdLimit,
                     "at most \(Self.uniqueHouseholdLimit) synthetic households keep NIKs unique")
        return SyntheticHouseholds(generator: self, count: count)
    }

    /// A realistic register size: population / 4 (people per household) × 0.4 (share of
    /// families in the DTKS), i.e. population / 10, at least 1.
    public static func defaultHouseholdCount(for kabupaten: KodeWilayah) -> Int {
        let population = WilayahTable.shared.population(of: kabupaten)?.total ?? 0
        return max(1, Int((Double(population) / 4 * 0.4).rounded()))
    }

    /// The household at `index`; the same as the `index`-th element of any `households(count:)`.
    public func household(at index: Int) -> Household {
        precondition(index >= 0, "household index must not be negative")
        var random = SplitMix64(seed, kabupaten.packed, UInt64(index))
        let desa = layout.pickDesa(&random)
        let region = Int(desa / 10_000)

        let statusIndex = Profile.status.sample(&random)
        let status: HouseholdStatus
        switch statusIndex {
        case 0: status = .ditetapkan
        case 1: status = .terverifikasi
        case 2: status = .usulan
        default: status = .tidakLayak(TidakLayakReason(rawValue: UInt8(1 + Profile.reason.sample(&random)))!)
        }
        var desil: Int? = 1 + Profile.desil.sample(&random)
        if status == .tidakLayak(.mampu) { desil = random.int(in: 6...10) }
        if random.chance(status == .usulan ? 0.1 : 0.005) { desil = nil }

        let builder = MemberBuilder(
            base: identity.nikBase(household: index), region: region, kecamatan: layout.kecamatan,
            desil: desil, batak: layout.batak && random.chance(0.6), dirtyNIKRate: dirtyNIKRate)
        let members = builder.build(&random)

        let attributes = Profile.attributes(desil: desil, size: members.count, &random)
        let poorHousing: Bool
        if case .code(let lantai)? = attributes["lantai"], case .code(let dinding)? = attributes["dinding"] {
            poorHousing = lantai == 6 || dinding >= 4
        } else {
            poorHousing = false
        }
        let schoolChildren = members.contains { $0.occupation == "PELAJAR" }
        let disabled = members.contains { $0.disability != nil }
        let programs = Profile.programs(
            desil: desil, status: status, schoolChildren: schoolChildren, disabled: disabled,
            poorHousing: poorHousing, &random)

        let rw = 1 + random.below(10)
        let rt = 1 + random.below(20)
        return Household(
            nomorKK: identity.nomorKK(household: index, region: region),
            wilayah: KodeWilayah(unchecked: desa, level: .desa),
            alamat: Profile.address(&random), rt: rt, rw: rw, status: status, desil: desil,
            programs: programs, attributes: attributes, members: members)
    }
}

/// The first `count` households of a ``SyntheticKabupaten``, generated on access.
///
/// A random-access collection: iterate it (streaming, constant memory), or split
/// `indices` across tasks to generate in parallel.
public struct SyntheticHouseholds: RandomAccessCollection, Sendable {
    public let generator: SyntheticKabupaten
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Household {
        precondition(position >= 0 && position < count, "index out of range")
        return generator.household(at: position)
    }
}

/// The desa of a kabupaten with uneven weights, and its kecamatan codes.
final class KabupatenLayout: Sendable {
    /// Packed desa codes `PPKKCCDDDD`.
    let desa: [UInt64]
    /// Cumulative weights, ending at 1.
    let cumulative: [Double]
    /// `PPKKCC` of every kecamatan.
    let kecamatan: [Int]
    /// Sumatera Utara: many households carry a Batak marga.
    let batak: Bool

    init(kabupaten: KodeWilayah, seed: UInt64) {
        let table = WilayahTable.shared
        let kecamatanCodes = table.children(of: kabupaten)
        var desa: [UInt64] = []
        for code in kecamatanCodes { desa += table.children(of: code).map(\.packed) }
        precondition(!desa.isEmpty, "\(kabupaten) has no desa in the region table")
        // Weights 0.2–3.2, squared draws so most desa are small and a few are large.
        var weights = desa.map { code -> Double in
            var random = SplitMix64(seed, code, 0xDE5A)
            let u = random.unit()
            return 0.2 + 3 * u * u
        }
        let total = weights.reduce(0, +)
        var running = 0.0
        for index in weights.indices {
            running += weights[index] / total
            weights[index] = running
        }
        weights[weights.count - 1] = 1
        self.desa = desa
        self.cumulative = weights
        self.kecamatan = kecamatanCodes.map { Int($0.packed / 10_000) }
        self.batak = kabupaten.packed / 100_000_000 == 12
    }

    /// A desa drawn by weight.
    @inline(__always)
    func pickDesa(_ random: inout SplitMix64) -> UInt64 {
        let u = random.unit()
        var low = 0, high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] <= u { low = middle + 1 } else { high = middle }
        }
        return desa[low]
    }
}
