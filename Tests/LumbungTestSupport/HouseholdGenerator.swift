import Foundation
import Lumbung
import LumbungSynthetic

// Random households for property tests of encoders (household JSON, DCI records): every field
// filled or left out, strings with escapes, emoji and combining marks.

private func pad(_ value: Int, _ width: Int) -> String {
    let text = String(value)
    return String(repeating: "0", count: max(0, width - text.count)) + text
}

/// Random households in kabupaten 32.16 (Bekasi), desa 32.16.01.2001.
public struct HouseholdGenerator {
    public var rng: SplitMix64

    public init(seed: UInt64) { rng = SplitMix64(seed: seed) }

    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    public mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }
    public mutating func pick<T>(_ values: [T]) -> T { values[int(0...(values.count - 1))] }

    static let pieces: [String] = [
        "a", "Z", "9", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}",
        "é", "e\u{301}", "Ş", "İ", "Ñ", "Ú", "🌾", "👨‍👩‍👧", "ا", "ل", "ع", "ꦗ", "ꦮ", "ꦱ", "\u{2028}", "中",
        "SITI", "AMINAH", "Jl. Melati", "No. 3",
    ]

    public mutating func text(maxPieces: Int = 8) -> String {
        (0..<int(0...maxPieces)).map { _ in pick(Self.pieces) }.joined()
    }

    public mutating func double() -> Double {
        switch int(0...5) {
        case 0: return Double(int(-100_000...100_000))  // integral
        case 1: return Double(int(0...100_000)) / 100
        case 2: return Double.random(in: -1e300...1e300, using: &rng)
        case 3: return pick([0.1, 1e16, 1e-5, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, -0.0, 123456789012345678.0, 1 / 3])
        default:
            while true {
                let value = Double(bitPattern: rng.next())
                if value.isFinite { return value }
            }
        }
    }

    public mutating func attributes() -> Attributes {
        var attributes: Attributes = [:]
        for _ in 0..<int(0...6) {
            let code = chance(80) ? pick(["lantai", "luas_lantai", "catatan", "sumber_air", "aset.motor", "x-1"]) : text(maxPieces: 3)
            switch int(0...2) {
            case 0: attributes[code] = .code(chance(10) ? pick([Int64.min, Int64.max, 0, -1]) : Int64(int(-1000...1000)))
            case 1: attributes[code] = .number(double())
            default: attributes[code] = .text(text())
            }
        }
        return attributes
    }

    /// A valid NIK agreeing with the sex and birth date.
    public mutating func nik(sex: Sex, birth: CalendarDate) -> NIK {
        let day = birth.day + (sex == .female ? 40 : 0)
        let text = "321601" + pad(day, 2) + pad(birth.month, 2) + pad(birth.year % 100, 2) + pad(int(1...9999), 4)
        return try! NIK(text)
    }

    public mutating func kk() -> NomorKK {
        try! NomorKK("321601" + pad(int(1...28), 2) + pad(int(1...12), 2) + pad(int(0...25), 2) + pad(int(1...9999), 4))
    }

    public mutating func member(relation: Relation) -> Member {
        let sex: Sex = chance(50) ? .male : .female
        let birth = try! CalendarDate(year: int(1930...2024), month: int(1...12), day: int(1...28))
        let nik: MemberNIK
        switch int(0...9) {
        case 0: nik = .missing
        case 1: nik = MemberNIK(parsing: pick(["3.21601E+15", "12345", "3216013102900001", "9916010101900001", "32160101019000O1"]))
        case 2: nik = MemberNIK(parsing: text(maxPieces: 4))
        default: nik = .valid(self.nik(sex: sex, birth: birth))
        }
        return Member(
            nik: nik, name: chance(90) ? text() : "ŞİTİ ÑÚR 🌾", sex: sex, birthDate: chance(80) ? birth : nil,
            relation: relation, presence: pick(Presence.allCases),
            maritalStatus: chance(70) ? pick(MaritalStatus.allCases) : nil,
            education: chance(70) ? pick(Education.allCases) : nil,
            occupation: chance(60) ? text() : nil,
            disability: chance(20) ? pick(Disability.allCases) : nil,
            attributes: chance(50) ? attributes() : [:])
    }

    public mutating func household() -> Household {
        let count = chance(3) ? Household.maxMembers : int(0...8)
        let members = (0..<count).map { index in member(relation: index == 0 ? .kepalaKeluarga : pick(Relation.allCases)) }
        return Household(
            id: chance(70) ? HouseholdID(UInt64(int(1...Int(HouseholdID.max.rawValue)))) : nil,
            nomorKK: kk(), wilayah: try! KodeWilayah("32.16.01.2001"), alamat: text(),
            rt: chance(70) ? int(0...999) : nil, rw: chance(70) ? int(0...999) : nil,
            status: pick(HouseholdStatus.allCases), desil: chance(70) ? int(1...10) : nil,
            programs: Set(Program.allCases.filter { _ in chance(30) }),
            attributes: chance(70) ? attributes() : [:], members: members,
            updatedAt: chance(70) ? Timestamp(milliseconds: Int64(int(0...4_102_444_800_000))).date : nil)
    }
}

