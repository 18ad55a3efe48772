import Foundation
import Testing
import LumbungSynthetic
import LumbungTestSupport

@testable import Lumbung

// MARK: - Helpers


private func sample(
    nik: MemberNIK = .valid(try! NIK("3216015608900003")), name: String = "SITI AMINAH",
    attributes: Attributes = [:]
) -> Household {
    Household(
        nomorKK: try! NomorKK("3216012003150001"), wilayah: try! KodeWilayah("32.16.01.2001"),
        alamat: "Jl. Melati No. 3",
        members: [Member(nik: nik, name: name, sex: .female, relation: .kepalaKeluarga, attributes: attributes)])
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

private func roundTrip(_ household: Household) throws -> Household {
    try HouseholdJSON.decode(HouseholdJSON.encode(household))
}

/// Builds household JSON from a base with some keys replaced (raw JSON text) or removed (nil).
private func json(
    _ overrides: [String: String?] = [:], member overrides2: [String: String?] = [:], members: Int = 1
) -> String {
    func object(_ base: [(String, String)], _ overrides: [String: String?]) -> String {
        var parts: [String] = []
        for (key, value) in base {
            if let override = overrides[key] {
                if let override { parts.append("\"\(key)\":\(override)") }
            } else {
                parts.append("\"\(key)\":\(value)")
            }
        }
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) where !base.contains(where: { $0.0 == key }) {
            if let value { parts.append("\"\(key)\":\(value)") }
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
    let member = object(
        [("nik", "\"3216015608900003\""), ("nama", "\"SITI AMINAH\""), ("jenis_kelamin", "\"P\""), ("hubungan", "\"kepala_keluarga\"")],
        overrides2)
    let plain = object(
        [("nik", "\"3216010101800001\""), ("nama", "\"BUDI\""), ("jenis_kelamin", "\"L\""), ("hubungan", "\"anak\"")], [:])
    let list = (0..<members).map { $0 == members - 1 ? member : plain }.joined(separator: ",")
    return object(
        [
            ("nomor_kk", "\"3216012003150001\""), ("kode_wilayah", "\"32.16.01.2001\""), ("alamat", "\"Jl. Melati\""),
            ("status", "\"usulan\""), ("anggota", "[\(list)]"),
        ], overrides)
}

private func decodeError(_ text: String) -> LumbungError? {
    do {
        _ = try HouseholdJSON.decode(Array(text.utf8))
        return nil
    } catch let error as LumbungError {
        return error
    } catch {
        Issue.record("not a LumbungError: \(error)")
        return nil
    }
}

// MARK: - Tests

@Suite struct HouseholdJSONTests {
    @Test func briefExampleDecodes() throws {
        let example = #"""
            {"id":17,"nomor_kk":"3216012003150001","kode_wilayah":"32.16.01.2001","alamat":"Jl. Melati No. 3","rt":1,"rw":2,
             "status":"tidak_layak","alasan_tidak_layak":"pindah","desil":3,"program":["BPNT","PKH"],
             "atribut":{"lantai":3,"luas_lantai":36.5,"catatan":"teks"},
             "diperbarui":"2026-11-23T10:15:17.123Z",
             "anggota":[{"nik":"3216015608900003","status_nik":"valid","nama":"SITI AMINAH","jenis_kelamin":"P","tanggal_lahir":"1990-08-16",
               "hubungan":"istri_suami","keberadaan":"tinggal_bersama","status_kawin":"kawin","pendidikan":"sma","pekerjaan":"PEDAGANG","disabilitas":null,"atribut":{}}]}
            """#
        let household = try HouseholdJSON.decode(example.utf8)
        #expect(household.id == 17)
        #expect(household.nomorKK.text == "3216012003150001")
        #expect(household.wilayah.dotted == "32.16.01.2001")
        #expect(household.rt == 1 && household.rw == 2 && household.desil == 3)
        #expect(household.status == .tidakLayak(.pindah))
        #expect(household.programs == [.pkh, .bpnt])
        #expect(household.attributes == ["lantai": .code(3), "luas_lantai": .number(36.5), "catatan": .text("teks")])
        let member = try #require(household.members.first)
        #expect(member.nik == .valid(try NIK("3216015608900003")))
        #expect(member.sex == .female && member.relation == .istriSuami && member.education == .sma)
        #expect(member.birthDate == (try CalendarDate(year: 1990, month: 8, day: 16)))
        #expect(member.occupation == "PEDAGANG" && member.disability == nil && member.maritalStatus == .kawin)

        let written = text(HouseholdJSON.encode(household))
        #expect(written.hasPrefix(#"{"id":17,"nomor_kk":"3216012003150001","kode_wilayah":"32.16.01.2001","alamat":"Jl. Melati No. 3","rt":1,"rw":2,"status":"tidak_layak","alasan_tidak_layak":"pindah","desil":3,"program":["PKH","BPNT"],"atribut":{"catatan":"teks","lantai":3,"luas_lantai":36.5},"diperbarui":"2026-11-23T10:15:17.123Z","anggota":[{"nik":"3216015608900003","status_nik":"valid","nama":"SITI AMINAH","jenis_kelamin":"P","tanggal_lahir":"1990-08-16","hubungan":"istri_suami","keberadaan":"tinggal_bersama","status_kawin":"kawin","pendidikan":"sma","pekerjaan":"PEDAGANG","disabilitas":null,"atribut":{}}]}"#))
        #expect(try HouseholdJSON.decode(written.utf8) == household)
    }

    @Test func unicodeNamesRoundTrip() throws {
        for name in ["ŞİTİ ÑÚR 🌾", "سيتي أمينة", "ꦱꦶꦠꦶ ꦲꦩꦶꦤꦃ", "👨‍👩‍👧‍👦 e\u{301}", "中文名字", "\u{2028}\u{2029}\u{FEFF}"] {
            let household = sample(name: name)
            #expect(try roundTrip(household) == household)
            // Non-ASCII is written as UTF-8, not escaped.
            #expect(text(HouseholdJSON.encode(household)).contains(name))
        }
    }

    @Test func escaping() throws {
        let name = "a\"b\\c\nd\re\tf\u{8}\u{C}g\u{0}\u{1}\u{1F}\u{7F}/h"
        let household = sample(name: name)
        let written = text(HouseholdJSON.encode(household))
        #expect(written.contains(#""nama":"a\"b\\c\nd\re\tf\b\fg\u0000\u0001\u001f"# + "\u{7F}" + #"/h""#))
        #expect(try roundTrip(household) == household)
        // Foundation agrees the output is JSON with the same string.
        let object = try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any]
        let members = object?["anggota"] as? [[String: Any]]
        #expect(members?.first?["nama"] as? String == name)
        // Escapes the writer never uses still read: \/, \u with surrogate pairs, upper-case hex.
        let decoded = try HouseholdJSON.decode(json(member: ["nama": #""\/\u00E9\uD83C\uDF3E\u00e9""#]).utf8)
        #expect(decoded.members[0].name == "/é🌾é")
    }

    @Test func numbersKeepTheirKind() throws {
        let attributes: Attributes = [
            "a": .number(36.0), "b": .code(36), "c": .number(-0.5), "d": .number(1e16), "e": .number(Double.leastNonzeroMagnitude),
            "f": .code(.min), "g": .code(.max), "h": .number(0.1), "i": .number(-2), "j": .text("36"),
        ]
        let household = sample(attributes: attributes)
        let written = text(HouseholdJSON.encode(household))
        #expect(written.contains(#""a":36.0,"b":36,"c":-0.5,"d":1e+16,"e":5e-324,"f":-9223372036854775808,"g":9223372036854775807,"h":0.1,"i":-2.0,"j":"36""#))
        let decoded = try roundTrip(household)
        #expect(decoded == household)
        #expect(decoded.members[0].attributes["a"] == .number(36))
        #expect(decoded.members[0].attributes["b"] == .code(36))
        // Input forms: exponent without a fraction is a number; -0 is a code.
        let input = try HouseholdJSON.decode(json(["atribut": #"{"x":1E2,"y":-0,"z":2.50}"#]).utf8)
        #expect(input.attributes == ["x": .number(100), "y": .code(0), "z": .number(2.5)])
    }

    @Test func emptyAndAbsentFields() throws {
        let minimal = try HouseholdJSON.decode(json().utf8)
        #expect(minimal.id == nil && minimal.rt == nil && minimal.rw == nil && minimal.desil == nil)
        #expect(minimal.updatedAt == nil && minimal.programs.isEmpty && minimal.attributes.isEmpty)
        #expect(minimal.status == .usulan)
        let member = minimal.members[0]
        #expect(member.birthDate == nil && member.maritalStatus == nil && member.education == nil)
        #expect(member.occupation == nil && member.disability == nil && member.attributes.isEmpty)
        #expect(member.presence == .tinggalBersama)

        let written = text(HouseholdJSON.encode(minimal))
        for key in ["\"id\"", "\"rt\"", "\"rw\"", "\"desil\"", "\"diperbarui\"", "\"alasan_tidak_layak\""] {
            #expect(!written.contains(key))
        }
        #expect(written.contains(#""program":[],"atribut":{}"#))
        #expect(written.contains(#""tanggal_lahir":null"#) && written.contains(#""pekerjaan":null"#))
        #expect(try roundTrip(minimal) == minimal)

        // Nulls read like absent fields.
        let nulls = try HouseholdJSON.decode(
            json(["id": "null", "rt": "null", "desil": "null", "diperbarui": "null", "program": "null", "atribut": "null"],
                 member: ["nik": "null", "tanggal_lahir": "null", "atribut": "null", "status_kawin": "null"]).utf8)
        #expect(nulls.id == nil && nulls.members[0].nik == .missing)

        var empty = minimal
        empty.members = []
        #expect(try roundTrip(empty) == empty)
    }

    @Test func invalidAndMissingNIKsAreKept() throws {
        for nik in [
            MemberNIK.missing, MemberNIK(parsing: "3.21601E+15"), MemberNIK(parsing: "3216013102900001"),
            MemberNIK(parsing: "12 34"), MemberNIK(parsing: "9916010101900001"), .invalid("3216015608900003", reason: .nikSexMismatch),
            MemberNIK(parsing: "9999999999999996"),
        ] {
            let household = sample(nik: nik)
            let written = text(HouseholdJSON.encode(household))
            switch nik {
            case .missing: #expect(written.contains(#""nik":null,"status_nik":"missing""#))
            case .invalid(let raw, let reason): #expect(written.contains(#""status_nik":"invalid:\#(reason)""#) && written.contains(raw))
            case .placeholder(let reason): #expect(written.contains(#""nik":"\#(reason.written)","status_nik":"missing:\#(reason.name)""#))
            case .valid: break
            }
            if case .invalid(_, reason: .nikSexMismatch) = nik {
                // A flag from the store's cross-check is re-derived by the write path, not read back.
                #expect(try roundTrip(household).members[0].nik == .valid(try NIK("3216015608900003")))
            } else {
                #expect(try roundTrip(household) == household)
            }
        }
        // status_nik is ignored; the NIK is re-classified and its code kept.
        let decoded = try HouseholdJSON.decode(
            json(member: ["nik": #""3216013102900001""#, "status_nik": #""valid""#]).utf8)
        #expect(decoded.members[0].nik == .invalid("3216013102900001", reason: .nikInvalidDate))
        #expect(decoded.members[0].nikStatus == .invalid(.nikInvalidDate))
        #expect(try HouseholdJSON.decode(json(member: ["nik": #""""#]).utf8).members[0].nik == .missing)
    }

    @Test func statusForms() throws {
        #expect(try HouseholdJSON.decode(json(["status": #""tidak_layak:pindah""#]).utf8).status == .tidakLayak(.pindah))
        #expect(try HouseholdJSON.decode(json(["status": #""tidak_layak""#, "alasan_tidak_layak": #""tidak_ditemukan""#]).utf8).status
            == .tidakLayak(.tidakDitemukan))
        #expect(try HouseholdJSON.decode(json(["status": #""tidak_layak:ganda""#, "alasan_tidak_layak": #""ganda""#]).utf8).status
            == .tidakLayak(.ganda))
        #expect(try HouseholdJSON.decode(json(["status": #""ditetapkan""#]).utf8).status == .ditetapkan)
        #expect(try HouseholdJSON.decode(json(["program": #"["sembako","pbi_jk","PKH","PKH"]"#]).utf8).programs == [.bpnt, .pbiJK, .pkh])
    }

    @Test func timestamps() throws {
        let decoded = try HouseholdJSON.decode(json(["diperbarui": #""2026-11-23T10:15:17.123Z""#]).utf8)
        let date = try #require(decoded.updatedAt)
        #expect(RecordCodec.milliseconds(date) == 1_795_428_917_123)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        #expect(abs(date.timeIntervalSince(try #require(formatter.date(from: "2026-11-23T10:15:17.123Z")))) < 0.0005)
        #expect(text(HouseholdJSON.encode(decoded)).contains(#""diperbarui":"2026-11-23T10:15:17.123Z""#))

        for (input, expected) in [
            ("2026-11-23T17:15:17.123+07:00", 1_795_428_917_123), ("2026-11-23T10:15:17Z", 1_795_428_917_000),
            ("2026-11-23T10:15:17.1Z", 1_795_428_917_100), ("2026-11-23T10:15:17.123999Z", 1_795_428_917_123),
            ("1970-01-01T00:00:00.000Z", 0), ("1969-12-31T23:59:59.999Z", -1), ("2000-02-29T00:00:00.000Z", 951_782_400_000),
        ] as [(String, Int64)] {
            let household = try HouseholdJSON.decode(json(["diperbarui": "\"\(input)\""]).utf8)
            #expect(RecordCodec.milliseconds(try #require(household.updatedAt)) == expected, "\(input)")
        }
        var before1970 = decoded
        before1970.updatedAt = RecordCodec.date(milliseconds: -1)
        #expect(text(HouseholdJSON.encode(before1970)).contains("1969-12-31T23:59:59.999Z"))
        #expect(try roundTrip(before1970) == before1970)
    }

    @Test func prettyOutput() throws {
        var generator = HouseholdGenerator(seed: 7)
        for _ in 0..<20 {
            let household = generator.household()
            let pretty = HouseholdJSON.encode(household, pretty: true)
            #expect(try HouseholdJSON.decode(pretty) == household)
            #expect(text(pretty).contains("\n  \"nomor_kk\": \""))
        }
        #expect(HouseholdJSON.string(sample()) == text(HouseholdJSON.encode(sample())))
    }

    @Test func encodeIntoAppends() throws {
        var buffer = Array("x".utf8)
        HouseholdJSON.encode(sample(), into: &buffer)
        HouseholdJSON.encode(sample(), into: &buffer)
        #expect(buffer.first == UInt8(ascii: "x"))
        #expect(buffer.count == 1 + 2 * HouseholdJSON.encode(sample()).count)
    }

    @Test func memberRangesPointAtEachMember() throws {
        var generator = HouseholdGenerator(seed: 11)
        for _ in 0..<50 {
            let household = generator.household()
            var buffer = Array(#"{"household":"#.utf8)
            let ranges = HouseholdJSON.encode(household, into: &buffer, memberRanges: true)
            #expect(Array(buffer.dropFirst(13)) == HouseholdJSON.encode(household))
            #expect(ranges.count == household.members.count)
            for (range, member) in zip(ranges, household.members) {
                var alone: [UInt8] = []
                HouseholdJSON.encode(member: member, into: &alone)
                #expect(Array(buffer[range]) == alone)
            }
            let (json, inPlace) = HouseholdJSON.withEncoded(household) { (Array($0), $1) }
            #expect(json == HouseholdJSON.encode(household))
            #expect(inPlace.map { $0.lowerBound + 13 } == ranges.map(\.lowerBound))
        }
    }

    /// Strings longer than the writer's first buffer, with escapes where it has to grow.
    @Test func longStringsWithEscapesRoundTrip() throws {
        for length in [2000, 2047, 2048, 5000, 20_000] {
            var household = sample()
            household.alamat = String(repeating: "Jl. \"Mawar\"\\\n\u{1}é", count: length / 12)
            household.members[0].name = String(repeating: "\t", count: length / 10)
            let bytes = HouseholdJSON.encode(household)
            #expect(try HouseholdJSON.decode(bytes) == household)
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(bytes)) }
            #expect(try HouseholdJSON.decode(HouseholdJSON.encode(household, pretty: true)) == household)
        }
    }

    @Test func propertyRoundTrip() throws {
        var generator = HouseholdGenerator(seed: 0x4C75_6D62_756E_67)
        for index in 0..<400 {
            let household = generator.household()
            let bytes = HouseholdJSON.encode(household)
            let decoded = try HouseholdJSON.decode(bytes)
            #expect(decoded == household, "household \(index): \(text(bytes))")
            // Foundation's parser accepts everything the writer writes.
            #expect(throws: Never.self) { try JSONSerialization.jsonObject(with: Data(bytes)) }
            // Data and String.UTF8View inputs read the same.
            #expect(try HouseholdJSON.decode(Data(bytes)) == household)
            if decoded != household { break }
        }
    }

    // MARK: Errors

    struct ErrorCase: Sendable, CustomStringConvertible {
        let json: String
        let code: LumbungError.Code
        let field: String?
        var value: String? = nil
        var description: String { "\(code) \(field ?? "-")" }
    }

    static let errorCases: [ErrorCase] = [
        // Unknown keys.
        ErrorCase(json: json(["umur": "3"]), code: .householdInvalid, field: "umur"),
        ErrorCase(json: json(member: ["umur": "30"]), code: .memberInvalid, field: "anggota[0].umur"),
        // Wrong types and missing fields.
        ErrorCase(json: json(["rt": #""1""#]), code: .householdInvalid, field: "rt", value: "1"),
        ErrorCase(json: json(["rt": "1.5"]), code: .householdInvalid, field: "rt"),
        ErrorCase(json: json(["rw": "true"]), code: .householdInvalid, field: "rw", value: "true"),
        ErrorCase(json: json(["desil": "false"]), code: .householdDesil, field: "desil"),
        ErrorCase(json: json(["alamat": "3"]), code: .householdInvalid, field: "alamat"),
        ErrorCase(json: json(["alamat": nil]), code: .householdInvalid, field: "alamat"),
        ErrorCase(json: json(["nomor_kk": nil]), code: .householdInvalid, field: "nomor_kk"),
        ErrorCase(json: json(["nomor_kk": "3216012003150001"]), code: .householdInvalid, field: "nomor_kk", value: "3216********0001"),
        ErrorCase(json: json(["anggota": nil]), code: .householdInvalid, field: "anggota"),
        ErrorCase(json: json(["anggota": "{}"]), code: .householdInvalid, field: "anggota"),
        ErrorCase(json: json(["anggota": "[1]"]), code: .memberInvalid, field: "anggota[0]"),
        ErrorCase(json: json(["atribut": "[]"]), code: .householdInvalid, field: "atribut"),
        ErrorCase(json: json(["id": "0"]), code: .householdInvalid, field: "id"),
        ErrorCase(json: json(["id": "-5"]), code: .householdInvalid, field: "id"),
        ErrorCase(json: json(["id": "1099511627776"]), code: .householdInvalid, field: "id"),
        ErrorCase(json: json(["id": #""17""#]), code: .householdInvalid, field: "id"),
        ErrorCase(json: json(["rt": "99999999999999999999"]), code: .householdInvalid, field: "rt"),
        ErrorCase(json: json(member: ["nama": "1"]), code: .memberInvalid, field: "anggota[0].nama"),
        ErrorCase(json: json(member: ["nama": nil]), code: .memberInvalid, field: "anggota[0].nama"),
        ErrorCase(json: json(member: ["hubungan": nil]), code: .memberInvalid, field: "anggota[0].hubungan"),
        ErrorCase(json: json(member: ["jenis_kelamin": #""X""#]), code: .memberInvalid, field: "anggota[0].jenis_kelamin"),
        ErrorCase(json: json(member: ["nik": "3216015608900003"]), code: .memberInvalid, field: "anggota[0].nik", value: "3216********0003"),
        // Domain values.
        ErrorCase(json: json(["nomor_kk": #""3216013102150001""#]), code: .kkInvalidDate, field: "nomor_kk", value: "3216********0001"),
        ErrorCase(json: json(["nomor_kk": #""32160120031500""#]), code: .kkLength, field: "nomor_kk"),
        ErrorCase(json: json(["nomor_kk": #""3.21601E+15""#]), code: .kkSpreadsheetMangled, field: "nomor_kk"),
        ErrorCase(json: json(["kode_wilayah": #""32.16.01.9999""#]), code: .wilayahUnknown, field: "kode_wilayah"),
        ErrorCase(json: json(["kode_wilayah": #""32-16""#]), code: .wilayahFormat, field: "kode_wilayah"),
        ErrorCase(json: json(["status": #""aktif""#]), code: .householdStatus, field: "status"),
        ErrorCase(json: json(["status": "1"]), code: .householdStatus, field: "status"),
        ErrorCase(json: json(["status": nil]), code: .householdStatus, field: "status"),
        ErrorCase(json: json(["status": #""tidak_layak""#]), code: .householdStatus, field: "alasan_tidak_layak"),
        ErrorCase(json: json(["status": #""tidak_layak:kaya""#]), code: .householdStatus, field: "alasan_tidak_layak"),
        ErrorCase(json: json(["alasan_tidak_layak": #""pindah""#]), code: .householdStatus, field: "alasan_tidak_layak"),
        ErrorCase(json: json(["status": #""usulan:pindah""#]), code: .householdStatus, field: "status"),
        ErrorCase(json: json(["status": #""tidak_layak:pindah""#, "alasan_tidak_layak": #""mampu""#]), code: .householdStatus, field: "alasan_tidak_layak"),
        ErrorCase(json: json(["program": #"["PKH","KIS"]"#]), code: .householdProgram, field: "program[1]", value: "KIS"),
        ErrorCase(json: json(["program": "[1]"]), code: .householdProgram, field: "program[0]"),
        ErrorCase(json: json(["program": #""PKH""#]), code: .householdProgram, field: "program"),
        ErrorCase(json: json(member: ["hubungan": #""tetangga""#]), code: .memberInvalid, field: "anggota[0].hubungan"),
        ErrorCase(json: json(member: ["keberadaan": #""hilang""#]), code: .memberInvalid, field: "anggota[0].keberadaan"),
        ErrorCase(json: json(member: ["pendidikan": #""s4""#]), code: .memberInvalid, field: "anggota[0].pendidikan"),
        ErrorCase(json: json(member: ["disabilitas": "1"]), code: .memberInvalid, field: "anggota[0].disabilitas"),
        ErrorCase(json: json(member: ["tanggal_lahir": #""1990-02-31""#], members: 3), code: .memberBirthDate, field: "anggota[2].tanggal_lahir"),
        ErrorCase(json: json(member: ["tanggal_lahir": #""kemarin""#]), code: .memberBirthDate, field: "anggota[0].tanggal_lahir"),
        ErrorCase(json: json(["diperbarui": #""2026-11-23 10:15""#]), code: .householdInvalid, field: "diperbarui"),
        ErrorCase(json: json(["diperbarui": #""2026-02-30T10:15:17.123Z""#]), code: .householdInvalid, field: "diperbarui"),
        ErrorCase(json: json(["diperbarui": "1795428917123"]), code: .householdInvalid, field: "diperbarui"),
        // Attributes.
        ErrorCase(json: json(["atribut": #"{"lantai":true}"#]), code: .attributeInvalid, field: "atribut.lantai"),
        ErrorCase(json: json(["atribut": #"{"lantai":null}"#]), code: .attributeInvalid, field: "atribut.lantai"),
        ErrorCase(json: json(["atribut": #"{"lantai":[3]}"#]), code: .attributeInvalid, field: "atribut.lantai"),
        ErrorCase(json: json(["atribut": #"{"luas":1e400}"#]), code: .attributeInvalid, field: "atribut.luas", value: "1e400"),
        ErrorCase(json: json(["atribut": #"{"luas":-1e400}"#]), code: .attributeInvalid, field: "atribut.luas"),
        ErrorCase(json: json(["atribut": #"{"kode":99999999999999999999}"#]), code: .attributeInvalid, field: "atribut.kode"),
        ErrorCase(json: json(member: ["atribut": #"{"a":{}}"#], members: 2), code: .attributeInvalid, field: "anggota[1].atribut.a"),
        // Limits.
        ErrorCase(json: json(members: 61), code: .householdTooLarge, field: "anggota", value: "61"),
        ErrorCase(json: json(["alamat": "\"" + String(repeating: "a", count: 65537) + "\""]), code: .householdTooLarge, field: "alamat"),
        ErrorCase(json: json(["alamat": "\"" + String(repeating: "\\n", count: 65537) + "\""]), code: .householdTooLarge, field: "alamat"),
        ErrorCase(json: json(["program": "[" + Array(repeating: "\"PKH\"", count: 5000).joined(separator: ",") + "]"]), code: .householdTooLarge, field: "program"),
        ErrorCase(json: json(["atribut": #"{"a":[[[[[[[1]]]]]]]}"#]), code: .jsonMalformed, field: "atribut.a[0][0][0][0][0][0]"),
        // Structure.
        ErrorCase(json: #"{"alamat":"a","alamat":"b"}"#, code: .jsonMalformed, field: "alamat"),
        ErrorCase(json: "[]", code: .jsonMalformed, field: nil),
        ErrorCase(json: #""x""#, code: .jsonMalformed, field: nil),
        ErrorCase(json: "17", code: .jsonMalformed, field: nil),
        ErrorCase(json: "null", code: .jsonMalformed, field: nil),
        ErrorCase(json: "", code: .jsonMalformed, field: nil),
        ErrorCase(json: "{", code: .jsonMalformed, field: nil),
        ErrorCase(json: #"{"nomor_kk":"#, code: .jsonMalformed, field: "nomor_kk"),
        ErrorCase(json: #"{"alamat":"abc"#, code: .jsonMalformed, field: "alamat"),
        ErrorCase(json: "{} {}", code: .jsonMalformed, field: nil),
        ErrorCase(json: "{'a':1}", code: .jsonMalformed, field: nil),
        ErrorCase(json: #"{"rt":01}"#, code: .jsonMalformed, field: "rt"),
        ErrorCase(json: #"{"rt":NaN}"#, code: .jsonMalformed, field: "rt"),
        ErrorCase(json: #"{"rt":1.}"#, code: .jsonMalformed, field: "rt"),
        ErrorCase(json: #"{"rt":-}"#, code: .jsonMalformed, field: "rt"),
        ErrorCase(json: #"{"rt":tru}"#, code: .jsonMalformed, field: "rt"),
        ErrorCase(json: #"{"rt":1,}"#, code: .jsonMalformed, field: nil),
        ErrorCase(json: #"{"a":"\q"}"#, code: .jsonMalformed, field: "a"),
        ErrorCase(json: #"{"a":"\uD800"}"#, code: .jsonMalformed, field: "a"),
        ErrorCase(json: #"{"a":"\uDC00"}"#, code: .jsonMalformed, field: "a"),
        ErrorCase(json: #"{"a":"\u12G4"}"#, code: .jsonMalformed, field: "a"),
        ErrorCase(json: "{\"a\":\"line\nbreak\"}", code: .jsonMalformed, field: "a"),
        ErrorCase(json: String(repeating: "[", count: 100_000), code: .jsonMalformed, field: "[0][0][0][0][0][0][0][0]"),
        ErrorCase(json: String(repeating: "{\"a\":", count: 100_000), code: .jsonMalformed, field: "a.a.a.a.a.a.a.a"),
    ]

    @Test(arguments: errorCases)
    func decodeErrors(_ errorCase: ErrorCase) throws {
        let error = try #require(decodeError(errorCase.json), "no error for \(errorCase)")
        #expect(error.code == errorCase.code, "\(error)")
        #expect(error.field == errorCase.field, "\(error)")
        if let value = errorCase.value { #expect(error.value == value, "\(error)") }
        #expect(!error.rule.isEmpty)
    }

    @Test func errorMessagesAreUseful() throws {
        let unknown = try #require(decodeError(json(["umur": "3"])))
        #expect(unknown.rule.hasPrefix("not a household field; allowed: id, nomor_kk,"))
        let masked = try #require(decodeError(json(["nomor_kk": #""3216013102150001""#])))
        #expect(!masked.message.contains("3216013102150001"))
        let about = try #require(decodeError(json(["id": "17", "rt": #""x""#])))
        #expect(about.householdID == 17)
        #expect(about.message.hasPrefix("[household.invalid] household 17 rt 'x': must be an integer, not a string"))
        let malformed = try #require(decodeError(#"{"rt":1 "rw":2}"#))
        #expect(malformed.rule.contains("at byte 8"))
    }

    @Test func invalidUTF8IsRefused() throws {
        let bytes: [UInt8] = Array(#"{"alamat":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        #expect(throws: LumbungError.self) { try HouseholdJSON.decode(bytes) }
        let truncated: [UInt8] = Array(#"{"alamat":"\n"#.utf8) + [0xE2, 0x82] + Array(#""}"#.utf8)
        #expect(throws: LumbungError.self) { try HouseholdJSON.decode(truncated) }
        // A byte-order mark is skipped.
        #expect(try HouseholdJSON.decode([0xEF, 0xBB, 0xBF] + Array(json().utf8)).alamat == "Jl. Melati")
    }

    /// Every prefix of valid households and random byte mutations: decode or throw LumbungError,
    /// never crash.
    @Test func truncatedAndMutatedInputsNeverCrash() throws {
        var generator = HouseholdGenerator(seed: 99)
        for _ in 0..<5 {
            let bytes = HouseholdJSON.encode(generator.household())
            for length in 0..<bytes.count {
                #expect(throws: LumbungError.self) { try HouseholdJSON.decode(bytes[0..<length]) }
            }
        }
        let interesting: [UInt8] = Array("{}[]\",:\\0123456789.eE-+tfnu \u{7F}".utf8) + [0x00, 0x0A, 0xC3, 0xFF, 0xED, 0xA0]
        for _ in 0..<3000 {
            var bytes = HouseholdJSON.encode(generator.household())
            for _ in 0..<generator.int(1...4) {
                let position = generator.int(0...(bytes.count - 1))
                switch generator.int(0...2) {
                case 0: bytes[position] = generator.pick(interesting)
                case 1: bytes.insert(generator.pick(interesting), at: position)
                default: bytes.remove(at: position)
                }
            }
            do {
                _ = try HouseholdJSON.decode(bytes)
            } catch is LumbungError {
            } catch {
                Issue.record("not a LumbungError: \(error)")
            }
        }
    }
}
