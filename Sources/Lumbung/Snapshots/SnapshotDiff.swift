import CLMDB
import Foundation

/// One side of a diff: a snapshot, or the live store.
public enum DiffSide: Sendable, Hashable, CustomStringConvertible {
    case snapshot(SnapshotName)
    case live

    /// `live` or a snapshot name.
    public init(_ text: String) throws {
        self = text == "live" ? .live : .snapshot(try SnapshotName(text))
    }

    public var description: String {
        switch self {
        case .live: "live"
        case .snapshot(let name): name.text
        }
    }
}

/// What changed between two states of the register: households added, removed and changed,
/// members added and removed, and each changed field, with a summary per wilayah.
///
/// ```swift
/// let diff = try store.snapshots.diff(from: .snapshot(try SnapshotName("2026-10")), to: .live)
/// for region in diff.regions(at: .kabupaten) { print(region.wilayah?.name ?? "-", region.removed) }
/// ```
public struct SnapshotDiff: Sendable {
    public enum Kind: String, Sendable, Hashable {
        case added, removed, changed
    }

    /// One field of one household (or of one of its members) that differs.
    public struct FieldChange: Sendable, Hashable {
        /// The JSON field name; a member's fields are `anggota[KEY].field`, KEY being the
        /// member's NIK as written, else `nama/tanggal_lahir`.
        public let field: String
        public let before: String?
        public let after: String?
    }

    /// One household that differs.
    public struct HouseholdChange: Sendable, Hashable {
        public let id: HouseholdID
        public let kind: Kind
        /// Where the household is after the change (before, for a removed one).
        public let wilayah: KodeWilayah
        public var fields: [FieldChange] = []
        /// Member keys (NIK as written, else name/birth date).
        public var membersAdded: [String] = []
        public var membersRemoved: [String] = []
    }

    /// Totals for one region.
    public struct RegionSummary: Sendable, Hashable {
        public let wilayah: KodeWilayah?
        public var added = 0
        public var removed = 0
        public var changed = 0
        public var membersAdded = 0
        public var membersRemoved = 0
    }

    public let from: DiffSide
    public let to: DiffSide
    /// Every differing household, by id.
    public private(set) var changes: [HouseholdChange] = []
    /// Households compared (the union of both sides).
    public private(set) var householdsCompared = 0

    public var added: Int { changes.count { $0.kind == .added } }
    public var removed: Int { changes.count { $0.kind == .removed } }
    public var changed: Int { changes.count { $0.kind == .changed } }
    public var membersAdded: Int { changes.reduce(0) { $0 + $1.membersAdded.count } }
    public var membersRemoved: Int { changes.reduce(0) { $0 + $1.membersRemoved.count } }

    /// How many changed households changed each field (member fields as `anggota.field`).
    public var fieldCounts: [String: Int] {
        var counts: [String: Int] = [:]
        for change in changes where change.kind == .changed {
            var seen = Set<String>()
            for field in change.fields {
                var name = field.field
                if name.hasPrefix("anggota["), let close = name.firstIndex(of: "]") {
                    name = "anggota" + name[name.index(after: close)...]
                }
                if seen.insert(name).inserted { counts[name, default: 0] += 1 }
            }
        }
        return counts
    }

    /// Totals per region at `level`, regions in code order (nil level: one national row).
    ///
    /// With a `scope`, only the changes it permits count, and a region above the scope is
    /// capped at the scope (it would otherwise sum households outside it).
    public func regions(at level: KodeWilayah.Level?, within scope: AccessScope = .everything) -> [RegionSummary] {
        var byRegion: [KodeWilayah?: RegionSummary] = [:]
        for change in changes where scope.permits(change.wilayah) {
            var region = level.flatMap { change.wilayah.ancestor(at: $0) }
            if let scope = scope.wilayah, region.map({ !scope.contains($0) }) ?? true { region = scope }
            var summary = byRegion[region] ?? RegionSummary(wilayah: region)
            switch change.kind {
            case .added: summary.added += 1
            case .removed: summary.removed += 1
            case .changed: summary.changed += 1
            }
            summary.membersAdded += change.membersAdded.count
            summary.membersRemoved += change.membersRemoved.count
            byRegion[region] = summary
        }
        return byRegion.values.sorted { ($0.wilayah?.packed ?? 0) < ($1.wilayah?.packed ?? 0) }
    }

    // MARK: Computing

    init(from: DiffSide, to: DiffSide) {
        self.from = from
        self.to = to
    }

    /// Walks both record databases in id order (a merge join), comparing stored bytes and
    /// decoding only the records that differ.
    mutating func compare(_ old: ReadTransaction, _ new: ReadTransaction) throws {
        let a = try old.txn.cursor(old.dbs.records)
        let b = try new.txn.cursor(new.dbs.records)
        var hasA = try a.move(MDB_FIRST), hasB = try b.move(MDB_FIRST)
        while hasA || hasB {
            householdsCompared += 1
            let idA = hasA ? Keys.read(a.keyBytes, width: Keys.idWidth) : .max
            let idB = hasB ? Keys.read(b.keyBytes, width: Keys.idWidth) : .max
            if idA < idB {
                let household = try old.decode(a.valueBytes, id: HouseholdID(rawValue: idA))
                var change = HouseholdChange(id: HouseholdID(rawValue: idA), kind: .removed, wilayah: household.wilayah)
                change.membersRemoved = household.members.map(Self.memberKey)
                changes.append(change)
                hasA = try a.move(MDB_NEXT)
            } else if idB < idA {
                let household = try new.decode(b.valueBytes, id: HouseholdID(rawValue: idB))
                var change = HouseholdChange(id: HouseholdID(rawValue: idB), kind: .added, wilayah: household.wilayah)
                change.membersAdded = household.members.map(Self.memberKey)
                changes.append(change)
                hasB = try b.move(MDB_NEXT)
            } else {
                let valueA = a.valueBytes, valueB = b.valueBytes
                if valueA.count != valueB.count || !valueA.elementsEqual(valueB) {
                    let id = HouseholdID(rawValue: idA)
                    if let change = Self.compare(try old.decode(valueA, id: id), try new.decode(valueB, id: id), id: id) {
                        changes.append(change)
                    }
                }
                hasA = try a.move(MDB_NEXT)
                hasB = try b.move(MDB_NEXT)
            }
        }
    }

