import CLMDB
import Foundation

extension WriteTransaction {
    /// Creates a change request as a draft, and submits it unless `submit` is false.
    ///
    /// The household it names must be in the actor's scope (a household outside it is reported
    /// as not found). The change is checked against the stored households now (a preview that
    /// does not validate is refused), and clashes with other open requests are refused on
    /// submission (a citizen's submission is checked by the kabupaten at verification instead,
    /// so it learns nothing about other requests).
    ///
    /// ```swift
    /// let request = try store.write(actor: desa.actor) { tx in
    ///     try tx.createRequest(.init(type: .keluar, householdID: 42, change: .notEligible(.pindah),
    ///                                meeting: .beritaAcara(number: "BA-07", date: today)), by: desa)
    /// }
    /// ```
    ///
    /// Evidence the draft names must be in the evidence store: the request references it
    /// (`request/ID`), with the stored file's media type and size.
    ///
    /// - Throws: `evidence.notFound` (field `bukti[N].sha256`) for a digest not stored; the
    ///   workflow's codes (``RequestWorkflow/check(_:_:by:note:)``).
    @discardableResult
    public func createRequest(_ draft: ChangeRequest.Draft, by actor: RequestActor, submit: Bool = true, at now: Date = Date()) throws -> ChangeRequest {
        try ensureValid()
        guard let dbi = dbs.requests else { throw LumbungError(.storeReadOnly, rule: "the store has no request database") }
        _ = dbi
        guard draft.type.fits(draft.change) else {
            throw LumbungError(.workflowInvalid, field: "perubahan", value: draft.type.name,
                               rule: "the change does not fit a \(draft.type) request (baru: a household without id; ubah: with its id)")
        }
        let desa: KodeWilayah
        var namedID: HouseholdID?
        var baseTime: Timestamp?
        if draft.type.needsHousehold {
            let named = try draft.householdID ?? draft.householdKK.flatMap { try householdID(kk: $0) }
            guard let id = named, let household = try household(id: id),
                  actor.role == .citizen || actor.scope.permits(household.wilayah) else {
                throw LumbungError(.householdNotFound, field: "rumah_tangga_id", value: draft.householdID?.description ?? draft.householdKK?.masked,
                                   rule: "no household with this id or KK in your scope")
            }
            if case .household(let proposed) = draft.change {
                guard proposed.id == id else {
                    throw LumbungError(.workflowInvalid, field: "rumah_tangga.id", value: proposed.id?.description,
                                       rule: "an ubah request's household carries the id it names (\(id))")
                }
                guard proposed.status == household.status else {
                    throw LumbungError(.householdStatusLocked, field: "rumah_tangga.status", value: proposed.status.description,
                                       rule: "an ubah request keeps the status (\(household.status)); keluar, usul_ulang and sanggah change it")
                }
            }
            namedID = id
            desa = household.wilayah
            baseTime = household.updatedAt.map(Timestamp.init)
        } else {
            guard case .household(let proposed) = draft.change else { fatalError("fits() holds") }
            guard actor.role == .citizen || actor.scope.permits(proposed.wilayah) else {
                throw LumbungError(.workflowInvalid, field: "rumah_tangga.kode_wilayah", value: proposed.wilayah.dotted,
                                   rule: "the household is outside your scope (\(actor.scope))")
            }
            desa = proposed.wilayah
        }
        guard let channel = RequestChannel(proposer: actor.role) else {
            throw LumbungError(.workflowRole, field: "role", value: actor.role.rawValue,
                               rule: "create is for " + RequestWorkflow.step(.create).roles.map(\.rawValue).joined(separator: ", "))
        }
        if let meeting = draft.meeting, meeting.number.trimmedWhitespace.isEmpty || meeting.number.utf8.count > MeetingReference.maxNumberBytes {
            throw LumbungError(.workflowInvalid, field: "berita_acara.nomor", value: meeting.number,
                               rule: "a meeting reference number is 1 to \(MeetingReference.maxNumberBytes) bytes")
        }
        var request = ChangeRequest(
            id: try allocateRequestID(), type: draft.type, state: .draft, channel: channel, proposer: actor.actor,
            proposerRole: actor.role, householdID: namedID, desa: desa, change: draft.change, meeting: draft.meeting,
            evidence: [], transitions: [], period: nil, baseTime: baseTime)
        try RequestWorkflow.check(.create, request, by: actor, note: draft.note)
        // Evidence named inline must be in the evidence store; the request references it there
        // (so gc keeps it), with the stored file's media type and size.
        for (index, item) in draft.evidence.enumerated() {
            let attachment: EvidenceAttachment
            do {
                attachment = try self.evidence.reference(item.digest, by: .request(request.id))
            } catch var error as LumbungError {
                error.field = "bukti[\(index)].sha256"
                throw error
            }
            let stored = EvidenceReference(attachment, kind: item.kind)
            if !request.evidence.contains(stored) { request.evidence.append(stored) }
        }
        _ = try RequestEffect.writes(request, in: self)
        request.transitions.append(RequestTransition(action: .create, state: .draft, actor: actor.actor, role: actor.role, time: Timestamp(now), note: draft.note))
        try saveRequest(request, replacing: nil)
        try journalRequest(request, action: .create)
        guard submit else { return request }
        return try transition(request.id, .submit, by: actor, at: now)
    }

