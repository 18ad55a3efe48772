import Foundation
import Lumbung

/// A household as a DCI Social Registry `Group` record, its members as `Member`s (inside the
/// group, or on their own for `response_entity` `Member`).
///
/// The KK number is the group identifier (`identifier_type` `KK`), the store id a second one
/// (`LUMBUNG_ID`), the source register's id a third when the household has one (`SOURCE_ID`,
/// the type an `idtype-value` search takes); NIKs (a placeholder is none) are member identifiers (`NIK`); the desil is the `poverty_score`
/// (`poverty_score_type` `desil`); the kode wilayah, status, programs and each member's
/// relation to the head come as `additional_attributes`.
enum DCIGroup {
    static func record(_ household: Household) -> JSONValue {
        let members = household.members.map { member($0) }
        var fields: [(String, JSONValue)] = [
            ("@type", .string("spdci:Group")),
            ("group_identifier", .array([
                identifier("KK", household.nomorKK.text),
                identifier("LUMBUNG_ID", household.id.map { String($0.rawValue) } ?? ""),
            ] + (household.sourceID.map { [identifier("SOURCE_ID", $0.text)] } ?? []))),
            ("group_type", .string("household")),
            ("place", .object([
                ("@type", .string("Place")),
                ("address", .string(address(household))),
            ])),
            ("poverty_score", household.desil.map { .int($0) } ?? .null),
            ("poverty_score_type", .string("desil")),
            ("group_size", .int(household.members.count)),
        ]
        if let head = household.head { fields.append(("group_head_info", member(head))) }
        fields.append(("member_list", .array(members)))
        if let updated = household.updatedAt {
            fields.append(("last_updated", .time(Timestamp(updated), .seconds)))
        }
        var attributes: [JSONValue] = [
            .object([("kode_wilayah", .string(household.wilayah.dotted))]),
            .object([("status", .string(household.status.description))]),
            .object([("program", .array(household.programs.sorted().map { .string($0.name) }))]),
        ]
        // The ranking the poverty_score (desil) came from, when it came from one.
        if let version = household.desilVersion { attributes.append(.object([(DesilVersion.field, .string(version.description))])) }
        fields.append(("additional_attributes", .array(attributes)))
        return .object(fields)
    }

    /// A member answered on its own (`response_entity` `Member`): the household it belongs to
    /// comes as `additional_attributes` (`nomor_kk`, `lumbung_id`, `kode_wilayah`).
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

    static func identifier(_ type: String, _ value: String) -> JSONValue {
        .object([("@type", .string("Identifier")), ("identifier_type", .string(type)), ("identifier_value", .string(value))])
    }

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
}
