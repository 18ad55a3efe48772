import Foundation
import Testing
@testable import Lumbung

/// A store of households in a few desa, with the actors of the workflow.
struct WorkflowFixture {
    let directory = TemporaryDirectory("lumbung-requests")
    let store: Store
    var households: [Household] = []
    let desaA: KodeWilayah, desaB: KodeWilayah
    let admin = RequestActor(actor: "admin", role: .admin)
    let verifikator = RequestActor(actor: "verif:ani", role: .verifikator, scope: AccessScope(try! KodeWilayah("32.16")))
    let kepala = RequestActor(actor: "kadis", role: .kepalaOPD, scope: AccessScope(try! KodeWilayah("32.16")))
    let citizen = RequestActor(actor: "warga:0812", role: .citizen)
    let otherCitizen = RequestActor(actor: "warga:0899", role: .citizen)
    let viewer = RequestActor(actor: "lihat", role: .viewer)
    var operatorA: RequestActor { RequestActor(actor: "desa:A", role: .desaOperator, scope: AccessScope(desaA)) }
    var operatorB: RequestActor { RequestActor(actor: "desa:B", role: .desaOperator, scope: AccessScope(desaB)) }
    let meeting = MeetingReference.beritaAcara(number: "BA-07/2026", date: try! CalendarDate(year: 2026, month: 11, day: 2))
    var factory: HouseholdFactory

    init(seed: UInt64 = 1, count: Int = 24) throws {
        store = try Store(path: directory.sub("store"))
        factory = HouseholdFactory(seed: seed, desaCount: 2)
        desaA = factory.desa[0]
        desaB = factory.desa[1]
        var made: [Household] = []
        for index in 0..<count {
            var household = factory.household()
            household.wilayah = index % 2 == 0 ? desaA : desaB
            household.status = index % 3 == 0 ? .tidakLayak(.mampu) : .ditetapkan
            household.members = household.members.map { member in
                var member = member
                if let nik = member.nik.nik { member.nik = .valid(nik) }
                return member
            }
            made.append(household)
        }
        households = try store.write { tx in try made.map { h in var h = h; h.id = try tx.put(h, nikPolicy: .keepFlagged).id; return try tx.household(id: h.id!)! } }
    }

    /// References to real JPEG files in the store's evidence store, one a kind (a request's
    /// evidence must be there).
    func evidence(_ kinds: [EvidenceKind], salt: UInt8 = 0) -> [EvidenceReference] {
        kinds.map { kind in
            let bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, kind.rawValue, salt] + Array("foto \(kind.name) \(salt)".utf8)
            return EvidenceReference(try! store.evidence.add(bytes), kind: kind)
        }
    }

    /// A `keluar` draft for a household, with what a desa proposal needs.
    func keluar(_ household: Household, reason: TidakLayakReason = .pindah) -> ChangeRequest.Draft {
        ChangeRequest.Draft(type: .keluar, householdID: household.id, change: .notEligible(reason), meeting: meeting)
    }

    func household(_ id: HouseholdID) throws -> Household? { try store.read { tx in try tx.household(id: id) } }
}

@Suite("Change requests")
struct RequestTests {
    // MARK: Codec