    /// The field-by-field difference of two versions of a household; nil when only the
    /// bookkeeping (`diperbarui`) differs.
    static func compare(_ old: Household, _ new: Household, id: HouseholdID) -> HouseholdChange? {
        var change = HouseholdChange(id: id, kind: .changed, wilayah: new.wilayah)
        func field(_ name: String, _ before: String?, _ after: String?) {
            if before != after { change.fields.append(FieldChange(field: name, before: before, after: after)) }
        }
        field("nomor_kk", old.nomorKK.text, new.nomorKK.text)
        field("id_sumber", old.sourceID?.text, new.sourceID?.text)
        field("kode_wilayah", old.wilayah.dotted, new.wilayah.dotted)
        field("alamat", old.alamat, new.alamat)
        field("rt", old.rt.map(String.init), new.rt.map(String.init))
        field("rw", old.rw.map(String.init), new.rw.map(String.init))
        field("status", old.status.description, new.status.description)
        field("desil", old.desil.map(String.init), new.desil.map(String.init))
        field(DesilVersion.field, old.desilVersion?.description, new.desilVersion?.description)
        field("program", programs(old.programs), programs(new.programs))
        attributes("atribut", old.attributes, new.attributes, into: &change.fields)

        let oldMembers = Dictionary(old.members.map { (memberKey($0), $0) }, uniquingKeysWith: { a, _ in a })
        let newMembers = Dictionary(new.members.map { (memberKey($0), $0) }, uniquingKeysWith: { a, _ in a })
        change.membersRemoved = old.members.map(memberKey).filter { newMembers[$0] == nil }
        change.membersAdded = new.members.map(memberKey).filter { oldMembers[$0] == nil }
        for member in new.members {
            let key = memberKey(member)
            guard let before = oldMembers[key], before != member else { continue }
            let prefix = "anggota[\(key)]."
            field(prefix + "status_nik", before.nik.status.description, member.nik.status.description)
            field(prefix + "nama", before.name, member.name)
            field(prefix + "jenis_kelamin", before.sex.letter, member.sex.letter)
            field(prefix + "tanggal_lahir", before.birthDate?.description, member.birthDate?.description)
            field(prefix + "hubungan", before.relation.name, member.relation.name)
            field(prefix + "keberadaan", before.presence.name, member.presence.name)
            field(prefix + "status_kawin", before.maritalStatus?.name, member.maritalStatus?.name)
            field(prefix + "pendidikan", before.education?.name, member.education?.name)
            field(prefix + "pekerjaan", before.occupation, member.occupation)
            field(prefix + "disabilitas", before.disability?.name, member.disability?.name)
            field(prefix + DukcapilResult.statusField, before.dukcapilName, member.dukcapilName)
            field(prefix + DukcapilResult.reasonField, before.dukcapil?.reason, member.dukcapil?.reason)
            attributes(prefix + "atribut", before.attributes, member.attributes, into: &change.fields)
        }
        if change.fields.isEmpty && change.membersAdded.isEmpty && change.membersRemoved.isEmpty {
            // Same members in another order is a change too.
            guard old.members.map(memberKey) != new.members.map(memberKey) else { return nil }
            change.fields.append(FieldChange(field: "anggota", before: "order changed", after: nil))
        }
        return change
    }

    private static func programs(_ set: Set<Program>) -> String {
        set.sorted().map(\.name).joined(separator: ",")
    }

    private static func attributes(_ prefix: String, _ old: Attributes, _ new: Attributes, into fields: inout [FieldChange]) {
        let codes = Set(old.codes).union(new.codes).sorted()
        for code in codes {
            let before = old[code]?.description, after = new[code]?.description
            if before != after { fields.append(FieldChange(field: "\(prefix).\(code)", before: before, after: after)) }
        }
    }

    /// A member's identity across versions: the NIK as written, else name and birth date.
    static func memberKey(_ member: Member) -> String {
        // A placeholder is shared by many members, so it keys none: the name and birth date do.
        if member.nik.status.kind != .missing, let text = member.nik.text, !text.isEmpty { return text }
        return member.name + "/" + (member.birthDate?.description ?? "-")
    }
}

extension Snapshots {
    /// Compares two states of the store: two snapshots, or a snapshot and the live store
    /// (`from` is the older state). The live store is read in one read transaction.
    public func diff(from: DiffSide, to: DiffSide) throws -> SnapshotDiff {
        var diff = SnapshotDiff(from: from, to: to)
        try withSide(from) { old in
            try withSide(to) { new in
                try old.read { a in
                    try new.read { b in try diff.compare(a, b) }
                }
            }
        }
        return diff
    }

    private func withSide(_ side: DiffSide, _ body: (Store) throws -> Void) throws {
        switch side {
        case .snapshot(let name):
            try open(name, body)
        case .live:
            try body(try store ?? Store(path: storePath, options: .readOnly))
        }
    }
}