    /// Takes `action` on a request (submit, verify, approve, apply, reject, withdraw) and returns it.
    ///
    /// `apply` writes the register in this transaction through the store's write path (indexes,
    /// counters, journal entries naming the request); a failure leaves request and register as
    /// they were. `approve` fixes the period the request belongs to (``Period/containing(_:cutoff:)``
    /// at `now`); `apply` with `period` refuses a request of a later period (`workflow.notDue`).
    ///
    /// - Throws: ``RequestWorkflow/check(_:_:by:note:)``'s codes, `workflow.notFound` for a
    ///   request the actor may not see, `workflow.conflict` for clashes.
    @discardableResult
    public func transition(_ id: RequestID, _ action: RequestAction, by actor: RequestActor, note: String = "",
                           period: Period? = nil, at now: Date = Date()) throws -> ChangeRequest {
        try ensureValid()
        guard let old = try storedRequest(id: id), actor.sees(old) else {
            throw LumbungError(.workflowNotFound, field: "id", value: id.description, rule: "no request with this id in your scope")
        }
        let step = try RequestWorkflow.check(action, old, by: actor, note: note)
        var request = old
        var storesProposal = true
        switch action {
        case .submit where actor.role != .citizen, .verify:
            try checkConflicts(request, for: actor)
        case .submit where request.type.proposesHousehold:
            // A citizen learns nothing of a clash: its new household is stored now only if it
            // clashes with nothing, else at verification, where the kabupaten is told the clash.
            storesProposal = try !proposalClashes(request, for: actor)
        case .approve:
            request.period = Period.containing(now, cutoff: try cutoffDay())
        case .apply:
            if let period, let own = request.period, own > period {
                throw LumbungError(.workflowNotDue, field: "periode", value: own.description,
                                   rule: "request \(id) was approved after the cut-off of \(period): it is applied in \(own)")
            }
            try checkConflicts(request, for: actor)
            try applyToRegister(&request)
        default: break
        }
        try showOnHousehold(step.household, of: &request, from: old.state, storing: storesProposal)
        request.state = step.to
        request.transitions.append(RequestTransition(action: action, state: step.to, actor: actor.actor, role: actor.role, time: Timestamp(now), note: note))
        if old.state.holdsEvidence, !step.to.holdsEvidence {
            for item in request.evidence { try self.evidence.release(item.digest, by: .request(id)) }
        }
        try saveRequest(request, replacing: old)
        try journalRequest(request, action: action)
        return request
    }

    /// Takes `action` on many requests in this one transaction (a verifikator's batch of a
    /// desa): all of them, or none when one is refused.
    @discardableResult
    public func transition(_ ids: [RequestID], _ action: RequestAction, by actor: RequestActor, note: String = "",
                           period: Period? = nil, at now: Date = Date()) throws -> [ChangeRequest] {
        try ids.map { try transition($0, action, by: actor, note: note, period: period, at: now) }
    }