    @Test func theCodecRoundTripsRandomRequests() throws {
        var factory = HouseholdFactory(seed: 7)
        var random = SeededRandom(seed: 11)
        for index in 0..<400 {
            var household = factory.household(flaggedRate: 0.1)
            household.updatedAt = nil
            let nik = household.members[0].nik.nik ?? NIK(unchecked: 3216014507900001)
            let changes: [RequestChange] = [
                .household(household), .household({ var h = household; h.id = HouseholdID(UInt64(index + 1)); return h }()),
                .addMember(factory.member(household.wilayah, relation: .anak, flagged: Bool.random(using: &random))),
                .removeMember(nik: nik, reason: MemberLeaving.allCases.randomElement(using: &random)!),
                .moveMember(nik: nik, to: HouseholdID(UInt64.random(in: 1...99_999, using: &random))),
                .changeHead(nik: nik), .split(niks: household.validNIKs, nomorKK: household.nomorKK),
                .merge(absorbed: HouseholdID(UInt64.random(in: 1...99_999, using: &random))),
                .notEligible(TidakLayakReason.allCases.randomElement(using: &random)!), .reProposal,
                .correctIdentity(from: Bool.random(using: &random) ? nik : nil, to: Bool.random(using: &random) ? nik : nil,
                                 nomorKK: Bool.random(using: &random) ? household.nomorKK : nil),
            ]
            let change = changes.randomElement(using: &random)!
            let date = try CalendarDate(year: 2026, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))
            let meetings: [MeetingReference?] = [nil, .beritaAcara(number: "BA \(index) «Ä»", date: date), .sptjm(number: "", date: date)]
            let transitions = (0..<Int.random(in: 0...6, using: &random)).map { step in
                RequestTransition(
                    action: RequestAction.allCases.randomElement(using: &random)!, state: RequestState.allCases.randomElement(using: &random)!,
                    actor: ["a", "desa:3216012001", "warga 🌾"].randomElement(using: &random)!, role: AccessRole.allCases.randomElement(using: &random)!,
                    time: Timestamp(milliseconds: Int64.random(in: -1_000_000...2_000_000_000_000, using: &random)),
                    note: step % 2 == 0 ? "" : FactoryNames.random(&random))
            }
            let request = ChangeRequest(
                id: RequestID(UInt64(index + 1)), type: RequestType.allCases.randomElement(using: &random)!,
                state: RequestState.allCases.randomElement(using: &random)!, channel: RequestChannel.allCases.randomElement(using: &random)!,
                proposer: FactoryNames.random(&random), proposerRole: AccessRole.allCases.randomElement(using: &random)!,
                householdID: Bool.random(using: &random) ? HouseholdID(UInt64.random(in: 1...HouseholdID.max.rawValue, using: &random)) : nil,
                desa: household.wilayah, change: change, meeting: meetings.randomElement(using: &random)!,
                evidence: (0..<Int.random(in: 0...3, using: &random)).map { _ in
                    try! EvidenceReference(sha256: (0..<32).map { _ in UInt8.random(in: 0...255, using: &random) }, mediaType: "application/pdf",
                                           size: UInt64.random(in: 0...UInt64(1) << 40, using: &random), kind: EvidenceKind.allCases.randomElement(using: &random)!)
                },
                transitions: transitions,
                period: Bool.random(using: &random) ? try Period(year: Int.random(in: 2000...9999, using: &random), month: Int.random(in: 1...12, using: &random)) : nil,
                baseTime: Bool.random(using: &random) ? Timestamp(milliseconds: Int64.random(in: 0...2_000_000_000_000, using: &random)) : nil,
                priorReason: change == .reProposal && Bool.random(using: &random) ? TidakLayakReason.allCases.randomElement(using: &random)! : nil)
            let bytes = RequestCodec.encode(request)
            let decoded = try bytes.withUnsafeBytes { try RequestCodec.decode($0, id: request.id) }
            #expect(decoded == request, "request \(index): \(change)")
            // A truncated record is refused, never misread.
            let cut = Int.random(in: 0..<bytes.count, using: &random)
            #expect(throws: LumbungError.self) { try Array(bytes.prefix(cut)).withUnsafeBytes { try RequestCodec.decode($0, id: request.id) } }
        }
    }

    // MARK: Refusals, one by one

    @Test func everyRefusedTransitionHasItsCode() throws {
        let fixture = try WorkflowFixture()
        let listed = fixture.households.first { $0.wilayah == fixture.desaA && $0.status == .ditetapkan }!
        let store = fixture.store
        func refused(_ code: LumbungError.Code, _ body: (WriteTransaction) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            do {
                try store.write { tx in try body(tx) }
                Issue.record("expected \(code)", sourceLocation: sourceLocation)
            } catch let error as LumbungError {
                #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
                #expect(error.field != nil && !error.rule.isEmpty, sourceLocation: sourceLocation)
            } catch { Issue.record("\(error)", sourceLocation: sourceLocation) }
        }
        // A desa proposal without a meeting reference stays a draft.
        let draft = try store.write { tx in
            try tx.createRequest(.init(type: .keluar, householdID: listed.id, change: .notEligible(.pindah)), by: fixture.operatorA, submit: false)
        }
        refused(.workflowMeetingRequired) { tx in try tx.transition(draft.id, .submit, by: fixture.operatorA) }
        do {
            try store.write { tx in _ = try tx.transition(draft.id, .submit, by: fixture.operatorA) }
        } catch let error as LumbungError {
            #expect(error.rule.contains("state draft") && error.rule.contains("desa_operator") && error.rule.contains("berita acara"), "\(error.rule)")
        }
        refused(.workflowState) { tx in try tx.transition(draft.id, .verify, by: fixture.verifikator) }
        refused(.workflowState) { tx in try tx.transition(draft.id, .apply, by: fixture.admin) }
        refused(.workflowNotProposer) { tx in try tx.transition(draft.id, .withdraw, by: RequestActor(actor: "desa:A2", role: .desaOperator, scope: AccessScope(fixture.desaA))) }
        refused(.workflowRole) { tx in try tx.transition(draft.id, .withdraw, by: fixture.verifikator) }
        refused(.workflowNoteRequired) { tx in try tx.transition(draft.id, .reject, by: fixture.verifikator, note: "  ") }
        // Evidence per type: a re-proposal needs the house photo and the KTP.
        let dropped = fixture.households.first { $0.wilayah == fixture.desaA && $0.status.reason != nil }!
        let ktpOnly = fixture.evidence([.ktp])
        refused(.workflowEvidenceRequired) { tx in
            try tx.createRequest(.init(type: .usulUlang, householdID: dropped.id, change: .reProposal, meeting: fixture.meeting,
                                       evidence: ktpOnly), by: fixture.operatorA)
        }
        // Roles: a citizen submits only usul and sanggah; a viewer proposes nothing.
        refused(.workflowRole) { tx in try tx.createRequest(fixture.keluar(listed), by: fixture.citizen) }
        refused(.workflowRole) { tx in try tx.createRequest(fixture.keluar(listed), by: fixture.viewer) }
        refused(.workflowRole) { tx in try tx.createRequest(fixture.keluar(listed), by: fixture.verifikator) }
        // Submitted, then the wrong hands at each step.
        try store.write { tx in _ = try tx.transition(draft.id, .withdraw, by: fixture.operatorA) }
        let submitted = try store.write { tx in try tx.createRequest(fixture.keluar(listed), by: fixture.operatorA) }
        #expect(submitted.state == .diajukan)
        refused(.workflowRole) { tx in try tx.transition(submitted.id, .verify, by: fixture.kepala) }
        refused(.workflowRole) { tx in try tx.transition(submitted.id, .verify, by: fixture.operatorA) }
        refused(.workflowState) { tx in try tx.transition(submitted.id, .approve, by: fixture.kepala) }
        try store.write { tx in _ = try tx.transition(submitted.id, .verify, by: fixture.verifikator) }
        refused(.workflowRole) { tx in try tx.transition(submitted.id, .approve, by: fixture.verifikator) }
        refused(.workflowState) { tx in try tx.transition(submitted.id, .verify, by: fixture.verifikator) }
        try store.write { tx in _ = try tx.transition(submitted.id, .approve, by: fixture.kepala) }
        refused(.workflowState) { tx in try tx.transition(submitted.id, .withdraw, by: fixture.operatorA) }
        refused(.workflowRole) { tx in try tx.transition(submitted.id, .apply, by: fixture.verifikator) }
        try store.write { tx in _ = try tx.transition(submitted.id, .apply, by: fixture.kepala) }
        for action in RequestAction.allCases where action != .create {
            refused(.workflowState) { tx in try tx.transition(submitted.id, action, by: fixture.admin, note: "x") }
        }
        refused(.workflowNotFound) { tx in try tx.transition(RequestID(999), .verify, by: fixture.admin) }
        // The change must fit its type and the household.
        refused(.workflowInvalid) { tx in try tx.createRequest(.init(type: .keluar, householdID: listed.id, change: .reProposal, meeting: fixture.meeting), by: fixture.admin) }
        let proposal = fixture.evidence([.ktp, .fotoRumah])
        refused(.workflowInvalid) { tx in
            let other = fixture.households.first { $0.status == .ditetapkan && $0.id != listed.id }!
            _ = try tx.createRequest(.init(type: .usulUlang, householdID: other.id, change: .reProposal, evidence: proposal), by: fixture.admin)
        }
        // Every code a refusal uses is declared with a kind adapters map.
        #expect(LumbungError.Code.workflowRole.kind == .forbidden && LumbungError.Code.workflowConflict.kind == .conflict)
    }

    @Test func attachedEvidenceIsReferencedInTheEvidenceStoreAndKeptByGC() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        let listed = fixture.households.first { $0.wilayah == fixture.desaA && $0.status == .ditetapkan }!
        let request = try store.write { tx in try tx.createRequest(fixture.keluar(listed), by: fixture.operatorA, submit: false) }
        let photo = try store.evidence.add([0xFF, 0xD8, 0xFF, 0xE0] + (0..<600).map { UInt8($0 % 251) } as [UInt8])
        let stray = try store.evidence.add([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 7, count: 300))
        let attached = try store.write { tx in try tx.attach(EvidenceReference(photo, kind: .fotoRumah), to: request.id, by: fixture.operatorA) }
        #expect(attached.evidence.map(\.digest) == [photo.digest])
        #expect(try store.read { tx in try tx.evidence.referrers(of: photo.digest) } == [EvidenceReferrer.request(request.id)])
        // A reference to bytes the evidence store does not hold is refused, and nothing changes.
        let missing = try EvidenceReference(sha256: [UInt8](repeating: 9, count: 32), mediaType: "image/jpeg", size: 10, kind: .ktp)
        #expect { try store.write { tx in try tx.attach(missing, to: request.id, by: fixture.operatorA) } } throws: { error in
            (error as? LumbungError)?.code == .evidenceNotFound
        }
        #expect(try store.read { tx in try tx.request(id: request.id, for: fixture.admin)?.evidence.count } == 1)
        // gc keeps the referenced photo and removes the stray file.
        let collected = try store.evidence.collect(minimumAge: 0)
        #expect(try store.evidence.attachment(photo.digest) != nil)
        #expect(try store.evidence.attachment(stray.digest) == nil)
        #expect(collected.removed == 1)
    }

    @Test func theWorkflowTableIsWhatTheREADMEShows() throws {
        let readme = try String(contentsOfFile: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md").path, encoding: .utf8)
        #expect(readme.contains(RequestWorkflow.markdownTable), "README's workflow table is RequestWorkflow.markdownTable")
        #expect(readme.contains(RequestWorkflow.typeTable), "README's type table is RequestWorkflow.typeTable")
    }

    // MARK: Conflicts and preview

    @Test func clashingRequestsAreRefusedAtSubmitAndAtApply() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        let inA = fixture.households.filter { $0.wilayah == fixture.desaA && $0.status == .ditetapkan }
        let inB = fixture.households.first { $0.wilayah == fixture.desaB }!
        let kkCopy = fixture.evidence([.kk])
        let first = try store.write { tx in try tx.createRequest(fixture.keluar(inA[0]), by: fixture.operatorA) }
        do {
            _ = try store.write { tx in try tx.createRequest(fixture.keluar(inA[0], reason: .mampu), by: fixture.operatorA) }
            Issue.record("two open requests on one household")
        } catch let error as LumbungError {
            #expect(error.code == .workflowConflict && error.rule.contains("open request \(first.id)"), "\(error.message)")
        }
        // A proposed NIK another household holds (in desa B: not named to desa A's operator).
        let takenNIK = inB.validNIKs[0]
        var newcomer = inA[1].members[0]
        newcomer.nik = .valid(takenNIK)
        newcomer.relation = .anak
        do {
            _ = try store.write { tx in
                try tx.createRequest(.init(type: .tambahAnggota, householdID: inA[1].id, change: .addMember(newcomer), meeting: fixture.meeting,
                                           evidence: kkCopy), by: fixture.operatorA)
            }
            Issue.record("a NIK held elsewhere")
        } catch let error as LumbungError {
            #expect(error.code == .workflowConflict, "\(error.message)")
            #expect(error.otherHouseholdID == nil && !error.message.contains("household \(inB.id!)"), "\(error.message)")
            #expect(!error.message.contains(String(takenNIK.rawValue)), "the NIK is masked")
        }
        // Two open requests on one NIK (a member proposed into two households).
        var fresh = fixture.factory.copy()
        var baby = inA[1].members[0]
        baby.nik = .valid(fresh.nik(fixture.desaA, try CalendarDate(year: 2026, month: 1, day: 5), .female))
        baby.relation = .anak
        baby.sex = .female
        baby.birthDate = try CalendarDate(year: 2026, month: 1, day: 5)
        baby.dukcapil = nil
        let add = try store.write { tx in
            try tx.createRequest(.init(type: .tambahAnggota, householdID: inA[1].id, change: .addMember(baby), meeting: fixture.meeting,
                                       evidence: kkCopy), by: fixture.operatorA)
        }
        #expect(throws: LumbungError.self) {
            try store.write { tx in
                try tx.createRequest(.init(type: .tambahAnggota, householdID: inA[2].id, change: .addMember(baby), meeting: fixture.meeting,
                                           evidence: kkCopy), by: fixture.operatorA)
            }
        }
        // Preview: the household after, and the diff.
        let preview = try store.read { tx in try tx.preview(add.id, for: fixture.verifikator) }
        #expect(preview.after.first??.members.count == inA[1].members.count + 1)
        #expect(preview.diff.contains { $0.contains("added") && $0.contains("household \(inA[1].id!)") }, "\(preview.diff)")
        // At apply: the KK a split proposes was taken meanwhile (by a register import).
        let splitter = inA.dropFirst(3).first { $0.validNIKs.count >= 2 && $0.members.count >= 2 }!
        let freshKK = NomorKK(unchecked: splitter.nomorKK.rawValue + 1)
        let split = try store.write { tx -> ChangeRequest in
            let request = try tx.createRequest(.init(type: .pecah, householdID: splitter.id, change: .split(niks: [splitter.validNIKs.last!], nomorKK: freshKK),
                                                     meeting: fixture.meeting), by: fixture.operatorA)
            _ = try tx.transition(request.id, .verify, by: fixture.verifikator)
            return try tx.transition(request.id, .approve, by: fixture.kepala)
        }
        try store.write { tx in
            var other = inB
            other.nomorKK = freshKK
            _ = try tx.put(other)
        }
        do {
            try store.write { tx in _ = try tx.transition(split.id, .apply, by: fixture.kepala) }
            Issue.record("a KK taken since the submission")
        } catch let error as LumbungError {
            #expect(error.code == .workflowConflict, "\(error.message)")
        }
        #expect(try store.read { tx in try tx.storedRequest(id: split.id)!.state } == .disetujui, "the refused apply changed nothing")
        #expect(try fixture.household(splitter.id!) == splitter)
    }

    // MARK: Scope

    @Test func aDesaOperatorAndACitizenSeeNothingOfAnotherDesa() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        let inA = fixture.households.first { $0.wilayah == fixture.desaA && $0.status == .ditetapkan }!
        let inB = fixture.households.filter { $0.wilayah == fixture.desaB && $0.status == .ditetapkan }
        let ofB = try store.write { tx in try tx.createRequest(fixture.keluar(inB[0]), by: fixture.operatorB) }
        let bill = fixture.evidence([.rekeningListrik])
        let contest = try store.write { tx in
            try tx.createRequest(.init(type: .sanggah, householdKK: inB[1].nomorKK, change: .notEligible(.mampu),
                                       evidence: bill), by: fixture.citizen)
        }
        #expect(contest.channel == .citizen && contest.state == .diajukan)
        _ = try store.write { tx in try tx.createRequest(fixture.keluar(inA), by: fixture.operatorA) }
        for actor in [fixture.operatorA, fixture.otherCitizen] {
            try store.read { tx in
                #expect(try tx.request(id: ofB.id, for: actor) == nil)
                #expect(try tx.request(id: contest.id, for: actor) == nil)
                let all = try tx.requests(RequestQuery(), for: actor, limit: 1000).requests
                #expect(!all.contains { $0.desa == fixture.desaB }, "\(actor.role) lists nothing of desa B")
                #expect(try tx.requests(RequestQuery(wilayah: fixture.desaB), for: actor).requests.isEmpty)
                #expect(try tx.requests(RequestQuery(householdID: inB[0].id), for: actor).requests.isEmpty)
                #expect(try tx.requestTally(period: nil, for: actor).byDesa[fixture.desaB] == nil)
            }
            #expect(throws: LumbungError.self) { try store.write { tx in _ = try tx.transition(ofB.id, .withdraw, by: actor) } }
        }
        // A desa operator cannot propose for desa B's household; the answer is "not found".
        do {
            _ = try store.write { tx in try tx.createRequest(fixture.keluar(inB[2]), by: fixture.operatorA) }
            Issue.record("out of scope")
        } catch let error as LumbungError { #expect(error.code == .householdNotFound) }
        // The citizen reads back its own contest, and nothing of the household.
        let own = try store.read { tx in try tx.requests(RequestQuery(), for: fixture.citizen).requests }
        #expect(own.map(\.id) == [contest.id])
        let text = RequestJSON.value(own[0], for: fixture.citizen).text
        #expect(!text.contains("rumah_tangga_id") && !text.contains(fixture.desaB.dotted) && !text.contains(inB[1].nomorKK.description), "\(text)")
        #expect(!text.contains("verif") && !text.contains("kadis"))
        #expect(throws: LumbungError.self) { try store.read { tx in _ = try tx.preview(contest.id, for: fixture.citizen) } }
        // The kabupaten sees it, verifies and applies it: the household leaves the decree.
        try store.write { tx in
            _ = try tx.transition(contest.id, .verify, by: fixture.verifikator)
            _ = try tx.transition(contest.id, .approve, by: fixture.kepala)
            _ = try tx.transition(contest.id, .apply, by: fixture.kepala)
        }
        #expect(try fixture.household(inB[1].id!)?.status == .tidakLayak(.mampu))
        let after = try store.read { tx in try tx.request(id: contest.id, for: fixture.citizen) }
        #expect(after?.state == .diterapkan)
        // A desa operator token's scope is one desa.
        #expect(throws: LumbungError.self) { try AccessRole.desaOperator.checkScope(AccessScope(try KodeWilayah("32.16"))) }
    }

    // MARK: Periods

    @Test func anApprovalAfterTheCutoffBelongsToTheNextPeriod() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        let listed = fixture.households.filter { $0.status == .ditetapkan && $0.wilayah == fixture.desaA }
        let dropped = fixture.households.filter { $0.status.reason != nil && $0.wilayah == fixture.desaA }
        let beforeCutoff = Timestamp(parsing: "2026-11-17T23:59:00+07:00")!.date
        let afterCutoff = Timestamp(parsing: "2026-11-18T00:01:00+07:00")!.date
        let proposal = fixture.evidence([.fotoRumah, .ktp])
        let early = try store.write { tx -> ChangeRequest in
            let request = try tx.createRequest(.init(type: .usulUlang, householdID: dropped[0].id, change: .reProposal, meeting: fixture.meeting,
                                                     evidence: proposal), by: fixture.operatorA)
            _ = try tx.transition(request.id, .verify, by: fixture.verifikator)
            return try tx.transition(request.id, .approve, by: fixture.kepala, at: beforeCutoff)
        }
        let late = try store.write { tx -> ChangeRequest in
            let request = try tx.createRequest(fixture.keluar(listed[0]), by: fixture.operatorA)
            _ = try tx.transition(request.id, .verify, by: fixture.verifikator)
            return try tx.transition(request.id, .approve, by: fixture.kepala, at: afterCutoff)
        }
        let november = try Period(parsing: "2026-11")
        #expect(early.period == november)
        #expect(late.period == november.next)
        // Applying November: the late one waits for December.
        do {
            try store.write { tx in _ = try tx.transition([early.id, late.id], .apply, by: fixture.kepala, period: november) }
            Issue.record("a December request applied in November")
        } catch let error as LumbungError {
            #expect(error.code == .workflowNotDue && error.rule.contains("2026-12"), "\(error.message)")
        }
        // Verified, the re-proposal shows on its household (terverifikasi); the refused batch changed nothing.
        #expect(try fixture.household(dropped[0].id!)?.status == .terverifikasi, "the batch was all or nothing")
        try store.write { tx in _ = try tx.transition(early.id, .apply, by: fixture.kepala, period: november) }
        #expect(try fixture.household(dropped[0].id!)?.status == .ditetapkan)
        try store.write { tx in _ = try tx.transition(late.id, .apply, by: fixture.kepala, period: november.next) }
        let (nov, dec) = try store.read { tx in
            (try tx.requestTally(period: november, for: fixture.admin), try tx.requestTally(period: november.next, for: fixture.admin))
        }
        #expect(nov.total == 1 && nov.ditetapkan == 1 && nov.byType[.usulUlang] == 1 && nov.byDesa[fixture.desaA]?[.diterapkan] == 1)
        #expect(dec.total == 1 && dec.ditetapkan == 0 && dec.byType[.keluar] == 1)
        // The cut-off day is the store's: on the 20th, the 18th is still November.
        try store.write { tx in try tx.setCutoffDay(try CutoffDay(20)) }
        #expect(Period.containing(afterCutoff, cutoff: try store.read { tx in try tx.cutoffDay() }) == november)
        #expect(throws: LumbungError.self) { try CutoffDay(29) }
        // The journal names the request in the register's entries.
        let entries = try store.read { tx in try tx.changes(after: 0, limit: 100_000) }
        #expect(entries.contains { $0.action == .update && $0.householdID == dropped[0].id && $0.note.contains("request \(early.id)") })
        #expect(entries.contains { $0.action == .request && $0.note.contains("request \(late.id) keluar: apply → diterapkan") })
    }

    // MARK: The status follows requests only

    @Test func aDirectWriteCannotSetAStatus() throws {
        let fixture = try WorkflowFixture()
        var household = fixture.households[1]
        household.status = .tidakLayak(.ganda)
        do {
            _ = try fixture.store.write { tx in try tx.put(household, status: .direct) }
            Issue.record("a direct write changed the status")
        } catch let error as LumbungError {
            #expect(error.code == .householdStatusLocked && error.field == "status", "\(error.message)")
        }
        var factory = fixture.factory.copy()
        var fresh = factory.household()
        fresh.status = .ditetapkan
        #expect(throws: LumbungError.self) { try fixture.store.write { tx in _ = try tx.put(fresh, status: .direct) } }
        fresh.status = .usulan
        _ = try fixture.store.write { tx in try tx.put(fresh, status: .direct) }
        household.status = fixture.households[1].status
        household.alamat = "Jl. Baru 1"
        _ = try fixture.store.write { tx in try tx.put(household, status: .direct) }
    }
}

