import Lumbung

/// The socio-economic side of a synthetic household: desil, status, programs, housing
/// answers and address.
///
/// Attribute code book (each answer a code; lower codes are the more common or better
/// option as in BPS questionnaires):
///
/// | code | values |
/// |---|---|
/// | `lantai` | 1 marmer/granit, 2 keramik, 3 ubin/tegel, 4 kayu/papan, 5 semen/bata merah, 6 tanah/bambu |
/// | `dinding` | 1 tembok, 2 plesteran anyaman bambu, 3 kayu/papan, 4 anyaman bambu, 5 batang kayu, 6 lainnya |
/// | `atap` | 1 beton, 2 genteng, 3 seng, 4 asbes, 5 kayu/sirap, 6 bambu, 7 jerami/ijuk/daun |
/// | `sumber_air` | 1 air kemasan/isi ulang, 2 leding, 3 sumur bor, 4 sumur terlindung, 5 sumur tak terlindung, 6 mata air terlindung, 7 mata air tak terlindung, 8 sungai/hujan/lainnya |
/// | `penerangan` | 1 PLN meteran, 2 PLN tanpa meteran, 3 listrik non-PLN, 4 bukan listrik |
/// | `bahan_bakar` | 1 listrik, 2 gas/elpiji, 3 minyak tanah, 4 kayu bakar, 5 arang, 6 tidak memasak |
/// | `jamban` | 1 sendiri, 2 bersama, 3 umum, 4 tidak ada |
/// | `status_bangunan` | 1 milik sendiri, 2 kontrak/sewa, 3 bebas sewa/lainnya |
/// | `jumlah_kamar` | 1–5 |
/// | `luas_lantai` | number, m², one decimal |
/// | `aset_motor`, `aset_kulkas`, `aset_tv`, `aset_lahan`, `aset_hp` | 0 or 1 |
enum Profile {
    /// Desil 1–10, skewed to the poorest four (the register targets them).
    static let desil = Weighted([22, 20, 17, 13, 9, 7, 5, 3, 2.5, 1.5])

    /// ditetapkan, terverifikasi, usulan, tidak layak.
    static let status = Weighted([70, 12, 13, 5])
    /// mampu, meninggal, pindah, tidak ditemukan, ganda.
    static let reason = Weighted([35, 20, 20, 15, 10])

    /// (code, weights for desil 1–4, weights for desil 5–10 or unranked).
    private static let coded: [(code: String, poor: Weighted, better: Weighted)] = [
        ("atap", Weighted([1, 45, 30, 10, 3, 3, 8]), Weighted([5, 60, 22, 10, 1, 1, 1])),
        ("bahan_bakar", Weighted([1, 70, 3, 22, 1, 3]), Weighted([3, 88, 2, 5, 0.5, 1.5])),
        ("dinding", Weighted([45, 5, 20, 22, 5, 3]), Weighted([80, 3, 10, 5, 1, 1])),
        ("jamban", Weighted([68, 14, 6, 12]), Weighted([90, 6, 2, 2])),
        ("lantai", Weighted([0.2, 25, 8, 15, 30, 22]), Weighted([3, 55, 10, 7, 20, 5])),
        ("penerangan", Weighted([78, 15, 4, 3]), Weighted([94, 4, 1, 1])),
        ("status_bangunan", Weighted([72, 10, 18]), Weighted([78, 15, 7])),
        ("sumber_air", Weighted([15, 8, 22, 22, 12, 8, 6, 7]), Weighted([35, 15, 25, 14, 4, 4, 2, 1])),
    ]

    /// (code, probability for the poorest, extra probability for the richest).
    private static let assets: [(code: String, base: Double, slope: Double)] = [
        ("aset_hp", 0.6, 0.38), ("aset_kulkas", 0.12, 0.7), ("aset_lahan", 0.18, 0.3),
        ("aset_motor", 0.35, 0.58), ("aset_tv", 0.55, 0.42),
    ]

    /// Every attribute code ``attributes(desil:size:_:)`` writes, sorted.
    static let attributeCodes: [String] = (coded.map(\.code) + assets.map(\.code) + ["luas_lantai", "jumlah_kamar"]).sorted()

    /// The housing and asset answers; `wealth` is 0 (desil 1) to 1 (desil 10).
    static func attributes(desil: Int?, size: Int, _ random: inout SplitMix64) -> Attributes {
        let poor = (desil ?? 5) <= 4
        let wealth = Double((desil ?? 4) - 1) / 9
        var attributes = Attributes()
        for (code, poorTable, betterTable) in coded {
            attributes[code] = .code(Int64(1 + (poor ? poorTable : betterTable).sample(&random)))
        }
        for (code, base, slope) in assets {
            attributes[code] = .code(random.chance(base + slope * wealth) ? 1 : 0)
        }
        // Poorer households live smaller: the min (poor) or max (rich) of two draws, blended.
        let u1 = random.unit(), u2 = random.unit()
        let x = wealth * max(u1, u2) + (1 - wealth) * min(u1, u2)
        let area = 14 + x * 90 + Double(size) * 3
        attributes["luas_lantai"] = .number(Double(Int(area * 10)) / 10)
        attributes["jumlah_kamar"] = .code(Int64(clamp(1 + Int(x * 3.2) + (size >= 6 ? 1 : 0), 1, 5)))
        return attributes
    }

    /// Programs, more likely the poorer the household; dropped households mostly get none.
    static func programs(desil: Int?, status: HouseholdStatus, schoolChildren: Bool, disabled: Bool,
                         poorHousing: Bool, _ random: inout SplitMix64) -> Set<Program>
    {
        let d = desil ?? 6
        var programs: Set<Program> = []
        let dropped = status.reason != nil
        let scale = dropped ? 0.15 : status == .ditetapkan ? 1.0 : 0.5
        let pkh = d <= 2 ? 0.45 : d == 3 ? 0.3 : d == 4 ? 0.15 : 0.03
        let bpnt = d <= 2 ? 0.65 : d <= 4 ? 0.45 : d <= 6 ? 0.1 : 0.02
        let pbi = d <= 4 ? 0.8 : d <= 6 ? 0.5 : 0.2
        if random.chance(pkh * scale) { programs.insert(.pkh) }
        if random.chance(bpnt * scale) { programs.insert(.bpnt) }
        if random.chance(pbi * (dropped ? 0.3 : 1)) { programs.insert(.pbiJK) }
        if random.chance((d <= 5 ? 0.15 : 0.04) * scale) { programs.insert(.blt) }
        if schoolChildren, d <= 4, random.chance(0.35 * scale) { programs.insert(.pip) }
        if disabled, random.chance(0.3 * scale) { programs.insert(.atensi) }
        if poorHousing, random.chance(0.08 * scale) { programs.insert(.rutilahu) }
        return programs
    }

    /// "Jl. Melati No. 12", "Dusun Krajan II", "Kp. Babakan".
    static func address(_ random: inout SplitMix64) -> String {
        let roll = random.unit()
        if roll < 0.55 {
            return "Jl. " + random.pick(Names.streets) + " No. " + String(random.int(in: 1...150))
        } else if roll < 0.85 {
            return "Dusun " + random.pick(Names.dusun) + " " + random.pick(Names.roman)
        } else {
            return "Kp. " + random.pick(Names.dusun)
        }
    }
}