    /// Takes `action` on every request in `wilayah` (a desa, or wider; nil: every one the actor
    /// sees) that the action starts from, in this one transaction: a verifikator's batch of a
    /// desa (`request approve --desa`, `POST /v1/requests/batch/approve`). With `period`, an
    /// apply takes only the requests of that period and earlier.
    ///
    /// ```swift
    /// let approved = try store.write(actor: "kadis") { tx in try tx.transition(in: desa, .approve, by: kepala) }
    /// ```
    @discardableResult
    public func transition(in wilayah: KodeWilayah?, _ action: RequestAction, by actor: RequestActor, note: String = "",
                           period: Period? = nil, at now: Date = Date()) throws -> [ChangeRequest] {
        let query = RequestQuery(wilayah: wilayah, states: RequestWorkflow.step(action).from)
        var targets: [RequestID] = []
        var cursor: String?
        repeat {
            let page = try requests(query, for: actor, after: cursor, limit: 10_000)
            targets += page.requests.filter { action != .apply || period == nil || ($0.period.map { $0 <= period! } ?? false) }.map(\.id)
            cursor = page.nextCursor
        } while cursor != nil
        return try transition(targets, action, by: actor, note: note, period: period, at: now)
    }

    /// Adds an evidence reference to a draft or submitted request (its proposer, or an admin).
    @discardableResult
    public func attach(_ evidence: EvidenceReference, to id: RequestID, by actor: RequestActor, at now: Date = Date()) throws -> ChangeRequest {
        try ensureValid()
        guard let old = try storedRequest(id: id), actor.sees(old) else {
            throw LumbungError(.workflowNotFound, field: "id", value: id.description, rule: "no request with this id in your scope")
        }
        guard old.state == .draft || old.state == .diajukan else {
            throw LumbungError(.workflowState, field: "state", value: old.state.name,
                               rule: "evidence is attached to a draft or diajukan request; request \(id) is \(old.state)")
        }
        guard actor.role == .admin || actor.actor == old.proposer else {
            throw LumbungError(.workflowNotProposer, field: "actor", value: actor.actor, rule: "only the proposer (\(old.proposer)) or an admin attaches evidence")
        }
        var request = old
        // The evidence store keeps the file while the request references it (`lumbung gc`).
        let stored = EvidenceReference(try self.evidence.reference(evidence.digest, by: EvidenceReferrer.request(id)), kind: evidence.kind)
        if !request.evidence.contains(stored) { request.evidence.append(stored) }
        try saveRequest(request, replacing: old)
        return request
    }

    /// Writes a step's ``RequestWorkflow/HouseholdEffect`` on a re-proposal's or a new (`baru`)
    /// household, through the write path (the journal entries name the request). A `baru`
    /// request stores its proposed household the first time a step sets a status (`storing`:
    /// not a citizen's clashing submission), and removes it when it ends unapplied.
    private func showOnHousehold(_ effect: RequestWorkflow.HouseholdEffect, of request: inout ChangeRequest,
                                 from state: RequestState, storing: Bool) throws {
        guard request.type.showsProposalSteps else { return }
        let old = try request.householdID.flatMap { try household(id: $0) }
        let saved = journalNote
        journalNote = "request \(request.id) \(request.type)"
        defer { journalNote = saved }
        switch effect {
        case .keep, .onApply: return
        case .set(let status):
            if request.type.proposesHousehold, old == nil {
                guard storing, case .household(var proposed) = request.change else { return }
                proposed.status = status
                request.householdID = try write(try proposed.validated(policy: .keepFlagged), replacing: nil, action: nil).id
                return
            }
            guard let old else { return }
            var new = old
            if case .tidakLayak(let reason) = old.status, request.priorReason == nil { request.priorReason = reason }
            new.status = status
            _ = try write(try new.validated(policy: .keepFlagged), replacing: old, action: nil)
        case .restore:
            // A draft never showed on the household.
            guard state != .draft, let old else { return }
            if request.type.proposesHousehold {
                // The household the request stored goes with it; the request names none again.
                try remove(old)
                request.householdID = nil
                return
            }
            guard let reason = request.priorReason else { return }
            var new = old
            new.status = .tidakLayak(reason)
            _ = try write(try new.validated(policy: .keepFlagged), replacing: old, action: nil)
        }
    }

