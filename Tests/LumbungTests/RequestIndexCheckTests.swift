import CLMDB
import Foundation
import Testing
@testable import Lumbung

/// `check` verifies the stored change requests, `idx.requests` and the requests' references in
/// `evidence.refs`: one broken store for each kind of issue, found with tiny sort runs (spilled)
/// as with whole ones.
@Suite("Request index check")
struct RequestIndexCheckTests {
    /// A store with requests in several states, each holding evidence, and a clean check.
    static func store() throws -> (WorkflowFixture, [ChangeRequest]) {
        let fixture = try WorkflowFixture(count: 16)
        let proposal = fixture.evidence([.fotoRumah, .ktp])
        var made: [ChangeRequest] = []
        for (index, household) in fixture.households.enumerated() {
            let actor = household.wilayah == fixture.desaA ? fixture.operatorA : fixture.operatorB
            let draft: ChangeRequest.Draft = household.status.reason != nil
                ? .init(type: .usulUlang, householdID: household.id, change: .reProposal, meeting: fixture.meeting, evidence: proposal)
                : .init(type: .keluar, householdID: household.id, change: .notEligible(.pindah), meeting: fixture.meeting, evidence: fixture.evidence([.lainnya], salt: UInt8(index)))
            made.append(try fixture.store.write { tx in
                let request = try tx.createRequest(draft, by: actor)
                switch index % 4 {
                case 1: return try tx.transition(request.id, .verify, by: fixture.verifikator)
                case 2: return try tx.transition(request.id, .withdraw, by: actor)
                case 3: return try tx.transition(request.id, .reject, by: fixture.kepala, note: "ganda")
                default: return request
                }
            })
        }
        let report = try fixture.store.check(limit: 1000, runLength: 2)
        #expect(report.isClean, "\(report.issues)")
        return (fixture, made)
    }

    static func kinds(_ store: Store) throws -> [CheckReport.Issue.Kind: Int] {
        let whole = try store.check(limit: 1000, runLength: .max), spilled = try store.check(limit: 1000, runLength: 3)
        #expect(whole.issues == spilled.issues)
        return Dictionary(grouping: whole.issues.filter { $0.kind.rawValue.hasPrefix("request") }, by: \.kind).mapValues(\.count)
    }

    @Test("an open proposal's household that is gone or not at the status its steps set is reported")
    func aProposalsHouseholdOffItsStepsIsReported() throws {
        let fixture = try WorkflowFixture()
        let store = fixture.store
        var factory = fixture.factory.copy()
        let first = NewHouseholdRequestTests.proposal(&factory, in: fixture.desaA)
        let second = NewHouseholdRequestTests.proposal(&factory, in: fixture.desaA)
        let verified = try store.write { tx in
            let request = try tx.createRequest(NewHouseholdRequestTests.baru(first, fixture), by: fixture.operatorA)
            return try tx.transition(request.id, .verify, by: fixture.verifikator)
        }
        let submitted = try store.write { tx in try tx.createRequest(NewHouseholdRequestTests.baru(second, fixture), by: fixture.operatorA) }
        let verifiedID = try #require(verified.householdID), submittedID = try #require(submitted.householdID)
        #expect(try Self.kinds(store).isEmpty)

        // Behind the workflow's back: the verified one's household back to usulan, the submitted one's removed.
        try store.write { tx in
            let old = try #require(try tx.household(id: verifiedID))
            var new = old
            new.status = .usulan
            _ = try tx.write(try new.validated(policy: .keepFlagged), replacing: old, action: nil)
            try tx.remove(try #require(try tx.household(id: submittedID)))
        }
        #expect(try Self.kinds(store) == [.requestHousehold: 2])
        let issues = try store.check().issues.filter { $0.kind == .requestHousehold }
        #expect(issues.contains { $0.householdID == verifiedID && $0.detail.contains("request \(verified.id)") && $0.detail.contains("shows its household as terverifikasi; the register holds usulan") }, "\(issues)")
        #expect(issues.contains { $0.householdID == submittedID && $0.detail.contains("request \(submitted.id)") && $0.detail.contains("not stored") }, "\(issues)")

        // Withdrawn, the request shows nothing: the removed household is no longer an issue.
        try store.write { tx in _ = try tx.transition(submitted.id, .withdraw, by: fixture.operatorA) }
        #expect(try Self.kinds(store) == [.requestHousehold: 1])
    }

    @Test func aLostAndAnInventedIndexEntryAreReported() throws {
        let (fixture, made) = try Self.store()
        let dbs = fixture.store.environment.dbs
        let request = made[1]
        try fixture.store.environment.withWrite { txn in
            let lost = RequestIndexKey.desaState(request.desa.packed, request.state)
            #expect(try txn.delete(dbs.requestIndex!, lost, Keys.request(request.id)))
            // An entry for a state it is not in, and one naming no request.
            try txn.put(dbs.requestIndex!, RequestIndexKey.desaState(request.desa.packed, .disetujui), Keys.request(request.id))
            try txn.put(dbs.requestIndex!, RequestIndexKey.household(HouseholdID(9_999)), Keys.request(RequestID(77)))
        }
        #expect(try Self.kinds(fixture.store) == [.requestIndexMissing: 1, .requestIndexExtra: 2])
        let issue = try #require(try fixture.store.check().issues.first { $0.kind == .requestIndexMissing })
        #expect(issue.detail.contains("request \(request.id)"), "\(issue)")
    }

    @Test func anUndecodableRequestAndAnIDPastTheNextAreReported() throws {
        let (fixture, made) = try Self.store()
        let dbs = fixture.store.environment.dbs
        try fixture.store.environment.withWrite { txn in
            try txn.put(dbs.requests!, Keys.request(made[0].id), [9, 9, 9])
            // A copy of a request under an id the store never handed out.
            let copy = try #require(try txn.get(dbs.requests!, Keys.request(made[1].id))).array
            try txn.put(dbs.requests!, Keys.request(RequestID(500)), copy)
        }
        let kinds = try Self.kinds(fixture.store)
        #expect(kinds[.requestCorrupt] == 1 && kinds[.requestIDAhead] == 1, "\(kinds)")
        // The broken request's index entries now point at nothing it implies; the copy's are missing.
        #expect(kinds[.requestIndexExtra, default: 0] > 0 && kinds[.requestIndexMissing, default: 0] > 0, "\(kinds)")
    }

    @Test func aLostAndAStaleEvidenceReferenceAreReported() throws {
        let (fixture, made) = try Self.store()
        let holding = made[0], withdrawn = made[2]
        #expect(!withdrawn.state.holdsEvidence && holding.state.holdsEvidence)
        try fixture.store.write { tx in
            #expect(try tx.evidence.release(holding.evidence[0].digest, by: .request(holding.id)))
            // A withdrawn request released its files; a reference back is stale.
            _ = try tx.evidence.reference(withdrawn.evidence[0].digest, by: .request(withdrawn.id))
        }
        #expect(try Self.kinds(fixture.store) == [.requestEvidenceUnreferenced: 1, .requestEvidenceStale: 1])
    }
}
