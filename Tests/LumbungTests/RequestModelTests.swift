import Foundation
import Testing
@testable import Lumbung

/// Random actions by random roles against a small in-memory model of the workflow, with the
/// register checked after every step (each household's presence and status, a `baru`
/// request's stored household among them) and `check` every 20 steps. The model states the
/// rules in its own words, so a wrong line in `RequestWorkflow.steps` shows up as a disagreement.
@Suite("Change requests against a model")
struct RequestModelTests {
    struct ModelRequest {
        let id: RequestID
        let type: RequestType
        var state: RequestState
        let proposer: RequestActor
        /// A `baru` request's: nil until a step stores it, nil again once it is removed.
        var household: HouseholdID?
        let desa: KodeWilayah
        let reason: TidakLayakReason
        let nik: NIK?
        let hasMeeting: Bool
        let hasEvidence: Bool
        /// A `baru` request's proposed household.
        var proposal: Household? = nil

        /// The NIKs it holds against other open requests.
        var niks: [NIK] { proposal?.validNIKs ?? nik.map { [$0] } ?? [] }
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomActionsAgreeWithTheModel(seed: UInt64) throws {
        let fixture = try WorkflowFixture(seed: seed, count: 16)
        var random = SeededRandom(seed: seed &* 31)
        var register = Dictionary(uniqueKeysWithValues: fixture.households.map { ($0.id!, $0) })
        let listed = Set(register.keys)
        /// The next household id: a removed `baru` household's id is never given again.
        var nextHousehold = register.keys.map(\.rawValue).max()! + 1
        var newcomers = fixture.factory.copy()
        var requests: [RequestID: ModelRequest] = [:]
        /// A re-proposal's household's reason, from its submission (its status then shows the steps).
        var prior: [RequestID: TidakLayakReason] = [:]
        var nextID: UInt64 = 1
        let actors = [fixture.operatorA, fixture.operatorB, fixture.verifikator, fixture.kepala, fixture.admin,
                      fixture.citizen, fixture.otherCitizen, fixture.viewer, fixture.verifikator, fixture.kepala, fixture.admin]
        let proposers: Set<AccessRole> = [.desaOperator, .operator, .admin, .citizen]
        var applied = 0, refused = 0

        func sees(_ actor: RequestActor, _ request: ModelRequest) -> Bool {
            actor.role == .citizen ? request.proposer.actor == actor.actor && request.proposer.role == .citizen : actor.scope.permits(request.desa)
        }
        /// Another open request on its household or one of its NIKs, or a NIK or KK it proposes
        /// that another household holds.
        func clash(_ request: ModelRequest) -> Bool {
            let niks = Set(request.niks)
            if requests.values.contains(where: { other in
                other.id != request.id && other.state.isOpen
                    && ((other.household != nil && other.household == request.household) || !niks.isDisjoint(with: other.niks))
            }) { return true }
            guard let proposal = request.proposal else { return false }
            return register.values.contains { held in
                held.id != request.household && (held.nomorKK == proposal.nomorKK || !niks.isDisjoint(with: held.validNIKs))
            }
        }
        /// Stores a `baru` request's household with `status` (the next id).
        func store(_ id: RequestID, _ status: HouseholdStatus) {
            var household = requests[id]!.proposal!
            household.id = HouseholdID(rawValue: nextHousehold)
            household.status = status
            nextHousehold += 1
            register[household.id!] = household
            requests[id]!.household = household.id
        }
        /// A new household for a `baru` request: fresh, or (a clash) with a NIK or the KK of a
        /// stored household, or a NIK another proposal holds.
        func proposal(in desa: KodeWilayah) -> Household {
            var household = NewHouseholdRequestTests.proposal(&newcomers, in: desa)
            let variant = Int.random(in: 0..<10, using: &random)
            let others = requests.values.compactMap(\.proposal).sorted { $0.nomorKK.rawValue < $1.nomorKK.rawValue }
            switch variant {
            case 0: household = NewHouseholdRequestTests.headed(household, by: register.values.sorted { $0.id! < $1.id! }.randomElement(using: &random)!)
            case 1: household.nomorKK = register.values.sorted { $0.id! < $1.id! }.randomElement(using: &random)!.nomorKK
            case 2 where !others.isEmpty: household = NewHouseholdRequestTests.headed(household, by: others.randomElement(using: &random)!)
            default: break
            }
            // As the store holds it (a flagged NIK is no clash).
            return try! household.validated(policy: .keepFlagged)
        }
        func needsEvidence(_ type: RequestType) -> Bool { type == .usulUlang || type == .sanggah || type == .baru }
        /// The first refusal the model predicts for submitting `request` (nil: accepted).
        func submitRefusal(_ request: ModelRequest, by actor: RequestActor) -> LumbungError.Code? {
            if actor.role != .admin && actor.actor != request.proposer.actor { return .workflowNotProposer }
            if request.proposer.role == .desaOperator && !request.hasMeeting { return .workflowMeetingRequired }
            if needsEvidence(request.type) && !request.hasEvidence { return .workflowEvidenceRequired }
            if actor.role != .citizen && clash(request) { return .workflowConflict }
            return nil
        }
        func registerRefusal(_ type: RequestType, _ household: Household) -> LumbungError.Code? {
            let dropped = household.status.reason != nil
            switch type {
            case .keluar, .sanggah: return dropped ? .workflowInvalid : nil
            case .usulUlang: return dropped ? nil : .workflowInvalid
            default: return nil
            }
        }

        for step in 0..<700 {
            let actor = actors.randomElement(using: &random)!
            let expected: LumbungError.Code?
            let outcome: Result<ChangeRequest, LumbungError>
            if requests.isEmpty || Int.random(in: 0..<10, using: &random) < 4 {
                // Create (and usually submit) a request: on a listed household, or a new one.
                let household = register.values.filter { listed.contains($0.id!) }.sorted { $0.id! < $1.id! }.randomElement(using: &random)!
                let heads = household.members.indices.filter { household.members[$0].relation != .kepalaKeluarga && household.members[$0].nik.nik != nil }
                var types: [RequestType] = [.keluar, .usulUlang, .sanggah, .baru, .baru]
                if !heads.isEmpty { types.append(.gantiKepala) }
                let type = types.randomElement(using: &random)!
                let reason = TidakLayakReason.allCases.randomElement(using: &random)!
                let nik = type == .gantiKepala ? household.members[heads.randomElement(using: &random)!].nik.nik : nil
                let desa = type == .baru ? [fixture.desaA, fixture.desaB].randomElement(using: &random)! : household.wilayah
                let proposed = type == .baru ? proposal(in: desa) : nil
                let change: RequestChange = switch type {
                case .baru: .household(proposed!)
                case .usulUlang: .reProposal
                case .gantiKepala: .changeHead(nik: nik!)
                default: .notEligible(reason)
                }
                let hasMeeting = Int.random(in: 0..<10, using: &random) < 8
                let hasEvidence = Int.random(in: 0..<10, using: &random) < 7
                let submit = Int.random(in: 0..<10, using: &random) < 8
                let draft = ChangeRequest.Draft(
                    type: type, householdID: type == .baru ? nil : household.id, change: change, meeting: hasMeeting ? fixture.meeting : nil,
                    evidence: hasEvidence ? fixture.evidence(type == .sanggah ? [.sktm] : [.fotoRumah, .ktp]) : [])
                let model = ModelRequest(id: RequestID(nextID), type: type, state: submit ? .diajukan : .draft, proposer: actor,
                                         household: type == .baru ? nil : household.id!, desa: desa, reason: reason, nik: nik,
                                         hasMeeting: hasMeeting, hasEvidence: hasEvidence, proposal: proposed)
                if actor.role != .citizen && !actor.scope.permits(desa) {
                    expected = type == .baru ? .workflowInvalid : .householdNotFound
                } else if !proposers.contains(actor.role) || (actor.role == .citizen && !type.citizenMay) {
                    expected = .workflowRole
                } else if let refusal = registerRefusal(type, household) {
                    expected = refusal
                } else {
                    expected = submit ? submitRefusal(model, by: actor) : nil
                }
                outcome = Result { try fixture.store.write { tx in try tx.createRequest(draft, by: actor, submit: submit) } }
                    .mapError { $0 as! LumbungError }
                if expected == nil, case .success(let made) = outcome {
                    #expect(made.id == model.id && made.state == model.state, "step \(step)")
                    // A citizen's clashing proposal is stored at verification instead.
                    let stores = actor.role != .citizen || !clash(model)
                    requests[model.id] = model
                    nextID += 1
                    if submit, type == .baru, stores { store(model.id, .usulan) }
                    if submit, type == .usulUlang {
                        prior[model.id] = household.status.reason
                        register[household.id!]!.status = .usulan
                    }
                }
            } else {
                // Mostly an open request (so walks reach apply), sometimes any id, or one past the last.
                let open = requests.values.filter(\.state.isOpen).map(\.id).sorted()
                let id = !open.isEmpty && Int.random(in: 0..<10, using: &random) < 7
                    ? open.randomElement(using: &random)! : RequestID(UInt64.random(in: 1...nextID, using: &random))
                // Half the time the request's next step (so walks reach apply), else any action.
                let next: [RequestState: RequestAction] = [.draft: .submit, .diajukan: .verify, .diverifikasi: .approve, .disetujui: .apply]
                let action = requests[id].flatMap { next[$0.state] }.flatMap { Bool.random(using: &random) ? $0 : nil }
                    ?? [RequestAction.submit, .verify, .approve, .apply, .reject, .withdraw].randomElement(using: &random)!
                let note = Bool.random(using: &random) ? "" : "alasan \(step)"
                let from: [RequestAction: [RequestState]] = [
                    .submit: [.draft], .verify: [.diajukan], .approve: [.diverifikasi], .apply: [.disetujui],
                    .reject: [.draft, .diajukan, .diverifikasi, .disetujui], .withdraw: [.draft, .diajukan, .diverifikasi],
                ]
                let roles: [RequestAction: Set<AccessRole>] = [
                    .submit: proposers, .withdraw: proposers, .verify: [.verifikator, .admin], .approve: [.kepalaOPD, .admin],
                    .apply: [.kepalaOPD, .admin], .reject: [.verifikator, .kepalaOPD, .admin],
                ]
                if let request = requests[id], sees(actor, request) {
                    if !from[action]!.contains(request.state) {
                        expected = .workflowState
                    } else if !roles[action]!.contains(actor.role) {
                        expected = .workflowRole
                    } else {
                        switch action {
                        case .submit: expected = submitRefusal(request, by: actor)
                        case .withdraw: expected = actor.role != .admin && actor.actor != request.proposer.actor ? .workflowNotProposer : nil
                        case .reject: expected = note.isEmpty ? .workflowNoteRequired : nil
                        case .verify: expected = clash(request) ? .workflowConflict : nil
                        case .apply:
                            // A submitted re-proposal's household shows its steps, not tidak_layak.
                            expected = clash(request) ? .workflowConflict
                                : prior[id] != nil || request.type == .baru ? nil : registerRefusal(request.type, register[request.household!]!)
                        default: expected = nil
                        }
                    }
                } else {
                    expected = .workflowNotFound
                }
                let clashed = requests[id].map(clash) ?? false
                outcome = Result { try fixture.store.write { tx in try tx.transition(id, action, by: actor, note: note) } }
                    .mapError { $0 as! LumbungError }
                if expected == nil, case .success(let moved) = outcome {
                    // A new household's steps: stored when submitted (a citizen's only if it
                    // clashes with nothing, else when verified), removed when the request ends unapplied.
                    if let request = requests[id], request.type == .baru {
                        switch action {
                        case .submit where actor.role != .citizen || !clashed: store(id, .usulan)
                        case .verify:
                            if let household = request.household { register[household]!.status = .terverifikasi } else { store(id, .terverifikasi) }
                        case .reject, .withdraw:
                            if let household = request.household {
                                register[household] = nil
                                requests[id]!.household = nil
                            }
                        default: break
                        }
                    }
                    // The proposal's steps on a re-proposal's household (the model's own words).
                    if let request = requests[id], request.type == .usulUlang {
                        switch action {
                        case .submit:
                            prior[id] = register[request.household!]!.status.reason
                            register[request.household!]!.status = .usulan
                        case .verify: register[request.household!]!.status = .terverifikasi
                        case .reject, .withdraw:
                            if request.state != .draft { register[request.household!]!.status = .tidakLayak(prior[id]!) }
                        default: break
                        }
                    }
                    requests[id]!.state = moved.state
                    #expect(moved.state == RequestWorkflow.step(action).to)
                    if action == .apply {
                        applied += 1
                        let request = requests[id]!
                        var household = register[request.household!]!
                        switch request.type {
                        case .keluar, .sanggah: household.status = .tidakLayak(request.reason)
                        case .usulUlang, .baru: household.status = .ditetapkan
                        case .gantiKepala:
                            for index in household.members.indices where household.members[index].relation == .kepalaKeluarga {
                                household.members[index].relation = .lainnya
                            }
                            let index = household.members.firstIndex { $0.nik.nik == request.nik }!
                            household.members[index].relation = .kepalaKeluarga
                        default: Issue.record("unexpected type")
                        }
                        var stored = try #require(try fixture.household(request.household!))
                        household.updatedAt = nil
                        stored.updatedAt = nil
                        #expect(stored == household, "step \(step): the register after request \(id)")
                        register[request.household!] = try fixture.household(request.household!)
                    }
                }
            }
            // Every household id given so far: there (with the model's status, a `baru` one with
            // its proposed KK and members) or not, as the model has it; and each request's household.
            try fixture.store.read { tx in
                for raw in 1..<nextHousehold {
                    let id = HouseholdID(rawValue: raw)
                    let stored = try tx.household(id: id)
                    #expect(stored?.status == register[id]?.status, "step \(step): household \(id)")
                    if let stored, let model = register[id], !listed.contains(id) {
                        #expect(stored.nomorKK == model.nomorKK && Set(stored.validNIKs) == Set(model.validNIKs), "step \(step): new household \(id)")
                    }
                }
                #expect(try tx.householdCount() == register.count, "step \(step): no other household")
                for request in requests.values where request.type == .baru {
                    #expect(try tx.storedRequest(id: request.id)?.householdID == request.household, "step \(step): request \(request.id)'s household")
                }
            }
            if step % 20 == 19 { #expect(try fixture.store.check().isClean, "step \(step): check") }
            switch (expected, outcome) {
            case (nil, .success): break
            case (let code?, .failure(let error)):
                refused += 1
                #expect(error.code == code, "step \(step): expected \(code), got \(error.message)")
            case (nil, .failure(let error)): Issue.record("step \(step): the model accepts, the store refused: \(error.message)")
            case (let code?, .success(let request)): Issue.record("step \(step): the model expects \(code), the store accepted \(request.id) \(request.state)")
            }
        }
        #expect(applied > 3 && refused > 50, "the walk reached applies (\(applied)) and refusals (\(refused))")
        let baru = requests.values.filter { $0.type == .baru }
        #expect(baru.contains { $0.state == .diterapkan } && baru.contains { $0.state == .ditolak || $0.state == .ditarik }
                && baru.contains { $0.state.isOpen && $0.household != nil },
                "the walk applied, ended and held new households: \(baru.map(\.state))")
        // Every request as the model has it, and a clean store.
        try fixture.store.read { tx in
            for request in requests.values {
                #expect(try tx.storedRequest(id: request.id)?.state == request.state)
            }
            let all = try tx.requests(RequestQuery(), for: fixture.admin, limit: 10_000).requests
            #expect(all.count == requests.count)
        }
        #expect(try fixture.store.check().isClean)
    }
}
