import Foundation

/// What applying a request does to the register: the households it writes and deletes,
/// computed from the stored households. The preview shows it; the apply writes it, in one
/// write transaction, through the store's one write path.
///
/// ```swift
/// let preview = try store.read { tx in try tx.preview(id, for: actor) }
/// preview.after.first?.status     // .tidakLayak(.pindah)
/// preview.diff                    // ["status: ditetapkan → tidak_layak:pindah"]
/// ```
public struct RequestPreview: Sendable {
    /// The households as they are (nil: a household the request creates).
    public let before: [Household?]
    /// The households as they would be (nil: a household the request deletes).
    public let after: [Household?]

    /// One line a changed field, household by household.
    public var diff: [String] {
        var lines: [String] = []
        for (old, new) in zip(before, after) {
            let label = (new?.id ?? old?.id).map { "household \($0)" } ?? "new household"
            switch (old, new) {
            case (nil, let new?): lines.append("\(label): created (KK \(new.nomorKK.masked), \(new.members.count) members, status \(new.status))")
            case (let old?, nil): lines.append("\(label): deleted (KK \(old.nomorKK.masked))")
            case (let old?, let new?): lines.append(contentsOf: Self.fieldChanges(old, new).map { "\(label): \($0)" })
            case (nil, nil): break
            }
        }
        return lines
    }

    static func fieldChanges(_ old: Household, _ new: Household) -> [String] {
        var lines: [String] = []
        func compare<T: Equatable>(_ name: String, _ a: T, _ b: T, _ show: (T) -> String) {
            if a != b { lines.append("\(name): \(show(a)) → \(show(b))") }
        }
        compare("nomor_kk", old.nomorKK, new.nomorKK) { $0.masked }
        compare("kode_wilayah", old.wilayah, new.wilayah) { $0.dotted }
        compare("alamat", old.alamat, new.alamat) { $0 }
        compare("rt", old.rt, new.rt) { $0.map(String.init) ?? "-" }
        compare("rw", old.rw, new.rw) { $0.map(String.init) ?? "-" }
        compare("status", old.status, new.status) { $0.description }
        compare("desil", old.desil, new.desil) { $0.map(String.init) ?? "-" }
        compare("program", old.programs, new.programs) { $0.map(\.description).sorted().joined(separator: ",") }
        compare("atribut", old.attributes, new.attributes) { "\($0.count) answers" }
        let oldByNIK = Dictionary(old.members.map { ($0.nik, $0) }, uniquingKeysWith: { a, _ in a })
        let newByNIK = Dictionary(new.members.map { ($0.nik, $0) }, uniquingKeysWith: { a, _ in a })
        for member in old.members where newByNIK[member.nik] == nil { lines.append("anggota \(member.nik.masked): removed") }
        for member in new.members {
            guard let was = oldByNIK[member.nik] else { lines.append("anggota \(member.nik.masked): added"); continue }
            if was != member { lines.append("anggota \(member.nik.masked): changed" + (was.relation != member.relation ? " (hubungan)" : "")) }
        }
        return lines
    }
}

