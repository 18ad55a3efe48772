/// What a match answers of a household: its id, KK number, wilayah, status, desil and
/// programs, read from the head of its record without decoding the members.
///
/// ```swift
/// let outline = try store.read { tx in try tx.outline(id: 7) }
/// print(outline?.wilayah.dotted ?? "-")
/// ```
public struct HouseholdOutline: Sendable, Hashable {
    public var id: HouseholdID
    public var nomorKK: NomorKK
    public var wilayah: KodeWilayah
    public var status: HouseholdStatus
    public var desil: Int?
    public var programs: Set<Program>

    public init(
        id: HouseholdID, nomorKK: NomorKK, wilayah: KodeWilayah, status: HouseholdStatus, desil: Int?,
        programs: Set<Program>
    ) {
        self.id = id
        self.nomorKK = nomorKK
        self.wilayah = wilayah
        self.status = status
        self.desil = desil
        self.programs = programs
    }

    /// The outline of a stored household (its id set).
    public init?(_ household: Household) {
        guard let id = household.id else { return nil }
        self.init(
            id: id, nomorKK: household.nomorKK, wilayah: household.wilayah, status: household.status,
            desil: household.desil, programs: household.programs)
    }
}
