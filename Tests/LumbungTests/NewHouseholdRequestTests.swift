import Foundation
import Testing
@testable import Lumbung

/// A `baru` request's household on the register: stored as `usulan` when submitted,
/// `terverifikasi` when verified, `ditetapkan` when applied, removed when the request ends
/// `ditolak` or `ditarik`; its clashes, what direct writes may do meanwhile, and what a citizen
/// and another desa learn of it.
@Suite("New households through requests")
struct NewHouseholdRequestTests {
    /// A fresh household (NIKs and KK no stored household holds) for desa `desa`.
    static func proposal(_ factory: inout HouseholdFactory, in desa: KodeWilayah) -> Household {
        var household = factory.household()
        household.wilayah = desa
        household.status = .usulan
        household.members = household.members.map { member in
            var member = member
            if let nik = member.nik.nik { member.nik = .valid(nik) }
            return member
        }
        return household
    }

    /// `household` with its head replaced by `other`'s first member (same NIK, sex and birth date).
    static func headed(_ household: Household, by other: Household) -> Household {
        var household = household
        var member = other.members.first { $0.nik.nik != nil }!
        member.relation = .kepalaKeluarga
        household.members[0] = member
        return household
    }

    static func baru(_ household: Household, _ fixture: WorkflowFixture) -> ChangeRequest.Draft {
        ChangeRequest.Draft(type: .baru, change: .household(household), meeting: fixture.meeting, evidence: fixture.evidence([.fotoRumah, .ktp]))
    }

