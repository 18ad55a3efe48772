import Foundation
import Lumbung

/// Writes households as flat rows: one row per member, the household's columns repeated on each.
///
/// The attribute columns are fixed up front, so a streaming export can take the codes of the first
/// households (``init(codesOf:)``) or a caller's list; a household holding a code outside the set
/// is refused (`row.attributeNotExported`) rather than silently cut.
///
/// ```swift
/// let encoder = FlatRowEncoder(attributeCodes: ["lantai", "luas_lantai"], memberAttributeCodes: [])
/// var rows = [encoder.header]
/// for household in households { rows += try encoder.rows(for: household) }
/// ```
/// Values: NIK and Nomor KK as 16 digits (an invalid NIK or a placeholder as written, a missing
/// one empty), dates
/// `YYYY-MM-DD`, coded member fields by name (`kepala_keluarga`), programs joined by `|`,
/// attributes as ``FlatCells/attribute(_:)`` writes them. The header is ``ColumnMapping/lumbungDefault``'s.
public struct FlatRowEncoder: Sendable {
    public let attributeCodes: [String]
    public let memberAttributeCodes: [String]
    /// The columns, in order.
    public let fields: [FlatField]

    public init(attributeCodes: some Sequence<String> = [String](), memberAttributeCodes: some Sequence<String> = [String]()) {
        self.attributeCodes = Array(Set(attributeCodes)).sorted()
        self.memberAttributeCodes = Array(Set(memberAttributeCodes)).sorted()
        fields = FlatField.householdFields + self.attributeCodes.map { .attribute($0) } + FlatField.memberFields
            + self.memberAttributeCodes.map { .memberAttribute($0) }
    }

    /// An encoder for every attribute code the given households use (e.g. the first 1,000 of an export).
    public init(codesOf households: some Sequence<Household>) {
        var codes: Set<String> = [], memberCodes: Set<String> = []
        for household in households {
            codes.formUnion(household.attributes.codes)
            for member in household.members { memberCodes.formUnion(member.attributes.codes) }
        }
        self.init(attributeCodes: codes, memberAttributeCodes: memberCodes)
    }

    /// The header row: the Lumbung field names.
    public var header: [String] { fields.map(\.name) }

    /// The household's rows, one per member, in member order.
    /// - Throws: ``LumbungError`` `row.attributeNotExported` for an attribute code outside the set,
    ///   `household.noMembers` for a household without members (it would have no row).
    public func rows(for household: Household) throws -> [[String]] {
        guard !household.members.isEmpty else {
            throw LumbungError(
                .householdNoMembers, field: "anggota", rule: "a household without members has no row in a flat file",
                householdID: household.id)
        }
        let known = Set(attributeCodes), knownMember = Set(memberAttributeCodes)
        for code in household.attributes.codes where !known.contains(code) {
            throw LumbungError(
                .rowAttributeNotExported, field: "atribut.\(code)", value: code,
                rule: "the export's attribute columns do not include this code; pass it in attributeCodes",
                householdID: household.id)
        }
        for member in household.members {
            for code in member.attributes.codes where !knownMember.contains(code) {
                throw LumbungError(
                    .rowAttributeNotExported, field: "anggota.atribut.\(code)", value: code,
                    rule: "the export's member attribute columns do not include this code; pass it in memberAttributeCodes",
                    householdID: household.id)
            }
        }
        let shared = householdCells(household)
        return household.members.map { member in
            var row = shared
            row.reserveCapacity(fields.count)
            row.append(member.nik.text ?? "")
            row.append(member.name)
            row.append(member.sex.letter)
            row.append(member.birthDate?.description ?? "")
            row.append(member.relation.name)
            row.append(member.presence.name)
            row.append(member.maritalStatus?.name ?? "")
            row.append(member.education?.name ?? "")
            row.append(member.occupation ?? "")
            row.append(member.disability?.name ?? "")
            row.append(member.dukcapil?.status.name ?? "")
            row.append(member.dukcapil?.reason ?? "")
            for code in memberAttributeCodes {
                row.append(member.attributes[code].map(FlatCells.attribute) ?? "")
            }
            return row
        }
    }

    private func householdCells(_ household: Household) -> [String] {
        var row: [String] = []
        row.reserveCapacity(fields.count)
        row.append(household.id.map { String($0.rawValue) } ?? "")
        row.append(household.nomorKK.text)
        row.append(household.sourceID?.text ?? "")
        row.append(household.wilayah.dotted)
        row.append(household.alamat)
        row.append(household.rt.map(String.init) ?? "")
        row.append(household.rw.map(String.init) ?? "")
        row.append(household.status.name)
        row.append(household.status.reason?.name ?? "")
        row.append(household.desil.map(String.init) ?? "")
        row.append(household.desilVersion?.description ?? "")
        row.append(household.programs.sorted().map(\.name).joined(separator: "|"))
        row.append(household.updatedAt.map(FlatCells.timestamp) ?? "")
        for code in attributeCodes {
            row.append(household.attributes[code].map(FlatCells.attribute) ?? "")
        }
        return row
    }
}
