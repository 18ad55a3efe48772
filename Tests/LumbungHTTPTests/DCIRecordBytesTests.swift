import Foundation
import Lumbung
import LumbungTestSupport
import Testing

@testable import LumbungHTTP

/// DCI `Group` and `Member` records are written straight to bytes (``DCIGroup``); these tests
/// hold them to the bytes of the `JSONValue` tree they were built as before (the model below),
/// on random households: escapes, emoji, missing fields, placeholders, source ids, desil versions.
@Suite struct DCIRecordBytesTests {
    /// The records as a `JSONValue` tree, as `DCIGroup` built them before it wrote bytes.
    enum TreeModel {
        static func record(_ household: Household) -> JSONValue {
            let members = household.members.map { member($0) }
            var fields: [(String, JSONValue)] = [
                ("@type", .string("spdci:Group")),
                ("group_identifier", .array([
                    identifier("KK", household.nomorKK.text),
                    identifier("LUMBUNG_ID", household.id.map { String($0.rawValue) } ?? ""),
                ] + (household.sourceID.map { [identifier("SOURCE_ID", $0.text)] } ?? []))),
                ("group_type", .string("household")),
                ("place", .object([("@type", .string("Place")), ("address", .string(address(household)))])),
                ("poverty_score", household.desil.map { .int($0) } ?? .null),
                ("poverty_score_type", .string("desil")),
                ("group_size", .int(household.members.count)),
            ]
            if let head = household.head { fields.append(("group_head_info", member(head))) }
            fields.append(("member_list", .array(members)))
            if let updated = household.updatedAt { fields.append(("last_updated", .time(Timestamp(updated), .seconds))) }
            var attributes: [JSONValue] = [
                .object([("kode_wilayah", .string(household.wilayah.dotted))]),
                .object([("status", .string(household.status.description))]),
                .object([("program", .array(household.programs.sorted().map { .string($0.name) }))]),
            ]
            if let version = household.desilVersion { attributes.append(.object([(DesilVersion.field, .string(version.description))])) }
            fields.append(("additional_attributes", .array(attributes)))
            return .object(fields)
        }

        static func record(_ item: HouseholdMember) -> JSONValue {
            let household = item.household
            return member(item.member, group: [
                .object([("nomor_kk", .string(household.nomorKK.text))]),
                .object([("lumbung_id", .string(household.id.map { String($0.rawValue) } ?? ""))]),
                .object([("kode_wilayah", .string(household.wilayah.dotted))]),
            ])
        }

        static func member(_ member: Member, group: [JSONValue] = []) -> JSONValue {
            let identifiers: [JSONValue] = member.nik.status.kind == .missing ? [] : member.nik.text.map { [identifier("NIK", $0)] } ?? []
            var demographic: [(String, JSONValue)] = [
                ("@type", .string("SRPerson")),
                ("identifier", .array(identifiers)),
                ("name", .object([("@type", .string("Name")), ("given_name", .string(member.name))])),
                ("sex", .string(member.sex == .male ? "male" : "female")),
            ]
            if let birth = member.birthDate { demographic.append(("birth_date", .string(birth.description))) }
            var fields: [(String, JSONValue)] = [
                ("@type", .string("Member")),
                ("member_identifier", .array(identifiers)),
                ("demographic_info", .object(demographic)),
                ("is_disabled", .bool(member.disability != nil)),
            ]
            if let marital = member.maritalStatus { fields.append(("marital_status", .string(marital.name))) }
            fields.append(("additional_attributes", .array([.object([("hubungan", .string(member.relation.name))])] + group)))
            return .object(fields)
        }

        /// The address as it was built before it was written in place: the non-empty parts joined.
        static func address(_ household: Household) -> String {
            var parts = [household.alamat]
            if let rt = household.rt { parts.append("RT \(rt)") }
            if let rw = household.rw { parts.append("RW \(rw)") }
            var region: KodeWilayah? = household.wilayah
            while let current = region {
                if let name = current.name { parts.append(name) }
                region = current.level == .provinsi ? nil : current.parent
            }
            return parts.filter { !$0.isEmpty }.joined(separator: ", ")
        }

        static func identifier(_ type: String, _ value: String) -> JSONValue {
            .object([("@type", .string("Identifier")), ("identifier_type", .string(type)), ("identifier_value", .string(value))])
        }
    }

    /// Desa of several kecamatan (their names go into the address), and one without a name.
    static let desa = ["32.16.01.2001", "32.16.02.2003", "32.16.14.1001", "32.16.23.2010", "31.71.01.1001", "32.16.99.2999"]

    static func households(seed: UInt64, count: Int) -> [Household] {
        var generator = HouseholdGenerator(seed: seed)
        return (0..<count).map { _ in
            var household = generator.household()
            household.wilayah = (try? KodeWilayah(generator.pick(desa))) ?? household.wilayah
            // Addresses with parts missing, and with escapes, control characters and non-ASCII.
            if generator.chance(15) { household.alamat = "" }
            if generator.chance(15) { household.rt = nil }
            if generator.chance(15) { household.rw = nil }
            if generator.chance(15) { household.alamat = "Jl. \"Mawar\" \\ 3\n\t\u{1}\u{1F}\u{7F} Gang Ñ 🌾" }
            if generator.chance(30) { household.sourceID = try? SourceID("SRC-\(generator.int(1...99_999))") }
            if generator.chance(40) {
                household.desilVersion = DesilVersion(try! CalendarDate(year: generator.int(2020...2027), month: generator.int(1...12), day: generator.int(1...28)))
            }
            return household
        }
    }

    @Test func groupRecordsEqualTheTreeModel() throws {
        for seed: UInt64 in [1, 2, 3, 0x4443_49] {
            let households = Self.households(seed: seed, count: 300)
            // One at a time, and as one page.
            for household in households {
                #expect(DCIGroup.records([household]).bytes == JSONValue.array([TreeModel.record(household)]).bytes, "seed \(seed)")
            }
            #expect(DCIGroup.records(households).bytes == JSONValue.array(households.map(TreeModel.record)).bytes, "seed \(seed)")
            #expect(DCIGroup.records([Household]()).bytes == Array("[]".utf8))
        }
    }

    @Test func memberRecordsEqualTheTreeModel() throws {
        for seed: UInt64 in [5, 6, 0x4D45_4D] {
            let items = Self.households(seed: seed, count: 200).flatMap { household in
                household.members.indices.map { HouseholdMember(household: household, index: $0) }
            }
            #expect(!items.isEmpty)
            #expect(DCIGroup.records(items).bytes == JSONValue.array(items.map(TreeModel.record)).bytes, "seed \(seed)")
        }
    }
}