    /// Whether a `baru` request's household cannot be stored now: a clash
    /// (``checkConflicts(_:for:)``) or a KK, NIK or source id another household holds. Checks
    /// only; nothing is written.
    private func proposalClashes(_ request: ChangeRequest, for actor: RequestActor) throws -> Bool {
        guard case .household(let proposed) = request.change else { return false }
        do {
            try checkConflicts(request, for: actor)
            try checkUnique(proposed)
            return false
        } catch let error as LumbungError where [.workflowConflict, .kkDuplicate, .nikDuplicate, .sourceIDDuplicate].contains(error.code) {
            return true
        }
    }

    /// Refuses a direct write (`put`, a delete, a member move: the CLI's and HTTP's household
    /// writes) to a household an open `baru` request stored: until that request is applied it
    /// changes through the request only (withdraw or reject it, and propose again). Admin
    /// imports (register, Dukcapil, desil) may still write it; the request then applies or
    /// removes the household as stored.
    ///
    /// - Throws: `workflow.conflict` naming the request (it is in the household's desa).
    func refuseDirectWrite(to household: Household) throws {
        guard let id = household.id, let request = try openProposal(holding: household) else { return }
        throw LumbungError(.workflowConflict, field: "id", value: id.description,
                           rule: "household \(id) is the proposal of open request \(request.id) (baru, \(request.state)): it changes through that request only; withdraw or reject it and propose again",
                           householdID: id)
    }

    /// Sets the day of the month periods close on (journaled).
    public func setCutoffDay(_ cutoff: CutoffDay) throws {
        try ensureValid()
        try txn.put(dbs.meta, MetaKey.cutoffDay, [UInt8(cutoff.day)])
        try recordEvent("cut-off day set to \(cutoff.day)")
    }

    // MARK: Inside

    private func allocateRequestID() throws -> RequestID {
        let next = try txn.get(dbs.meta, MetaKey.nextRequestID).map { Keys.read($0.buffer, width: 8) } ?? 1
        try txn.put(dbs.meta, MetaKey.nextRequestID, Keys.be(next + 1, width: 8))
        return RequestID(next)
    }

    func saveRequest(_ new: ChangeRequest, replacing old: ChangeRequest?) throws {
        guard let dbi = dbs.requests, let index = dbs.requestIndex else {
            throw LumbungError(.storeReadOnly, rule: "the store has no request database")
        }
        let id = Keys.request(new.id)
        let oldKeys = old.map(RequestIndexKey.keys(of:)) ?? []
        let newKeys = RequestIndexKey.keys(of: new)
        for key in oldKeys where !newKeys.contains(key) { try txn.delete(index, key, id) }
        for key in newKeys where !oldKeys.contains(key) { try txn.put(index, key, id, flags: UInt32(MDB_NODUPDATA)) }
        try txn.put(dbi, id, RequestCodec.encode(new))
    }

    private func journalRequest(_ request: ChangeRequest, action: RequestAction) throws {
        try appendJournal(action: .request, id: request.householdID ?? HouseholdID(rawValue: 0), digest: [],
                          note: "request \(request.id) \(request.type): \(action) → \(request.state)", wilayah: [request.desa])
    }

    /// Writes the request's effect (``RequestEffect``) through the write path; the journal
    /// entries name the request. A `baru` or `pecah` request learns its new household's id.
    private func applyToRegister(_ request: inout ChangeRequest) throws {
        let pairs = try RequestEffect.writes(request, in: self)
        let saved = journalNote
        journalNote = "request \(request.id) \(request.type)"
        defer { journalNote = saved }
        for pair in pairs {
            if let new = pair.new {
                let result = try write(new, replacing: pair.old, action: nil)
                if request.householdID == nil { request.householdID = result.id }
            } else if let old = pair.old {
                try remove(old)
            }
        }
    }

