import Foundation
import Testing
@testable import Lumbung

/// Each structural request type applied to the register once (the model walk covers `keluar`,
/// `sanggah`, `usul_ulang`, `ganti_kepala` and `baru`): the households after the apply are the
/// ones the type describes, ids kept, and `check` is clean.
@Suite("Every request type applied")
struct RequestApplyTests {
    @Test func eachStructuralTypeChangesTheRegisterAsItSays() throws {
        let fixture = try WorkflowFixture(seed: 5, count: 40)
        let store = fixture.store
        let admin = fixture.admin
        var fresh = fixture.factory.copy()
        func applied(_ draft: ChangeRequest.Draft) throws -> ChangeRequest {
            try store.write { tx in
                let request = try tx.createRequest(draft, by: admin)
                _ = try tx.transition(request.id, .verify, by: admin)
                _ = try tx.transition(request.id, .approve, by: admin)
                return try tx.transition(request.id, .apply, by: admin)
            }
        }
        func stored(_ id: HouseholdID) throws -> Household { try #require(try fixture.household(id)) }
        /// Households of desa A with a member besides the head, each used once.
        var families = fixture.households.filter { household in
            household.wilayah == fixture.desaA && household.members.contains { $0.relation != .kepalaKeluarga && $0.nik.nik != nil }
        }.map(\.id!)
        try #require(families.count >= 9, "the fixture has families enough")
        func family() throws -> Household { try stored(families.removeFirst()) }
        func nonHead(_ household: Household) -> Member { household.members.first { $0.relation != .kepalaKeluarga && $0.nik.nik != nil }! }
        let kk = fixture.evidence([.kk])

        // ubah: new data, the status kept.
        var changed = try family()
        changed.alamat = "Jl. Kenanga No. 9"
        _ = try applied(.init(type: .ubah, householdID: changed.id, change: .household(changed)))
        #expect(try stored(changed.id!).alamat == "Jl. Kenanga No. 9")
        #expect(try stored(changed.id!).status == changed.status)

        // tambah_anggota: a birth.
        let growing = try family()
        var baby = fresh.member(growing.wilayah, relation: .anak)
        baby.dukcapil = nil
        _ = try applied(.init(type: .tambahAnggota, householdID: growing.id, change: .addMember(baby), evidence: kk))
        #expect(try stored(growing.id!).members.count == growing.members.count + 1)
        #expect(try store.read { tx in try tx.householdID(nik: baby.nik.nik!) } == growing.id)

        // hapus_anggota: a death.
        let mourning = try family()
        let gone = nonHead(mourning)
        _ = try applied(.init(type: .hapusAnggota, householdID: mourning.id, change: .removeMember(nik: gone.nik.nik!, reason: .meninggal),
                              evidence: fixture.evidence([.suratKematian])))
        #expect(try stored(mourning.id!).members.count == mourning.members.count - 1)
        #expect(try store.read { tx in try tx.householdID(nik: gone.nik.nik!) } == nil)

        // pindah_anggota: into another household.
        let leaving = try family(), joining = try family()
        let mover = nonHead(leaving)
        _ = try applied(.init(type: .pindahAnggota, householdID: leaving.id, change: .moveMember(nik: mover.nik.nik!, to: joining.id!)))
        #expect(try stored(leaving.id!).members.count == leaving.members.count - 1)
        #expect(try stored(joining.id!).members.contains { $0.nik == mover.nik && $0.relation == mover.relation })

        // pecah: a member leaves with a KK of its own, as the head of a new household.
        let splitting = try family()
        let founder = nonHead(splitting)
        let newKK = fresh.kk(splitting.wilayah)
        _ = try applied(.init(type: .pecah, householdID: splitting.id, change: .split(niks: [founder.nik.nik!], nomorKK: newKK)))
        let splitID = try #require(try store.read { tx in try tx.householdID(kk: newKK) })
        let split = try stored(splitID)
        #expect(split.members.map(\.nik) == [founder.nik] && split.members[0].relation == .kepalaKeluarga)
        #expect(try stored(splitID).wilayah == splitting.wilayah)
        #expect(try stored(splitting.id!).members.count == splitting.members.count - 1)

        // gabung: the survivor keeps its id and takes the members; the absorbed household is
        // deleted, and both histories stay in the journal.
        let survivor = try family(), absorbed = try family()
        let since = try store.read { tx in try tx.lastSequence() }
        let merge = try applied(.init(type: .gabung, householdID: survivor.id, change: .merge(absorbed: absorbed.id!)))
        #expect(try fixture.household(absorbed.id!) == nil)
        let merged = try stored(survivor.id!)
        #expect(merged.members.count == survivor.members.count + absorbed.members.count)
        #expect(merged.members.filter { $0.relation == .kepalaKeluarga }.count == 1)
        let journal = try store.read { tx in try tx.changes(after: 0, limit: 100_000) }
        #expect(journal.contains { $0.householdID == absorbed.id && $0.sequence <= since && $0.action == .insert }, "the absorbed household's history stays")
        #expect(journal.contains { $0.householdID == absorbed.id && $0.action == .delete && $0.note == "request \(merge.id) gabung" })
        #expect(journal.contains { $0.householdID == survivor.id && $0.action == .update && $0.note == "request \(merge.id) gabung" })

        // koreksi_identitas: a NIK and the KK number fixed after Dukcapil matching.
        let corrected = try family()
        let wrong = nonHead(corrected)
        // The same region, birth date and sex; a serial no one has.
        let right = NIK(unchecked: wrong.nik.nik!.rawValue / 10_000 * 10_000 + (wrong.nik.nik!.rawValue % 10_000 + 7_000) % 9_999 + 1)
        let rightKK = fresh.kk(corrected.wilayah)
        _ = try applied(.init(type: .koreksiIdentitas, householdID: corrected.id, change: .correctIdentity(from: wrong.nik.nik!, to: right, nomorKK: rightKK),
                              evidence: fixture.evidence([.ktp])))
        #expect(try store.read { tx in try tx.householdID(nik: right) } == corrected.id)
        #expect(try store.read { tx in try tx.householdID(nik: wrong.nik.nik!) } == nil)
        #expect(try stored(corrected.id!).nomorKK == rightKK)

        #expect(try store.check().isClean)
    }
}