    static func refused(_ code: LumbungError.Code, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> LumbungError? {
        do {
            try body()
            Issue.record("expected \(code)", sourceLocation: sourceLocation)
        } catch let error as LumbungError {
            #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
            return error
        } catch {
            Issue.record("\(error)", sourceLocation: sourceLocation)
        }
        return nil
    }

    @Test func aNewHouseholdShowsEveryStepOnTheRegister() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        var factory = fixture.factory.copy()
        let proposed = Self.proposal(&factory, in: fixture.desaA)
        let count = try store.read { tx in try tx.householdCount() }
        let since = try store.read { tx in try tx.lastSequence() }

        // A draft stores nothing.
        let draft = try store.write { tx in try tx.createRequest(Self.baru(proposed, fixture), by: fixture.operatorA, submit: false) }
        #expect(draft.householdID == nil)
        #expect(try store.read { tx in try tx.householdCount() } == count)

        // Submitted: stored as `usulan` under a new id, journaled with the request's name.
        let submitted = try store.write { tx in try tx.transition(draft.id, .submit, by: fixture.operatorA) }
        let id = try #require(submitted.householdID)
        let stored = try #require(try fixture.household(id))
        #expect(stored.status == .usulan && stored.nomorKK == proposed.nomorKK && stored.validNIKs == proposed.validNIKs)
        #expect(stored.wilayah == fixture.desaA)
        let entries = try store.read { tx in try tx.changes(after: since, limit: 1000) }
        #expect(entries.contains { $0.action == .insert && $0.householdID == id && $0.note == "request \(draft.id) baru" }, "\(entries)")

        // The preview: the same household, its status set.
        let preview = try store.read { tx in try tx.preview(draft.id, for: fixture.verifikator) }
        #expect(preview.before.first??.id == id && preview.after.first??.id == id)
        #expect(preview.diff == ["household \(id): status: usulan → ditetapkan"], "\(preview.diff)")

        // Direct writes leave it to its request: put, delete, member moves; an SK may not list it.
        var edited = stored
        edited.alamat = "Jl. Lain No. 1"
        let other = fixture.households.first { $0.wilayah == fixture.desaA }!
        let held = Self.refused(.workflowConflict) { try store.write { tx in _ = try tx.put(edited, status: .direct) } }
        #expect(held?.rule.contains("open request \(draft.id)") == true, "\(held?.message ?? "")")
        _ = Self.refused(.workflowConflict) { try store.write { tx in _ = try tx.delete(id: id) } }
        _ = Self.refused(.workflowConflict) { try store.write { tx in try tx.moveMember(nik: stored.validNIKs.last!, to: other.id!) } }
        _ = Self.refused(.workflowConflict) { try store.write { tx in try tx.moveMember(nik: other.validNIKs.last!, to: id) } }
        let sk = try DecreeImport.SK(nomor: "400/1", tanggal: try CalendarDate(year: 2026, month: 11, day: 20))
        _ = Self.refused(.decreeInvalid) {
            var listing: [DecreeImport.Listing] = [.init(key: .id(id), place: "line 2", field: "rumah_tangga_id")]
            try store.write { tx in
                _ = try tx.importDecree(sk, period: try Period(parsing: "2026-11"), scope: .everything, complete: false) { listing.popLast() }
            }
        }
        #expect(try fixture.household(id) == stored, "the refusals changed nothing")

        // Another request on it, or another proposal with one of its NIKs, clashes; another
        // desa's operator is not told which request.
        _ = try store.write { tx in try tx.createRequest(fixture.keluar(stored), by: fixture.operatorA, submit: false) }
        let keluar = try store.read { tx in try tx.requests(RequestQuery(householdID: id), for: fixture.admin).requests }.first { $0.type == .keluar }!
        let onIt = Self.refused(.workflowConflict) { try store.write { tx in _ = try tx.transition(keluar.id, .submit, by: fixture.operatorA) } }
        #expect(onIt?.rule.contains("open request \(draft.id)") == true, "\(onIt?.message ?? "")")
        try store.write { tx in _ = try tx.transition(keluar.id, .withdraw, by: fixture.operatorA) }
        let twin = Self.headed(Self.proposal(&factory, in: fixture.desaB), by: stored)
        let clash = Self.refused(.workflowConflict) { try store.write { tx in _ = try tx.createRequest(Self.baru(twin, fixture), by: fixture.operatorB) } }
        #expect(clash?.rule.contains("another open request") == true && clash?.otherHouseholdID == nil, "\(clash?.message ?? "")")
        #expect(clash?.message.contains(String(stored.members.first { $0.nik.nik != nil }!.nik.nik!.rawValue)) == false, "the NIK is masked")

        // Verified, approved, applied: the same household, `ditetapkan`; then direct writes may edit it.
        try store.write { tx in _ = try tx.transition(draft.id, .verify, by: fixture.verifikator) }
        #expect(try fixture.household(id)?.status == .terverifikasi)
        try store.write { tx in _ = try tx.transition(draft.id, .approve, by: fixture.kepala) }
        #expect(try fixture.household(id)?.status == .terverifikasi)
        let applied = try store.write { tx in try tx.transition(draft.id, .apply, by: fixture.kepala) }
        #expect(applied.householdID == id)
        #expect(try fixture.household(id)?.status == .ditetapkan)
        #expect(try store.read { tx in try tx.householdCount() } == count + 1)
        edited.status = .ditetapkan
        _ = try store.write { tx in try tx.put(edited, status: .direct) }
        #expect(try fixture.household(id)?.alamat == "Jl. Lain No. 1")

        // Rejected after verification, or withdrawn: the household is removed (journaled with
        // the request's name), the request names none, and the id is never given again.
        let rejected = try store.write { tx in try tx.createRequest(Self.baru(Self.proposal(&factory, in: fixture.desaA), fixture), by: fixture.operatorA) }
        let rejectedID = try #require(rejected.householdID)
        #expect(rejectedID.rawValue > id.rawValue)
        try store.write { tx in _ = try tx.transition(rejected.id, .verify, by: fixture.verifikator) }
        let ended = try store.write { tx in try tx.transition(rejected.id, .reject, by: fixture.kepala, note: "tidak ditemukan") }
        #expect(ended.householdID == nil && ended.state == .ditolak)
        #expect(try fixture.household(rejectedID) == nil)
        let removal = try store.read { tx in try tx.changes(after: since, limit: 1000) }
        #expect(removal.contains { $0.action == .delete && $0.householdID == rejectedID && $0.note == "request \(rejected.id) baru" })
        let withdrawn = try store.write { tx in try tx.createRequest(Self.baru(Self.proposal(&factory, in: fixture.desaA), fixture), by: fixture.operatorA) }
        let withdrawnID = try #require(withdrawn.householdID)
        #expect(withdrawnID.rawValue > rejectedID.rawValue, "a removed household's id is not given again")
        try store.write { tx in _ = try tx.transition(withdrawn.id, .withdraw, by: fixture.operatorA) }
        #expect(try fixture.household(withdrawnID) == nil)
        #expect(try store.read { tx in try tx.householdCount() } == count + 1)
        // Applied, the NIK belongs to household `id`: the twin still clashes.
        _ = Self.refused(.workflowConflict) { try store.write { tx in _ = try tx.createRequest(Self.baru(twin, fixture), by: fixture.operatorB) } }
        #expect(try store.check().isClean)
    }