    /// Refuses a request that clashes: another open request on its households or NIKs, or a
    /// NIK or KK it proposes that another household holds. The error names the other request
    /// or household only when the actor may see it.
    func checkConflicts(_ request: ChangeRequest, for actor: RequestActor) throws {
        guard let index = dbs.requestIndex else { return }
        let cursor = try txn.cursor(index)
        defer { cursor.close() }
        func others(_ key: [UInt8]) throws -> [ChangeRequest] {
            var found: [ChangeRequest] = []
            var positioned = try cursor.seek(key)
            while positioned, Array(cursor.keyBytes) == key {
                let id = RequestID(Keys.read(cursor.valueBytes, width: Keys.requestIDWidth))
                if id != request.id, let other = try storedRequest(id: id), other.state.isOpen { found.append(other) }
                positioned = try cursor.move(MDB_NEXT_DUP)
            }
            return found
        }
        func clash(_ field: String, _ value: String, _ other: ChangeRequest) -> LumbungError {
            let named = actor.sees(other) ? "open request \(other.id) (\(other.type), \(other.state))" : "another open request"
            return LumbungError(.workflowConflict, field: field, value: value,
                                rule: "\(named) already touches it; request \(request.id) waits until that one is done")
        }
        for id in Set([request.householdID, request.otherHouseholdID].compactMap { $0 }) {
            if let other = try others(RequestIndexKey.household(id)).first { throw clash("rumah_tangga_id", id.description, other) }
        }
        for nik in Set(request.niks) {
            if let other = try others(RequestIndexKey.nik(nik)).first { throw clash("nik", nik.masked, other) }
        }
        func held(_ field: String, _ value: String, by holder: HouseholdID?, allowed: Set<HouseholdID>) throws {
            guard let holder, !allowed.contains(holder) else { return }
            let visible = try household(id: holder).map { actor.role != .citizen && actor.scope.permits($0.wilayah) } ?? false
            throw LumbungError(.workflowConflict, field: field, value: value,
                               rule: "it belongs to " + (visible ? "household \(holder)" : "another household"),
                               householdID: request.householdID, otherHouseholdID: visible ? holder : nil)
        }
        let own = Set([request.householdID, request.otherHouseholdID].compactMap { $0 })
        switch request.change {
        case .household(let proposed):
            try held("rumah_tangga.nomor_kk", proposed.nomorKK.masked, by: try householdID(kk: proposed.nomorKK), allowed: own)
            for nik in proposed.validNIKs { try held("rumah_tangga.anggota.nik", nik.masked, by: try householdID(nik: nik), allowed: own) }
        case .addMember(let member):
            if let nik = member.nik.nik { try held("anggota.nik", nik.masked, by: try householdID(nik: nik), allowed: own) }
        case .split(_, let nomorKK):
            try held("nomor_kk", nomorKK.masked, by: try householdID(kk: nomorKK), allowed: [])
        case .correctIdentity(_, let to, let nomorKK):
            if let to { try held("nik", to.masked, by: try householdID(nik: to), allowed: []) }
            if let nomorKK { try held("nomor_kk", nomorKK.masked, by: try householdID(kk: nomorKK), allowed: own) }
        case .removeMember, .moveMember, .changeHead, .merge, .notEligible, .reProposal: break
        }
    }
}

extension ReadTransaction {
    /// The households a request would write, before and after (``RequestPreview``).
    public func preview(_ id: RequestID, for actor: RequestActor) throws -> RequestPreview {
        guard actor.role != .citizen else {
            throw LumbungError(.workflowRole, field: "role", value: actor.role.rawValue, rule: "a citizen sees no household data; a preview is for officials")
        }
        guard let request = try request(id: id, for: actor) else {
            throw LumbungError(.workflowNotFound, field: "id", value: id.description, rule: "no request with this id in your scope")
        }
        let pairs = try RequestEffect.writes(request, in: self)
        return RequestPreview(before: pairs.map(\.old), after: pairs.map(\.new))
    }
}
