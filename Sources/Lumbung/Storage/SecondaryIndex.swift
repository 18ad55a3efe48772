import CLMDB

/// The ordered secondary indexes. Each maps (dimension value, desa) to (id, summary) entries.
enum SecondaryIndex: UInt8, CaseIterable, CustomStringConvertible {
    case wilayah = 1, status, program, desil, flagged

    var description: String {
        switch self {
        case .wilayah: "wilayah"
        case .status: "status"
        case .program: "program"
        case .desil: "desil"
        case .flagged: "flagged-NIK"
        }
    }

    /// Every (index, key, entry) a household puts in the secondary indexes, in a fixed order.
    static func entries(_ household: Household) -> [(SecondaryIndex, [UInt8], [UInt8])] {
        let summary = IndexSummary(household)
        let entry = Keys.entry(household.id!, nil)
        let desa = household.wilayah.packed
        var entries: [(SecondaryIndex, [UInt8], [UInt8])] = [
            (.wilayah, Keys.secondaryKey(prefix: nil, desa: desa), Keys.entry(household.id!, summary)),
            (.status, Keys.secondaryKey(prefix: summary.status, desa: desa), entry),
        ]
        for program in household.programs.sorted() {
            entries.append((.program, Keys.secondaryKey(prefix: program.rawValue, desa: desa), entry))
        }
        if let desil = household.desil {
            entries.append((.desil, Keys.secondaryKey(prefix: UInt8(desil), desa: desa), entry))
        }
        if summary.hasInvalidNIK { entries.append((.flagged, Keys.secondaryKey(prefix: 1, desa: desa), entry)) }
        if summary.hasMissingNIK { entries.append((.flagged, Keys.secondaryKey(prefix: 2, desa: desa), entry)) }
        return entries
    }
}

extension Environment.Databases {
    subscript(index: SecondaryIndex) -> MDB_dbi {
        switch index {
        case .wilayah: wilayah
        case .status: status
        case .program: program
        case .desil: desil
        case .flagged: flagged
        }
    }
}
