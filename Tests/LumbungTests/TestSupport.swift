import Foundation
@_exported import LumbungTestSupport
import LumbungSynthetic
@testable import Lumbung



/// Random but valid households in a few desa of Kabupaten Bekasi (32.16), with unique NIKs and
/// KKs drawn from counters, plus Unicode names and empty and maximal fields.
struct HouseholdFactory {
    var random: SeededRandom
    private var serial = 0
    let desa: [KodeWilayah]

    init(seed: UInt64, desaCount: Int = 6) {
        random = SeededRandom(seed: seed)
        let kecamatan = WilayahTable.shared.children(of: try! KodeWilayah("32.16")).prefix(2)
        desa = kecamatan.flatMap { WilayahTable.shared.children(of: $0).prefix(desaCount / 2) }
    }

    static let names = ["SITI AMINAH", "BUDI SANTOSO", "Ñoño Ğüneş", "ĐẶNG THỊ", "محمد", "ꦱꦶꦠꦶ", "A", "NUR 🌾 HIDAYAH", String(repeating: "W", count: 200)]

    mutating func nextSerial() -> Int {
        serial += 1
        return serial
    }

    /// A valid NIK for a person born on `date` of `sex` registered in `wilayah`'s kecamatan.
    mutating func nik(_ wilayah: KodeWilayah, _ date: CalendarDate, _ sex: Sex) -> NIK {
        let region = wilayah.packed / 10_000
        let day = UInt64(date.day + (sex == .female ? 40 : 0))
        let ddmmyy = day * 10_000 + UInt64(date.month) * 100 + UInt64(date.year % 100)
        // Spread the serial over birth-date collisions: 1...9999, unique per factory.
        let s = UInt64(nextSerial() % 9999 + 1)
        return NIK(unchecked: region * 10_000_000_000 + ddmmyy * 10_000 + s)
    }

    mutating func date() -> CalendarDate {
        let year = Int.random(in: 1940...2024, using: &random)
        let month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...CalendarDate.days(inMonth: month, year: year), using: &random)
        return try! CalendarDate(year: year, month: month, day: day)
    }

    mutating func member(_ wilayah: KodeWilayah, relation: Relation, flagged: Bool = false) -> Member {
        let sex: Sex = Bool.random(using: &random) ? .male : .female
        let birth = date()
        var nik: MemberNIK = .valid(nik(wilayah, birth, sex))
        if flagged {
            nik = Bool.random(using: &random) ? .missing : MemberNIK(parsing: ["3.21601E+15", "32160100000000", "3216019999990000"].randomElement(using: &random)!)
        }
        let full = Int.random(in: 0..<4, using: &random) == 0
        var attributes = Attributes()
        if full {
            attributes["catatan"] = .text(Self.names.randomElement(using: &random)!)
            attributes["umur_bulan"] = .code(Int64.random(in: -5...1_000_000, using: &random))
        }
        // From the serial, not the random source, so the other fields' sequence stays as it was.
        let dukcapil: DukcapilResult? =
            switch serial % 6 {
            case 2: DukcapilResult(status: .padan)
            case 3: DukcapilResult(status: .tidakPadan, reason: "NIK TIDAK DITEMUKAN")
            case 4: DukcapilResult(status: .ganda)
            case 5: DukcapilResult(status: .meninggal)
            default: nil
            }
        return Member(
            nik: nik, name: Self.names.randomElement(using: &random)!, sex: sex,
            birthDate: full || Bool.random(using: &random) ? birth : nil, relation: relation,
            presence: Presence.allCases.randomElement(using: &random)!,
            maritalStatus: full ? MaritalStatus.allCases.randomElement(using: &random) : nil,
            education: full ? Education.allCases.randomElement(using: &random) : nil,
            occupation: full ? "PETANI" : nil,
            disability: full ? Disability.allCases.randomElement(using: &random) : nil,
            attributes: attributes, dukcapil: dukcapil)
    }

    mutating func kk(_ wilayah: KodeWilayah) -> NomorKK {
        let region = wilayah.packed / 10_000
        let s = UInt64(nextSerial() % 9999 + 1)
        let dayMonth = UInt64(Int.random(in: 1...28, using: &random) * 10_000 + Int.random(in: 1...12, using: &random) * 100 + 15)
        return NomorKK(unchecked: region * 10_000_000_000 + dayMonth * 10_000 + s)
    }

    /// A random valid household; `flaggedRate` members get a missing or invalid NIK.
    mutating func household(flaggedRate: Double = 0) -> Household {
        let wilayah = desa.randomElement(using: &random)!
        let size = Int.random(in: 1...8, using: &random)
        var members = [member(wilayah, relation: .kepalaKeluarga, flagged: Double.random(in: 0..<1, using: &random) < flaggedRate)]
        for _ in 1..<size {
            members.append(member(wilayah, relation: [.istriSuami, .anak, .cucu, .orangTua].randomElement(using: &random)!, flagged: Double.random(in: 0..<1, using: &random) < flaggedRate))
        }
        var attributes: Attributes = ["lantai": .code(Int64.random(in: 1...6, using: &random)), "luas_lantai": .number(Double(Int.random(in: 100...2000, using: &random)) / 10)]
        if Bool.random(using: &random) { attributes["aset_motor"] = .code(1) }
        let statuses = HouseholdStatus.allCases
        var household = Household(
            nomorKK: kk(wilayah), wilayah: wilayah,
            alamat: Bool.random(using: &random) ? "" : "Jl. Melati No. \(Int.random(in: 1...300, using: &random)) «ÄÖ»",
            rt: Bool.random(using: &random) ? Int.random(in: 0...999, using: &random) : nil,
            rw: Bool.random(using: &random) ? Int.random(in: 0...999, using: &random) : nil,
            status: statuses.randomElement(using: &random)!,
            desil: Int.random(in: 0...10, using: &random) == 0 ? nil : Int.random(in: 1...10, using: &random),
            programs: Set(Program.allCases.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }),
            attributes: attributes, members: members)
        // Some ranked desils, from the serial (the random sequence stays as it was).
        if household.desil != nil, serial % 3 == 0 {
            household.desilVersion = DesilVersion(try! CalendarDate(year: 2025 + serial % 2, month: 1 + serial % 12, day: 1 + serial % 28))
        }
        return household
    }
}