/// The register writes of one request (``RequestPreview`` before/after pairs, in write order).
enum RequestEffect {
    /// `(old, new)` pairs: insert (old nil), replace, delete (new nil). Every new household is
    /// validated; the request's type decides the status (``RequestType/statusOnApply``).
    static func writes(_ request: ChangeRequest, in tx: ReadTransaction) throws -> [(old: Household?, new: Household?)] {
        func invalid(_ field: String, _ value: String?, _ rule: String) -> LumbungError {
            LumbungError(.workflowInvalid, field: field, value: value, rule: "\(rule) (request \(request.id), \(request.type))")
        }
        func stored(_ id: HouseholdID, field: String) throws -> Household {
            guard let household = try tx.household(id: id) else {
                throw LumbungError(.householdNotFound, field: field, value: id.description, rule: "no household has this id (request \(request.id))", householdID: id)
            }
            return household
        }
        func memberIndex(_ household: Household, _ nik: NIK) throws -> Int {
            guard let index = household.members.firstIndex(where: { $0.nik.nik == nik }) else {
                throw invalid("nik", nik.masked, "no member of household \(household.id!) has this NIK")
            }
            return index
        }
        var pairs: [(old: Household?, new: Household?)] = []
        var household: Household?
        // A submitted `baru` has stored its household (its steps show on it).
        if request.type.needsHousehold || request.householdID != nil {
            guard let id = request.householdID else { throw invalid("rumah_tangga_id", nil, "the request names no household") }
            household = try stored(id, field: "rumah_tangga_id")
        }
        var new = household
        switch request.change {
        case .household(var proposed):
            // A `baru` household stored by its submission is the proposal: the apply sets its
            // status (below), keeping what admin imports (desil, Dukcapil) wrote to it since.
            if request.type.proposesHousehold, household != nil { break }
            if let household {
                // An `ubah` proposes data, never a status; a household changed since is stale.
                if let base = request.baseTime, let time = household.updatedAt, Timestamp(time) != base {
                    throw LumbungError(.workflowConflict, field: "diperbarui", value: Timestamp(time).description,
                                       rule: "the household changed after request \(request.id) was made (\(base)); make a new request", householdID: household.id)
                }
                proposed.status = household.status
                proposed.updatedAt = household.updatedAt
            }
            new = proposed
        case .addMember(let member):
            new!.members.append(member)
        case .removeMember(let nik, _):
            new!.members.remove(at: try memberIndex(household!, nik))
        case .moveMember(let nik, let to):
            var destination = try stored(to, field: "tujuan")
            guard to != household!.id else { throw invalid("tujuan", to.description, "the member is already in this household") }
            let member = new!.members.remove(at: try memberIndex(household!, nik))
            var moved = member
            moved.relation = member.relation == .kepalaKeluarga ? .lainnya : member.relation
            let original = destination
            destination.members.append(moved)
            pairs.append((household, new))
            pairs.append((original, destination))
            return try validated(pairs, request)
        case .changeHead(let nik):
            let index = try memberIndex(household!, nik)
            for position in new!.members.indices where new!.members[position].relation == .kepalaKeluarga {
                new!.members[position].relation = .lainnya
            }
            new!.members[index].relation = .kepalaKeluarga
        case .split(let niks, let nomorKK):
            guard !niks.isEmpty else { throw invalid("nik", nil, "a split names at least one member") }
            var leaving: [Member] = []
            for nik in niks {
                let index = try memberIndex(new!, nik)
                leaving.append(new!.members.remove(at: index))
            }
            for position in leaving.indices { leaving[position].relation = position == 0 ? .kepalaKeluarga : (leaving[position].relation == .kepalaKeluarga ? .lainnya : leaving[position].relation) }
            let split = Household(nomorKK: nomorKK, wilayah: household!.wilayah, alamat: household!.alamat, rt: household!.rt, rw: household!.rw,
                                  status: household!.status, members: leaving)
            pairs.append((household, new))
            pairs.append((nil, split))
            return try validated(pairs, request)
        case .merge(let absorbedID):
            guard absorbedID != household!.id else { throw invalid("gabung", absorbedID.description, "a household cannot merge with itself") }
            let absorbed = try stored(absorbedID, field: "gabung")
            for var member in absorbed.members {
                if member.relation == .kepalaKeluarga { member.relation = .familiLain }
                new!.members.append(member)
            }
            // The absorbed household goes first, so its NIKs are free when the survivor takes them.
            pairs.append((absorbed, nil))
            pairs.append((household, new))
            return try validated(pairs, request)
        case .notEligible(let reason):
            if case .tidakLayak = household!.status { throw invalid("status", household!.status.description, "the household is already tidak_layak") }
            new!.status = .tidakLayak(reason)
        case .reProposal:
            // Submitted, its household shows the proposal's steps (the reason is in the request).
            guard request.priorReason != nil || household!.status.reason != nil else {
                throw invalid("status", household!.status.description, "a re-proposal is for a tidak_layak household")
            }
        case .correctIdentity(let from, let to, let nomorKK):
            guard from != nil || nomorKK != nil, (from == nil) == (to == nil) else {
                throw invalid("koreksi", nil, "a correction names a NIK and its replacement, a new KK number, or both")
            }
            if let from, let to {
                let index = try memberIndex(household!, from)
                new!.members[index].nik = .valid(to)
                new!.members[index].dukcapil = nil
            }
            if let nomorKK { new!.nomorKK = nomorKK }
        }
        switch request.type.statusOnApply {
        case .keep: break
        case .set(let status): new!.status = status
        case .tidakLayak: break
        }
        pairs.append((household, new))
        return try validated(pairs, request)
    }

    private static func validated(_ pairs: [(old: Household?, new: Household?)], _ request: ChangeRequest) throws -> [(old: Household?, new: Household?)] {
        try pairs.map { pair in
            guard let new = pair.new else { return pair }
            do {
                return (pair.old, try new.validated(policy: .keepFlagged))
            } catch let error as LumbungError {
                var error = error
                error.rule += " (request \(request.id), \(request.type))"
                throw error
            }
        }
    }
}
