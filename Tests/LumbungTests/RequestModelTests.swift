import Foundation
import Testing
@testable import Lumbung

/// Random actions by random roles against a small in-memory model of the workflow, with the
/// register checked after each applied request. The model states the rules in its own words,
/// so a wrong line in `RequestWorkflow.steps` shows up as a disagreement.
@Suite("Change requests against a model")
struct RequestModelTests {
    struct ModelRequest {
        let id: RequestID
        let type: RequestType
        var state: RequestState
        let proposer: RequestActor
        let household: HouseholdID
        let desa: KodeWilayah
        let reason: TidakLayakReason
        let nik: NIK?
        let hasMeeting: Bool
        let hasEvidence: Bool
    }

    @Test(arguments: [1, 2, 3] as [UInt64])
    func randomActionsAgreeWithTheModel(seed: UInt64) throws {
        let fixture = try WorkflowFixture(seed: seed, count: 16)
        var random = SeededRandom(seed: seed &* 31)
        var register = Dictionary(uniqueKeysWithValues: fixture.households.map { ($0.id!, $0) })
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
        func openClash(_ household: HouseholdID, except id: RequestID?) -> Bool {
            requests.values.contains { $0.id != id && $0.household == household && $0.state.isOpen }
        }
        func needsEvidence(_ type: RequestType) -> Bool { type == .usulUlang || type == .sanggah }
        /// The first refusal the model predicts for submitting `request` (nil: accepted).
        func submitRefusal(_ request: ModelRequest, by actor: RequestActor) -> LumbungError.Code? {
            if actor.role != .admin && actor.actor != request.proposer.actor { return .workflowNotProposer }
            if request.proposer.role == .desaOperator && !request.hasMeeting { return .workflowMeetingRequired }
            if needsEvidence(request.type) && !request.hasEvidence { return .workflowEvidenceRequired }
            if actor.role != .citizen && openClash(request.household, except: request.id) { return .workflowConflict }
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
                // Create (and usually submit) a request.
                let household = register.values.sorted { $0.id! < $1.id! }.randomElement(using: &random)!
                let heads = household.members.indices.filter { household.members[$0].relation != .kepalaKeluarga && household.members[$0].nik.nik != nil }
                var types: [RequestType] = [.keluar, .usulUlang, .sanggah]
                if !heads.isEmpty { types.append(.gantiKepala) }
                let type = types.randomElement(using: &random)!
                let reason = TidakLayakReason.allCases.randomElement(using: &random)!
                let nik = type == .gantiKepala ? household.members[heads.randomElement(using: &random)!].nik.nik : nil
                let change: RequestChange = switch type {
                case .usulUlang: .reProposal
                case .gantiKepala: .changeHead(nik: nik!)
                default: .notEligible(reason)
                }
                let hasMeeting = Int.random(in: 0..<10, using: &random) < 8
                let hasEvidence = Int.random(in: 0..<10, using: &random) < 7
                let submit = Int.random(in: 0..<10, using: &random) < 8
                let draft = ChangeRequest.Draft(
                    type: type, householdID: household.id, change: change, meeting: hasMeeting ? fixture.meeting : nil,
                    evidence: hasEvidence ? fixture.evidence(type == .sanggah ? [.sktm] : [.fotoRumah, .ktp]) : [])
                let model = ModelRequest(id: RequestID(nextID), type: type, state: submit ? .diajukan : .draft, proposer: actor,
                                         household: household.id!, desa: household.wilayah, reason: reason, nik: nik,
                                         hasMeeting: hasMeeting, hasEvidence: hasEvidence)
                if actor.role != .citizen && !actor.scope.permits(household.wilayah) {
                    expected = .householdNotFound
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
                    requests[model.id] = model
                    nextID += 1
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
                        case .verify: expected = openClash(request.household, except: id) ? .workflowConflict : nil
                        case .apply:
                            // A submitted re-proposal's household shows its steps, not tidak_layak.
                            expected = openClash(request.household, except: id) ? .workflowConflict
                                : prior[id] != nil ? nil : registerRefusal(request.type, register[request.household]!)
                        default: expected = nil
                        }
                    }
                } else {
                    expected = .workflowNotFound
                }
                outcome = Result { try fixture.store.write { tx in try tx.transition(id, action, by: actor, note: note) } }
                    .mapError { $0 as! LumbungError }
                if expected == nil, case .success(let moved) = outcome {
                    // The proposal's steps on a re-proposal's household (the model's own words).
                    if let request = requests[id], request.type == .usulUlang {
                        switch action {
                        case .submit:
                            prior[id] = register[request.household]!.status.reason
                            register[request.household]!.status = .usulan
                        case .verify: register[request.household]!.status = .terverifikasi
                        case .reject, .withdraw:
                            if request.state != .draft { register[request.household]!.status = .tidakLayak(prior[id]!) }
                        default: break
                        }
                    }
                    requests[id]!.state = moved.state
                    #expect(moved.state == RequestWorkflow.step(action).to)
                    if action == .apply {
                        applied += 1
                        let request = requests[id]!
                        var household = register[request.household]!
                        switch request.type {
                        case .keluar, .sanggah: household.status = .tidakLayak(request.reason)
                        case .usulUlang: household.status = .ditetapkan
                        case .gantiKepala:
                            for index in household.members.indices where household.members[index].relation == .kepalaKeluarga {
                                household.members[index].relation = .lainnya
                            }
                            let index = household.members.firstIndex { $0.nik.nik == request.nik }!
                            household.members[index].relation = .kepalaKeluarga
                        default: Issue.record("unexpected type")
                        }
                        var stored = try #require(try fixture.household(request.household))
                        household.updatedAt = nil
                        stored.updatedAt = nil
                        #expect(stored == household, "step \(step): the register after request \(id)")
                        register[request.household] = try fixture.household(request.household)
                    }
                }
            }
            // Every household's status, as the model has it, after every step.
            let statuses = try fixture.store.read { tx in try register.keys.sorted().map { try tx.household(id: $0)!.status } }
            #expect(statuses == register.keys.sorted().map { register[$0]!.status }, "step \(step): household statuses")
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
