import Foundation
import Testing
import LumbungSynthetic

@testable import Lumbung

/// Runs `body` and expects it to throw a ``LumbungError`` with `code`; returns the error.
@discardableResult
private func expectError<T>(
    _ code: LumbungError.Code, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) -> LumbungError? {
    do {
        let value = try body()
        Issue.record("expected \(code), got a value: \(value)", sourceLocation: sourceLocation)
    } catch let error as LumbungError where error.code == code {
        return error
    } catch {
        Issue.record("expected \(code), got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}


private func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
private func fourDigits(_ value: Int) -> String {
    String(repeating: "0", count: 4 - String(value).count) + String(value)
}

/// NIK, Nomor KK and kode wilayah: `swift test --filter IdentityTests`.
@Suite("Identity")
struct IdentityTests {
    @Suite("NIK")
    struct NIKTests {
        @Test func validMale() throws {
            let nik = try NIK("3216011205900001")
            #expect(nik.rawValue == 3_216_011_205_900_001)
            #expect(nik.sex == .male)
            #expect(nik.birthDay == 12)
            #expect(nik.birthMonth == 5)
            #expect(nik.birthYearTwoDigits == 90)
            #expect(nik.serial == 1)
            #expect(nik.regionCode == 321_601)
            #expect(nik.text == "3216011205900001")
        }

        @Test func validFemaleHasFortyAddedToTheDay() throws {
            let nik = try NIK("3216014507900002")
            #expect(nik.sex == .female)
            #expect(nik.birthDay == 5)
            #expect(nik.birthMonth == 7)
            #expect(nik.birthYearTwoDigits == 90)
            #expect(nik.serial == 2)
            #expect(try NIK("3216017112900002").birthDay == 31)
        }

        @Test func whitespaceIsTrimmed() throws {
            #expect(try NIK("  3216011205900001\n").rawValue == 3_216_011_205_900_001)
            #expect(try NIK("\u{00A0}3216011205900001\t").rawValue == 3_216_011_205_900_001)
            #expect(try NIK("x3216011205900001x".dropFirst().dropLast()).rawValue == 3_216_011_205_900_001)
        }

        @Test(arguments: ["00", "32", "40", "72", "99"])
        func invalidDay(day: String) {
            let error = expectError(.nikInvalidDay) { try NIK("321601\(day)05900001") }
            #expect(error?.field == "nik")
            #expect(error?.value == "3216********0001")
        }

        @Test(arguments: ["00", "13", "99"])
        func invalidMonth(month: String) {
            expectError(.nikInvalidMonth) { try NIK("32160112\(month)900001") }
        }

        @Test func thirtyFirstOfFebruaryIsNotADate() {
            expectError(.nikInvalidDate) { try NIK("3216013102900001") }
            expectError(.nikInvalidDate) { try NIK("3216017102900001") }  // women too
            expectError(.nikInvalidDate) { try NIK("3216013104900001") }  // 31 April
            expectError(.nikInvalidDate) { try NIK("3216012902910001") }  // 1991 and 2091: no 29 Feb
        }

        @Test func twentyNinthOfFebruaryIsAllowedInLeapYears() throws {
            #expect(try NIK("3216012902920001").birthDay == 29)
            #expect(try NIK("3216016902000001").birthDay == 29)  // 2000 was a leap year
            #expect(try NIK("3216016902000001").sex == .female)
        }

        @Test func zeroSerial() {
            expectError(.nikZeroSerial) { try NIK("3216011205900000") }
        }

        @Test func unknownProvinsi() {
            let error = expectError(.nikUnknownProvinsi) { try NIK("9916011205900001") }
            #expect(error?.rule.contains("99") == true)
            expectError(.nikUnknownProvinsi) { try NIK("0016011205900001") }
        }

        @Test func unknownKabupaten() {
            let error = expectError(.nikUnknownKabupaten) { try NIK("3299011205900001") }
            #expect(error?.rule.contains("32.99") == true)
        }

        @Test func kecamatanIsNotChecked() throws {
            // 32.16.99 is not a kecamatan, but a NIK keeps the code it was issued under.
            #expect(try NIK("3216991205900001").regionCode == 321_699)
        }

        @Test func wrongLength() {
            let short = expectError(.nikLength) { try NIK("321601120590001") }
            #expect(short?.rule.contains("15") == true)
            let long = expectError(.nikLength) { try NIK("32160112059000011") }
            #expect(long?.rule.contains("17") == true)
            expectError(.nikLength) { try NIK("") }
            expectError(.nikLength) { try NIK("   ") }
        }

        @Test func notDigits() {
            expectError(.nikNotDigits) { try NIK("32160112059O0001") }
            expectError(.nikNotDigits) { try NIK("3216-0112-0590-0001") }
            expectError(.nikNotDigits) { try NIK("-216011205900001") }
            // Full-width digits, as some input methods type them.
            expectError(.nikNotDigits) { try NIK("３２１６０１１２０５９００００１") }
        }

        @Test(arguments: ["3.21601E+15", "3,21601E+15", "3.21601e15", "3E+15", " 3.21601E+15 "])
        func spreadsheetMangled(text: String) {
            let error = expectError(.nikSpreadsheetMangled) { try NIK(text) }
            #expect(error?.rule.contains("scientific notation") == true)
            #expect(error?.rule.contains("text") == true)
        }

        @Test func maskingNeverShowsTheMiddleDigits() throws {
            let nik = try NIK("3216014507900002")
            #expect(nik.masked == "3216********0002")
            #expect(nik.description == "3216********0002")
            #expect("\(nik)" == "3216********0002")
            #expect(!String(describing: [nik]).contains("01450790"))

            #expect(NIK.mask("3216014507900002") == "3216********0002")
            #expect(NIK.mask("321601450790") == "3216****0790")
            #expect(NIK.mask("3.21601E+15") == "*********15")
            #expect(NIK.mask("7") == "7")

            // Error messages carry the masked value only.
            for text in ["3216013102900001", "3216017205900001", "3216011205900000", "3216011205900001x"] {
                do {
                    _ = try NIK(text)
                    Issue.record("\(text) should not parse")
                } catch let error as LumbungError {
                    #expect(!error.message.contains(text.prefix(16)))
                    #expect(!error.message.contains(text.dropFirst(4).prefix(8)))
                    #expect(error.message.contains("3216*"))
                }
            }
        }

        @Test func validatingANumber() throws {
            #expect(try NIK(validating: 3_216_011_205_900_001).text == "3216011205900001")
            expectError(.nikLength) { try NIK(validating: 32_160_112_059_000_011) }
            expectError(.nikUnknownProvinsi) { try NIK(validating: 16_011_205_900_001) }
            expectError(.nikInvalidDay) { try NIK(validating: 3_216_014_005_900_001) }
            #expect(NIK(unchecked: 42).text == "0000000000000042")
        }

        @Test func codableUsesTheDigitsAndValidates() throws {
            let nik = try NIK("3216014507900002")
            let json = try JSONEncoder().encode([nik])
            #expect(String(decoding: json, as: UTF8.self) == #"["3216014507900002"]"#)
            #expect(try JSONDecoder().decode([NIK].self, from: json) == [nik])

            struct Member: Decodable { let nik: NIK }
            let bad = Data(#"[{"nik":"3216017205900001"}]"#.utf8)
            let error = expectError(.nikInvalidDay) { try JSONDecoder().decode([Member].self, from: bad) }
            #expect(error?.field == "[0].nik")
            expectError(.nikLength) { try JSONDecoder().decode([NIK].self, from: Data(#"["123"]"#.utf8)) }
        }

        @Test func ordering() throws {
            #expect(try NIK("3216011205900001") < NIK("3216011205900002"))
        }

        @Test func randomValidNIKsRoundTrip() throws {
            var random = SplitMix64(seed: 0x4C55_4D42_554E_4721)
            let kabupaten = WilayahTable.shared.children(of: nil).flatMap {
                WilayahTable.shared.children(of: $0)
            }
            #expect(kabupaten.count == 514)
            let daysInMonth = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
            for _ in 0..<2_000 {
                let kab = kabupaten.randomElement(using: &random)!
                let kecamatan = Int.random(in: 1...99, using: &random)
                let year = Int.random(in: 0...99, using: &random)
                let month = Int.random(in: 1...12, using: &random)
                let lastDay = month == 2 && year % 4 == 0 ? 29 : daysInMonth[month - 1]
                let day = Int.random(in: 1...lastDay, using: &random)
                let sex: Sex = Bool.random(using: &random) ? .female : .male
                let serial = Int.random(in: 1...9999, using: &random)
                let text =
                    kab.plain + twoDigits(kecamatan) + twoDigits(sex == .female ? day + 40 : day)
                    + twoDigits(month) + twoDigits(year) + fourDigits(serial)

                let nik = try NIK(text)
                #expect(nik.text == text)
                #expect(nik.sex == sex)
                #expect(nik.birthDay == day)
                #expect(nik.birthMonth == month)
                #expect(nik.birthYearTwoDigits == year)
                #expect(nik.serial == serial)
                #expect(nik.regionCode == Int(kab.plain)! * 100 + kecamatan)
                #expect(try NIK(validating: nik.rawValue) == nik)
                #expect(nik.masked == String(text.prefix(4)) + "********" + String(text.suffix(4)))
            }
        }

        @Test func randomDigitStringsParseOrThrow() {
            var random = SplitMix64(seed: 7)
            var parsed = 0
            for round in 0..<20_000 {
                // Half the strings start with a known kabupaten, so deeper rules get exercised.
                var text = round.isMultiple(of: 2) ? "3216" : ""
                while text.count < 16 { text += String(Int.random(in: 0...9, using: &random)) }
                do {
                    let nik = try NIK(text)
                    #expect(nik.text == text)
                    #expect((1...31).contains(nik.birthDay))
                    #expect((1...12).contains(nik.birthMonth))
                    #expect(nik.serial > 0)
                    parsed += 1
                } catch is LumbungError {
                    // Expected for most strings.
                } catch {
                    Issue.record("unexpected error type: \(error)")
                }
            }
            #expect(parsed > 0)
        }
    }

    @Suite("NomorKK")
    struct NomorKKTests {
        @Test func valid() throws {
            let kk = try NomorKK("3216011203150002")
            #expect(kk.issueDay == 12)
            #expect(kk.issueMonth == 3)
            #expect(kk.issueYearTwoDigits == 15)
            #expect(kk.serial == 2)
            #expect(kk.regionCode == 321_601)
            #expect(kk.text == "3216011203150002")
            #expect(kk.masked == "3216********0002")
            #expect(kk.description == "3216********0002")
        }

        @Test(arguments: ["00", "32", "41", "52", "71"])
        func invalidDayIncludingThePlusFortyOfANIK(day: String) {
            let error = expectError(.kkInvalidDate) { try NomorKK("321601\(day)03150002") }
            #expect(error?.field == "nomor_kk")
            #expect(error?.value == "3216********0002")
        }

        @Test func calendar() throws {
            expectError(.kkInvalidDate) { try NomorKK("3216013102150002") }
            expectError(.kkInvalidDate) { try NomorKK("3216011213150002") }
            expectError(.kkInvalidDate) { try NomorKK("3216012902150002") }
            #expect(try NomorKK("3216012902160002").issueDay == 29)
        }

        @Test func otherRules() {
            expectError(.kkZeroSerial) { try NomorKK("3216011203150000") }
            expectError(.kkUnknownProvinsi) { try NomorKK("9916011203150002") }
            expectError(.kkUnknownKabupaten) { try NomorKK("3299011203150002") }
            expectError(.kkLength) { try NomorKK("321601120315002") }
            expectError(.kkLength) { try NomorKK("32160112031500022") }
            expectError(.kkNotDigits) { try NomorKK("32160112031500O2") }
            expectError(.kkSpreadsheetMangled) { try NomorKK("3.21601E+15") }
            expectError(.kkSpreadsheetMangled) { try NomorKK("3,21601E+15") }
            expectError(.kkInvalidDate) { try NomorKK(validating: 3_216_014_503_150_002) }
        }

        @Test func maskingNeverShowsTheMiddleDigits() throws {
            do {
                _ = try NomorKK("3216013102150002")
                Issue.record("31 February should not parse")
            } catch let error as LumbungError where error.code == .kkInvalidDate {
                #expect(!error.message.contains("3216013102150002"))
                #expect(!error.message.contains("01310215"))
                #expect(error.message.contains("3216********0002"))
            }
        }

        @Test func codable() throws {
            let kk = try NomorKK("3216011203150002")
            let json = try JSONEncoder().encode(kk)
            #expect(String(decoding: json, as: UTF8.self) == #""3216011203150002""#)
            #expect(try JSONDecoder().decode(NomorKK.self, from: json) == kk)
            expectError(.kkInvalidDate) {
                try JSONDecoder().decode(NomorKK.self, from: Data(#""3216015203150002""#.utf8))
            }
        }
    }

    @Suite("KodeWilayah and WilayahTable")
    struct WilayahTests {
        @Test func tableCounts() {
            let count = WilayahTable.shared.count
            #expect(count.provinsi == 38)
            #expect(count.kabupaten == 514)
            #expect(count.kecamatan == 7285)
            #expect(count.desa == 83762)
            #expect(WilayahTable.shared.children(of: nil).count == 38)
        }

        @Test func dottedAndPlainAtEveryLevel() throws {
            let cases: [(String, String, KodeWilayah.Level, UInt64)] = [
                ("32", "32", .provinsi, 3_200_000_000),
                ("32.16", "3216", .kabupaten, 3_216_000_000),
                ("32.16.01", "321601", .kecamatan, 3_216_010_000),
                ("32.16.01.2001", "3216012001", .desa, 3_216_012_001),
            ]
            for (dotted, plain, level, packed) in cases {
                let fromDotted = try KodeWilayah(dotted)
                let fromPlain = try KodeWilayah(plain)
                #expect(fromDotted == fromPlain)
                #expect(fromDotted.level == level)
                #expect(fromDotted.packed == packed)
                #expect(fromDotted.dotted == dotted)
                #expect(fromDotted.plain == plain)
                #expect(fromDotted.description == dotted)
            }
            #expect(try KodeWilayah("  32.16\n").level == .kabupaten)
        }

        @Test func namesAtEveryLevel() throws {
            #expect(try KodeWilayah("32").name == "Jawa Barat")
            #expect(try KodeWilayah("32.16").name == "Kabupaten Bekasi")
            #expect(try KodeWilayah("32.16.01").name == "Tarumajaya")
            #expect(try KodeWilayah("32.16.01.2001").name == "Sagara Makmur")
            #expect(try KodeWilayah("11.01.01.2001").name == "Keude Bakongan")
            // Quoted in the CSV, and a trailing space in the source that the compiler trims.
            #expect(try KodeWilayah("12.07.28.1007").name == "Lubuk Pakam I,II")
            #expect(try KodeWilayah("31.72").name == "Kota Administrasi Jakarta Utara")
            #expect(try KodeWilayah("53.07.01.2021").name == "Regapu’u")
            #expect(try KodeWilayah("96.71.10.1003").name == "Saoka")  // the last entries decode too
        }

        @Test func unknownCodes() {
            let provinsi = expectError(.wilayahUnknown) { try KodeWilayah("99") }
            #expect(provinsi?.rule.contains("provinsi 99") == true)
            let kabupaten = expectError(.wilayahUnknown) { try KodeWilayah("32.99.01") }
            #expect(kabupaten?.rule.contains("kabupaten/kota 32.99") == true)
            #expect(kabupaten?.rule.contains("Jawa Barat") == true)
            let desa = expectError(.wilayahUnknown) { try KodeWilayah("3216019999") }
            #expect(desa?.rule.contains("desa/kelurahan 32.16.01.9999") == true)
        }

        @Test(arguments: [
            "", "3", "321", "32.1", "32.16.1", "32.16.01.201", "32.16.01.20011", "32..16", "32.16.",
            ".32", "32-16", "32.16.01.2001.01", "32160120011", "32160", "00", "32.00", "3216010000", "3a",
        ])
        func badFormat(text: String) {
            expectError(.wilayahFormat) { try KodeWilayah(text) }
        }

        @Test func hierarchy() throws {
            let desa = try KodeWilayah("32.16.01.2001")
            let kabupaten = try KodeWilayah("32.16")
            #expect(desa.parent == (try KodeWilayah("32.16.01")))
            #expect(desa.ancestor(at: .kabupaten) == kabupaten)
            #expect(desa.ancestor(at: .desa) == desa)
            #expect(kabupaten.ancestor(at: .desa) == nil)
            #expect(try KodeWilayah("32").parent == nil)

            #expect(kabupaten.packedRange == 3_216_000_000..<3_217_000_000)
            #expect(desa.packedRange == 3_216_012_001..<3_216_012_002)
            #expect(kabupaten.packedRange.contains(desa.packed))
            #expect(kabupaten.contains(desa))
            #expect(kabupaten.contains(kabupaten))
            #expect(!desa.contains(kabupaten))
            #expect(!(try KodeWilayah("32.17")).contains(desa))
            #expect(try KodeWilayah("32").contains(kabupaten))

            #expect(try KodeWilayah("31.71").isKota)
            #expect(try KodeWilayah("31.71.01").isKota)
            #expect(!kabupaten.isKota)
            #expect(!(try KodeWilayah("31")).isKota)

            #expect(try KodeWilayah("32") < kabupaten)
            #expect(kabupaten < desa)
        }

        @Test func children() throws {
            let table = WilayahTable.shared
            let kabupaten = table.children(of: try KodeWilayah("32"))
            #expect(kabupaten.count == 27)
            #expect(kabupaten.allSatisfy { $0.level == .kabupaten && $0.parent == (try? KodeWilayah("32")) })
            #expect(kabupaten == kabupaten.sorted())
            #expect(table.children(of: try KodeWilayah("32.16")).count == 23)
            #expect(table.children(of: try KodeWilayah("32.16.01")).count == 8)
            #expect(table.children(of: try KodeWilayah("32.16.01.2001")).isEmpty)
        }

        @Test func population() throws {
            let table = WilayahTable.shared
            #expect(table.population(of: try KodeWilayah("32.16"))
                == Population(male: 1_711_222, female: 1_676_379, total: 3_387_601))
            #expect(table.population(of: try KodeWilayah("32"))?.total == 51_316_378)
            #expect(table.population(of: try KodeWilayah("32.16.01")) == nil)
            let provinsiTotal = table.children(of: nil).compactMap { table.population(of: $0)?.total }
            #expect(provinsiTotal.count == 38)
            #expect(provinsiTotal.reduce(0, +) == 284_973_643)
        }

        @Test func knownProvinsiAndKabupaten() {
            let table = WilayahTable.shared
            #expect(table.isKnownProvinsi(32))
            #expect(!table.isKnownProvinsi(99))
            #expect(!table.isKnownProvinsi(-1))
            #expect(table.isKnownKabupaten(3216))
            #expect(!table.isKnownKabupaten(3299))
            #expect(!table.isKnownKabupaten(10_000))
            #expect(table.contains(KodeWilayah(unchecked: 3_216_000_000, level: .kabupaten)))
            #expect(!table.contains(KodeWilayah(unchecked: 3_216_000_000, level: .kecamatan)))
        }

        @Test func codable() throws {
            let desa = try KodeWilayah("3216012001")
            let json = try JSONEncoder().encode(desa)
            #expect(String(decoding: json, as: UTF8.self) == #""32.16.01.2001""#)
            #expect(try JSONDecoder().decode(KodeWilayah.self, from: json) == desa)
            let plain = try JSONDecoder().decode(KodeWilayah.self, from: Data(#""3216""#.utf8))
            #expect(plain.level == .kabupaten)
            expectError(.wilayahUnknown) {
                try JSONDecoder().decode(KodeWilayah.self, from: Data(#""32.99""#.utf8))
            }
        }
    }
}
