import Foundation

/// A household (keluarga / rumah tangga) in the register, with its members.
///
/// ```swift
/// var household = Household(nomorKK: try NomorKK("3216010101200001"),
///                           wilayah: try KodeWilayah("32.16.01.2001"),
///                           alamat: "Jl. Melati 3", status: .usulan, members: [head])
/// household.programs = [.pkh, .bpnt]
/// let id = try store.write { tx in try tx.put(household) }
/// ```
public struct Household: Hashable, Sendable {
    /// Assigned by the store on first insert; nil for a household not stored yet.
    public var id: HouseholdID?
    public var nomorKK: NomorKK
    /// The desa/kelurahan the household lives in.
    public var wilayah: KodeWilayah
    public var alamat: String
    public var rt: Int?
    public var rw: Int?
    public var status: HouseholdStatus
    /// Desil kesejahteraan, 1 (poorest tenth) to 10.
    public var desil: Int?
    public var programs: Set<Program>
    /// Socio-economic answers (floor, walls, roof, water, lighting, assets, …).
    public var attributes: Attributes
    public var members: [Member]
    /// Set by the store on every write.
    public var updatedAt: Date?

    public init(
        id: HouseholdID? = nil, nomorKK: NomorKK, wilayah: KodeWilayah, alamat: String,
        rt: Int? = nil, rw: Int? = nil, status: HouseholdStatus = .usulan, desil: Int? = nil,
        programs: Set<Program> = [], attributes: Attributes = [:], members: [Member],
        updatedAt: Date? = nil
    ) {
        self.id = id
        self.nomorKK = nomorKK
        self.wilayah = wilayah
        self.alamat = alamat
        self.rt = rt
        self.rw = rw
        self.status = status
        self.desil = desil
        self.programs = programs
        self.attributes = attributes
        self.members = members
        self.updatedAt = updatedAt
    }

    /// The head of household (kepala keluarga).
    public var head: Member? { members.first { $0.relation == .kepalaKeluarga } }

    /// The valid NIKs of the members, in member order.
    public var validNIKs: [NIK] { members.compactMap(\.nik.nik) }

    /// The maximum number of members one household may hold.
    public static let maxMembers = 60

    /// Checks every field and rule a stored household obeys; returns the household as it is stored
    /// (flagged NIKs marked when the policy keeps them).
    public func validated(policy: NIKPolicy) throws -> Household {
        var copy = self
        do {
            guard wilayah.level == .desa else {
                throw LumbungError(
                    .wilayahLevel, field: "kode_wilayah", value: wilayah.dotted,
                    rule: "a household's wilayah is a desa/kelurahan code (PP.KK.CC.DDDD)")
            }
            if let desil, !(1...10).contains(desil) {
                throw LumbungError(.householdDesil, field: "desil", value: String(desil), rule: "desil is 1 to 10")
            }
            guard alamat.utf8.count <= 500 else {
                throw LumbungError(
                    .householdInvalid, field: "alamat", value: String(alamat.prefix(40)) + "…",
                    rule: "an address is at most 500 bytes")
            }
            for (field, value) in [("rt", rt), ("rw", rw)] {
                if let value, !(0...999).contains(value) {
                    throw LumbungError(.householdInvalid, field: field, value: String(value), rule: "\(field.uppercased()) is 0 to 999")
                }
            }
            try attributes.validate(field: "atribut")
            guard !members.isEmpty else {
                throw LumbungError(.householdNoMembers, field: "anggota", rule: "a household has at least one member")
            }
            guard members.count <= Household.maxMembers else {
                throw LumbungError(
                    .householdTooLarge, field: "anggota", value: String(members.count),
                    rule: "a household has at most \(Household.maxMembers) members")
            }
            let heads = members.indices.filter { members[$0].relation == .kepalaKeluarga }
            if heads.isEmpty {
                throw LumbungError(.householdNoHead, field: "anggota", rule: "exactly one member is the kepala_keluarga; none is")
            }
            if heads.count > 1 {
                throw LumbungError(
                    .householdManyHeads, field: "anggota", value: heads.map { "anggota[\($0)]" }.joined(separator: ", "),
                    rule: "exactly one member is the kepala_keluarga; \(heads.count) are")
            }
            var seen: [NIK: Int] = [:]
            for index in copy.members.indices {
                do {
                    // Written back only when it changed: writing would copy the members array.
                    if let changed = try members[index].validated(policy: policy) { copy.members[index] = changed }
                } catch let error as LumbungError {
                    throw error.prefixed(by: "anggota[\(index)]")
                }
                if let nik = copy.members[index].nik.nik {
                    if let first = seen[nik] {
                        throw LumbungError(
                            .nikDuplicate, field: "anggota[\(index)].nik", value: nik.masked,
                            rule: "the NIK is already anggota[\(first)] of this household")
                    }
                    seen[nik] = index
                }
            }
        } catch let error as LumbungError {
            throw error.about(id)
        }
        return copy
    }
}
