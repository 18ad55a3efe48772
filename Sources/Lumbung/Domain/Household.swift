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
    /// The household's id in the register it came from (ID DTKS, IDSEN, …); unique in the store.
    public var sourceID: SourceID?
    /// The desa/kelurahan the household lives in.
    public var wilayah: KodeWilayah
    public var alamat: String
    public var rt: Int?
    public var rw: Int?
    public var status: HouseholdStatus
    /// Desil kesejahteraan, 1 (poorest tenth) to 10.
    public var desil: Int?
    /// The ranking ``desil`` came from (nil: typed, or no desil). See ``DesilVersion``.
    public var desilVersion: DesilVersion?
    public var programs: Set<Program>
    /// Socio-economic answers (floor, walls, roof, water, lighting, assets, …).
    public var attributes: Attributes
    public var members: [Member]
    /// Set by the store on every write.
    public var updatedAt: Date?

    public init(
        id: HouseholdID? = nil, nomorKK: NomorKK, wilayah: KodeWilayah, alamat: String,
        rt: Int? = nil, rw: Int? = nil, status: HouseholdStatus = .usulan, desil: Int? = nil,
        desilVersion: DesilVersion? = nil, programs: Set<Program> = [], attributes: Attributes = [:], members: [Member],
        updatedAt: Date? = nil, sourceID: SourceID? = nil
    ) {
        self.id = id
        self.nomorKK = nomorKK
        self.wilayah = wilayah
        self.alamat = alamat
        self.rt = rt
        self.rw = rw
        self.status = status
        self.desil = desil
        self.desilVersion = desilVersion
        self.programs = programs
        self.attributes = attributes
        self.members = members
        self.updatedAt = updatedAt
        self.sourceID = sourceID
    }

    /// The head of household (kepala keluarga).
    public var head: Member? { members.first { $0.relation == .kepalaKeluarga } }

    /// The positions of the members who are the kepala keluarga (exactly one in a valid household).
    public var headIndices: [Int] { members.indices.filter { members[$0].relation == .kepalaKeluarga } }

    /// The valid NIKs of the members, in member order.
    public var validNIKs: [NIK] { members.compactMap(\.nik.nik) }
}

extension Household {
    /// Whether writing this household over `stored` changes nothing: the same id and content,
    /// the update time aside. The one rule for "unchanged", used by writes and dry runs.
    ///
    /// ```swift
    /// var copy = stored; copy.updatedAt = nil
    /// copy.isUnchanged(from: stored)   // true
    /// ```
    public func isUnchanged(from stored: Household) -> Bool {
        var old = stored
        var new = self
        old.updatedAt = nil
        new.updatedAt = nil
        return old == new
    }
}
