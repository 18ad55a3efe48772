import Lumbung

/// Collision-free NIK and Nomor KK numbers, derived from the household index.
///
/// **Nomor KK** `PPKKCC DDMMYY SSSS`: the household index is permuted over
/// `issueDays × 9999` slots, and the slot gives the issue date (quotient) and serial
/// (remainder). Distinct indices get distinct (date, serial) pairs, so Nomor KK never repeat
/// for fewer than ``kkCapacity`` (about 56 million) households, whatever their kecamatan.
///
/// **NIK** `PPKKCC DDMMYY SSSS` (day + 40 for women): the household index `h` is permuted
/// over `A × M` slots (A = 3333, M = 912) and split into `a = h' mod A` and `b = h' / A`.
/// A member who is the `j`-th of their sex in the household belongs to group `g = j mod 3`, gets
/// serial `1 + g + 3·σ_sex(a)` (σ a rotation of `0..<A`, so serial is 1...9999), and a birth date
/// whose day ordinal is `≡ b + c[sex][g] (mod M)`: the date drawn for the member's age is moved
/// by at most M/2 days (about 15 months) to the nearest such day.
///
/// Proof of uniqueness: two equal NIKs have the same sex (day + 40), the same serial, hence the
/// same `g` and `a`, and the same DDMMYY, hence (all birth dates lie in a window shorter than
/// 100 years) the same birth date and so the same `b`, hence the same `h'` and household. Inside
/// a household the generator keeps the birth dates of same-sex members of one group distinct.
/// So NIKs never repeat for fewer than ``nikCapacity`` (3,039,696) households, whatever the
/// kecamatan digits. Because M is not a multiple of 365, household members do not share
/// birthdays.
struct IdentityScheme: Sendable {
    /// Serial slots per NIK: 3 groups × A.
    static let groups = 3
    static let a = 3333
    /// The birth-date modulus in days.
    static let m = 912
    /// Households whose member NIKs are provably distinct.
    static let nikCapacity = a * m

    /// First and last Nomor KK issue day.
    static let firstIssue = Days.ordinal(year: 2010, month: 1, day: 1)
    static let lastIssue = Days.ordinal(year: 2025, month: 6, day: 30)
    static let issueDays = lastIssue - firstIssue + 1
    /// Households whose Nomor KK are provably distinct.
    static let kkCapacity = issueDays * 9999

    /// A prime larger than both moduli, hence coprime with them: `h ↦ h·p + q` permutes.
    private static let prime: UInt64 = 2_147_483_647

    /// Residue offsets per sex (male 0, female 1) and group, spread over the modulus.
    private static let offsets: [[Int]] = [[0, 304, 608], [152, 456, 760]]

    private let nikShift: UInt64
    private let kkShift: UInt64

    init(seed: UInt64) {
        nikShift = SplitMix64.mix(seed ^ 0x4E49_4B) % UInt64(IdentityScheme.nikCapacity)
        kkShift = SplitMix64.mix(seed ^ 0x4B4B) % UInt64(IdentityScheme.kkCapacity)
    }

    /// The per-household part of every member NIK: serial base `a` and residue base `b`.
    struct Household {
        let a: Int
        let b: Int
    }

    func nikBase(household index: Int) -> Household {
        let slot = Int((UInt64(index) &* IdentityScheme.prime &+ nikShift) % UInt64(IdentityScheme.nikCapacity))
        return Household(a: slot % IdentityScheme.a, b: slot / IdentityScheme.a)
    }

    /// Serial (1...9999) and birth-day residue (mod M) for the `sameSexIndex`-th member of a sex.
    @inline(__always)
    static func slot(_ base: Household, sex: Sex, sameSexIndex: Int) -> (serial: Int, residue: Int, group: Int) {
        let group = sameSexIndex % groups
        let female = sex == .female ? 1 : 0
        let rotated = female == 1 ? (base.a + 1667) % a : base.a
        return (1 + group + groups * rotated, (base.b + offsets[female][group]) % m, group)
    }

    /// The day nearest `desired` in `lo...hi` whose ordinal is `≡ residue (mod M)`; the window
    /// must hold at least M days.
    @inline(__always)
    static func snap(_ desired: Int, residue: Int, lo: Int, hi: Int) -> Int {
        var day = desired - ((desired - residue) % m + m) % m
        if desired - day > m / 2 && day + m <= hi { day += m }
        if day < lo { day += m }
        return day
    }

    /// The NIK for a kecamatan `PPKKCC`, birth day ordinal, sex and serial.
    static func nik(region: Int, birth: Int, sex: Sex, serial: Int) -> NIK {
        let (year, month, day) = Days.civil(birth)
        let dd = sex == .female ? day + 40 : day
        let date = UInt64(dd * 10_000 + month * 100 + year % 100)
        return NIK(unchecked: UInt64(region) * 10_000_000_000 + date * 10_000 + UInt64(serial))
    }

    /// The Nomor KK of household `index`, issued by kecamatan `PPKKCC`.
    func nomorKK(household index: Int, region: Int) -> NomorKK {
        let capacity = UInt64(IdentityScheme.kkCapacity)
        let slot = (UInt64(index) &* IdentityScheme.prime &+ kkShift) % capacity
        let (year, month, day) = Days.civil(IdentityScheme.firstIssue + Int(slot / 9999))
        let date = UInt64(day * 10_000 + month * 100 + year % 100)
        return NomorKK(unchecked: UInt64(region) * 10_000_000_000 + date * 10_000 + slot % 9999 + 1)
    }
}