    @Test func aCitizenAndAnotherDesaLearnNothingOfAnUsulanHousehold() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        var factory = fixture.factory.copy()
        // Desa B's operator proposes a household: it is stored, `usulan`, in desa B.
        let ofB = try store.write { tx in try tx.createRequest(Self.baru(Self.proposal(&factory, in: fixture.desaB), fixture), by: fixture.operatorB) }
        let idB = try #require(ofB.householdID)
        let householdB = try #require(try fixture.household(idB))
        #expect(householdB.status == .usulan && householdB.wilayah == fixture.desaB)
        #expect(!fixture.operatorA.scope.permits(householdB.wilayah) && fixture.operatorB.scope.permits(householdB.wilayah))

        // A citizen proposes a household with one of its NIKs, and another without: both are
        // accepted alike (the citizen learns nothing of the clash); only the clean one is stored.
        let clashing = Self.headed(Self.proposal(&factory, in: fixture.desaB), by: householdB)
        let clean = Self.proposal(&factory, in: fixture.desaB)
        let citizenDraft = { (household: Household) in
            ChangeRequest.Draft(type: .baru, change: .household(household), evidence: fixture.evidence([.fotoRumah, .ktp], salt: 7))
        }
        let asked = try store.write { tx in try tx.createRequest(citizenDraft(clashing), by: fixture.citizen) }
        let fine = try store.write { tx in try tx.createRequest(citizenDraft(clean), by: fixture.citizen) }
        #expect(asked.state == .diajukan && fine.state == .diajukan)
        #expect(asked.householdID == nil && fine.householdID != nil)
        func keys(_ request: ChangeRequest) -> [String] {
            guard case .object(let entries) = RequestJSON.value(request, for: fixture.citizen) else { return [] }
            return entries.map(\.0)
        }
        #expect(keys(asked) == keys(fine), "the citizen's two answers have the same fields")
        for request in [asked, fine] {
            let text = RequestJSON.value(request, for: fixture.citizen).text
            #expect(!text.contains("rumah_tangga_id") && !text.contains(fixture.desaB.dotted), "\(text)")
        }
        // The citizen reads back its own requests only; desa A's operator sees nothing of desa B.
        try store.read { tx throws in
            #expect(try tx.requests(RequestQuery(), for: fixture.citizen).requests.map(\.id) == [asked.id, fine.id])
            #expect(try tx.requests(RequestQuery(), for: fixture.otherCitizen).requests.isEmpty)
            #expect(try tx.request(id: ofB.id, for: fixture.citizen) == nil)
            for actor in [fixture.operatorA, fixture.otherCitizen] {
                #expect(try tx.requests(RequestQuery(householdID: idB), for: actor).requests.isEmpty)
                #expect(try tx.requests(RequestQuery(wilayah: fixture.desaB), for: actor).requests.isEmpty)
                #expect(try tx.request(id: ofB.id, for: actor) == nil)
            }
            #expect(try tx.requests(RequestQuery(householdID: idB), for: fixture.operatorB).requests.map(\.id) == [ofB.id])
        }
        #expect(throws: LumbungError.self) { try store.read { tx in _ = try tx.preview(fine.id, for: fixture.citizen) } }
        // The kabupaten is told the clash at verification, naming the request it sees.
        let told = Self.refused(.workflowConflict) { try store.write { tx in _ = try tx.transition(asked.id, .verify, by: fixture.verifikator) } }
        #expect(told?.rule.contains("open request \(ofB.id)") == true, "\(told?.message ?? "")")
        // Once desa B's proposal is withdrawn, the citizen's is stored at verification.
        try store.write { tx in _ = try tx.transition(ofB.id, .withdraw, by: fixture.operatorB) }
        #expect(try fixture.household(idB) == nil)
        let verified = try store.write { tx in try tx.transition(asked.id, .verify, by: fixture.verifikator) }
        let stored = try #require(verified.householdID)
        #expect(try fixture.household(stored)?.status == .terverifikasi)
        #expect(stored.rawValue > idB.rawValue)
        #expect(try store.check().isClean)
    }
}