enum FactoryNames {
    static func random(_ random: inout SeededRandom) -> String { HouseholdFactory.names.randomElement(using: &random)! }
}

extension HouseholdFactory {
    /// A copy that draws from a fresh serial range (NIKs and KKs unused by the fixture).
    func copy() -> HouseholdFactory {
        var copy = HouseholdFactory(seed: 999, desaCount: 2)
        for _ in 0..<5_000 { _ = copy.nextSerial() }
        return copy
    }
}

extension RequestTests {
    /// Evidence named inline must be in the evidence store (`evidence.notFound` naming the
    /// field, nothing written); it is referenced as `request/ID` with the stored file's type and
    /// size; a withdrawn request releases it, and its household goes back to its reason.
    @Test func inlineEvidenceIsStoredReferencedAndReleasedWhenARequestEndsUnapplied() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        let dropped = fixture.households.first { $0.wilayah == fixture.desaA && $0.status.reason != nil }!
        let proposal = fixture.evidence([.fotoRumah, .ktp])
        let fake = try EvidenceReference(sha256: [UInt8](repeating: 7, count: 32), mediaType: "image/jpeg", size: 10, kind: .ktp)
        do {
            _ = try store.write { tx in
                try tx.createRequest(.init(type: .usulUlang, householdID: dropped.id, change: .reProposal, meeting: fixture.meeting,
                                           evidence: [proposal[0], fake]), by: fixture.operatorA)
            }
            Issue.record("a digest not in the evidence store was accepted")
        } catch let error as LumbungError {
            #expect(error.code == .evidenceNotFound && error.field == "bukti[1].sha256" && error.value == fake.hex, "\(error.message)")
        }
        #expect(try store.read { tx in try tx.requests(RequestQuery(), for: fixture.admin).requests.isEmpty })
        // What the submission claims of type and size is replaced by the stored file's.
        let claimed = [try EvidenceReference(sha256: proposal[0].sha256, mediaType: "image/png", size: 1, kind: .fotoRumah), proposal[1]]
        let request = try store.write { tx in
            try tx.createRequest(.init(type: .usulUlang, householdID: dropped.id, change: .reProposal, meeting: fixture.meeting, evidence: claimed),
                                 by: fixture.operatorA)
        }
        #expect(request.evidence == proposal)
        #expect(try fixture.household(dropped.id!)?.status == .usulan)
        let referrers = { try store.read { tx in try proposal.map { try tx.evidence.referrers(of: $0.digest) } } }
        #expect(try referrers() == [[.request(request.id)], [.request(request.id)]])
        try store.write { tx in _ = try tx.transition(request.id, .withdraw, by: fixture.operatorA) }
        #expect(try referrers() == [[], []], "a withdrawn request releases its evidence")
        #expect(try fixture.household(dropped.id!)?.status == dropped.status, "back to tidak_layak with its reason")
        #expect(try store.check().isClean)
    }
}
