import Foundation
import Testing
@testable import Lumbung

/// A period's decree: the snapshot manifest's counts of requests and households set
/// `ditetapkan`, and the decree (SK) import.
@Suite("Decree")
struct DecreeTests {
    /// What the model expects of one request.
    struct Expected {
        var desa: KodeWilayah
        var type: RequestType
        var state: RequestState
        var period: Period?
    }

    /// Random requests of several types in both desa, walked to random states, some approved
    /// before November's cut-off and some after: the manifest's decree counts equal the model's,
    /// whole and scoped to one desa, and `snapshot verify` agrees.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func theManifestCountsThePeriodsRequestsAsAModelDoes(seed: UInt64) throws {
        let fixture = try WorkflowFixture(seed: seed, count: 40)
        let store = fixture.store
        var random = SeededRandom(seed: seed)
        let november = try Period(parsing: "2026-11")
        let before = Timestamp(parsing: "2026-11-10T09:00:00+07:00")!.date
        let after = Timestamp(parsing: "2026-11-20T09:00:00+07:00")!.date
        let proposal = fixture.evidence([.fotoRumah, .ktp])
        let contest = fixture.evidence([.sktm])
        var model: [Expected] = []
        for household in fixture.households {
            let type: RequestType = household.status.reason != nil ? .usulUlang : (Bool.random(using: &random) ? .keluar : .sanggah)
            let change: RequestChange = type == .usulUlang ? .reProposal : .notEligible(.mampu)
            let evidence = type == .usulUlang ? proposal : type == .sanggah ? contest : []
            // How far it goes: 0 diajukan, 1 diverifikasi, 2 disetujui, 3 diterapkan, 4 ditolak after approval.
            let depth = Int.random(in: 0...4, using: &random)
            let when = Bool.random(using: &random) ? before : after
            let actor = household.wilayah == fixture.desaA ? fixture.operatorA : fixture.operatorB
            var expected = Expected(desa: household.wilayah, type: type, state: .diajukan)
            try store.write { tx in
                let request = try tx.createRequest(.init(type: type, householdID: household.id, change: change, meeting: fixture.meeting, evidence: evidence), by: actor)
                if depth >= 1 { _ = try tx.transition(request.id, .verify, by: fixture.verifikator); expected.state = .diverifikasi }
                if depth >= 2 {
                    _ = try tx.transition(request.id, .approve, by: fixture.kepala, at: when)
                    expected.state = .disetujui
                    expected.period = Period.containing(when, cutoff: .standard)
                }
                if depth == 3 { _ = try tx.transition(request.id, .apply, by: fixture.kepala); expected.state = .diterapkan }
                if depth == 4 { _ = try tx.transition(request.id, .reject, by: fixture.kepala, note: "data ganda"); expected.state = .ditolak }
            }
            model.append(expected)
        }
        let manifest = try store.snapshots.create(period: try SnapshotName("2026-11"))
        let decree = try #require(manifest.decree)
        let ofPeriod = model.filter { $0.period == november }
        func check(_ decree: SnapshotManifest.Decree, _ requests: [Expected], _ label: String, period: Period = november) {
            #expect(decree.period == period.description && decree.cutoff == "\(period)-17", "\(label)")
            #expect(decree.total == requests.count, "\(label)")
            #expect(decree.jenis == Dictionary(grouping: requests, by: \.type.name).mapValues(\.count), "\(label)")
            #expect(decree.status == Dictionary(grouping: requests, by: \.state.name).mapValues(\.count), "\(label)")
            let setIn = requests.filter { $0.state == .diterapkan && $0.type == .usulUlang }
            #expect(decree.ditetapkan == setIn.count, "\(label)")
            for (desa, inDesa) in Dictionary(grouping: requests, by: \.desa) {
                let entry = decree.desa.first { $0.wilayah == desa.dotted }
                #expect(entry?.total == inDesa.count && entry?.ditetapkan == setIn.filter { $0.desa == desa }.count, "\(label) \(desa)")
                #expect(entry?.jenis == Dictionary(grouping: inDesa, by: \.type.name).mapValues(\.count), "\(label) \(desa)")
            }
            #expect(decree.desa.count == Set(requests.map(\.desa)).count, "\(label)")
        }
        check(decree, ofPeriod, "whole store")
        #expect(ofPeriod.count > 0 && ofPeriod.count < model.count, "the walk spans both periods")
        // A desa's reader sees its desa's counts only.
        struct Scoped: Decodable { var decree: SnapshotManifest.Decree? }
        let scoped = try SnapshotManifest.decoder.decode(Scoped.self, from: manifest.encoded(for: AccessScope(fixture.desaA)))
        check(try #require(scoped.decree), ofPeriod.filter { $0.desa == fixture.desaA }, "scoped")
        #expect(!String(decoding: manifest.encoded(for: AccessScope(fixture.desaA)), as: UTF8.self).contains(fixture.desaB.dotted))
        // Verify recomputes the decree from the copy; December's snapshot counts December's.
        #expect(try store.snapshots.verify(try SnapshotName("2026-11")).isValid)
        let december = try store.snapshots.create(period: try SnapshotName("2026-12"))
        check(try #require(december.decree), model.filter { $0.period == november.next }, "december", period: november.next)
    }

    /// A manifest written before decrees were recorded reads, shows none and still verifies.
    @Test func aManifestWithoutADecreeStillReadsAndVerifies() throws {
        let fixture = try WorkflowFixture(count: 6)
        let name = try SnapshotName("2026-10")
        let manifest = try fixture.store.snapshots.create(period: name)
        #expect(manifest.decree != nil)
        var old = manifest
        old.decree = nil
        let path = (fixture.store.snapshots.path(of: name) as NSString).appendingPathComponent("manifest.json")
        chmod(path, 0o644)
        try old.encoded().write(to: URL(fileURLWithPath: path))
        let read = try fixture.store.snapshots.manifest(name)
        #expect(read.decree == nil && read.households == manifest.households)
        #expect(!String(decoding: old.encoded(), as: UTF8.self).contains("decree"))
        #expect(try fixture.store.snapshots.verify(name).isValid)
    }

    /// Random SKs (a random scope, random listed households by id or KK, complete or not) against
    /// a model of the statuses: listed → ditetapkan; with complete, the scope's other ditetapkan →
    /// terverifikasi; nothing else changes. The period's manifest counts what the SKs set.
    @Test(arguments: [4, 5, 6] as [UInt64])
    func aDecreeImportSetsWhatAModelSays(seed: UInt64) throws {
        var fixture = try WorkflowFixture(seed: seed, count: 30)
        var random = SeededRandom(seed: seed)
        // Some proposals waiting for a decree.
        fixture.households = try fixture.store.write { tx in
            try fixture.households.map { household in
                guard household.status == .ditetapkan, Bool.random(using: &random) else { return household }
                var changed = household
                changed.status = Bool.random(using: &random) ? .usulan : .terverifikasi
                _ = try tx.put(changed, nikPolicy: .keepFlagged)
                return try tx.household(id: household.id!)!
            }
        }
        var statuses = Dictionary(uniqueKeysWithValues: fixture.households.map { ($0.id!, $0.status) })
        let period = try Period(parsing: "2026-11")
        var expectedSet: [KodeWilayah: Int] = [:], expectedOut: [KodeWilayah: Int] = [:]
        for round in 0..<3 {
            let scope = Bool.random(using: &random) ? AccessScope(fixture.desaA) : .everything
            let complete = Bool.random(using: &random)
            let candidates = fixture.households.filter { scope.permits($0.wilayah) && statuses[$0.id!]!.reason == nil }
            let listed = candidates.filter { _ in Bool.random(using: &random) }
            let listings = listed.enumerated().map { index, household in
                DecreeImport.Listing(key: Bool.random(using: &random) ? .id(household.id!) : .kk(household.nomorKK), place: "line \(index + 2)", field: "x")
            }
            var iterator = listings.makeIterator()
            let sk = try DecreeImport.SK(nomor: "400.9/\(round)/Dinsos", tanggal: try CalendarDate(year: 2026, month: 11, day: 20))
            let record = try fixture.store.write(actor: "admin") { tx in
                try tx.importDecree(sk, period: period, scope: scope, complete: complete) { iterator.next() }
            }
            let listedIDs = Set(listed.map { $0.id! })
            for household in fixture.households {
                let id = household.id!
                if listedIDs.contains(id) {
                    if statuses[id] != .ditetapkan { expectedSet[household.wilayah, default: 0] += 1 }
                    statuses[id] = .ditetapkan
                } else if complete, scope.permits(household.wilayah), statuses[id] == .ditetapkan {
                    statuses[id] = .terverifikasi
                    expectedOut[household.wilayah, default: 0] += 1
                }
            }
            let stored = try fixture.store.read { tx in try fixture.households.map { try tx.household(id: $0.id!)!.status } }
            #expect(stored == fixture.households.map { statuses[$0.id!]! }, "round \(round)")
            #expect(record.nomor == sk.nomor && record.complete == complete)
        }
        let imports = try fixture.store.read { tx in try tx.decreeImports(period: period) }
        #expect(imports.map(\.nomor) == ["400.9/0/Dinsos", "400.9/1/Dinsos", "400.9/2/Dinsos"])
        let journal = try fixture.store.read { tx in try tx.changes(after: 0, limit: 100_000) }
        #expect(journal.filter { $0.action == .event && $0.note.hasPrefix("decree import: SK 400.9/") }.count == 3)
        let decree = try #require(try fixture.store.snapshots.create(period: try SnapshotName("2026-11")).decree)
        #expect(decree.sk.map(\.nomor) == imports.map(\.nomor))
        for desa in [fixture.desaA, fixture.desaB] {
            let entry = decree.desa.first { $0.wilayah == desa.dotted }
            #expect((entry?.ditetapkan ?? 0) == (expectedSet[desa] ?? 0) && (entry?.dicabut ?? 0) == (expectedOut[desa] ?? 0), "\(desa)")
        }
        #expect(try fixture.store.check().isClean)
    }

    /// An unknown id, another desa's household, a tidak_layak household or an SK imported twice:
    /// refused, naming the line, field, value and rule, and the store is as it was.
    @Test func aRefusedDecreeImportLeavesTheStoreAsItWas() throws {
        let fixture = try WorkflowFixture(count: 12)
        let inA = fixture.households.filter { $0.wilayah == fixture.desaA && $0.status == .ditetapkan }
        let inB = fixture.households.first { $0.wilayah == fixture.desaB }!
        let dropped = fixture.households.first { $0.wilayah == fixture.desaA && $0.status.reason != nil }!
        let period = try Period(parsing: "2026-11")
        let sk = try DecreeImport.SK(nomor: "SK-1", tanggal: try CalendarDate(year: 2026, month: 11, day: 20))
        try fixture.store.write { tx in
            var items = [DecreeImport.Listing(key: .id(inA[0].id!), place: "line 2", field: "rumah_tangga_id")].makeIterator()
            _ = try tx.importDecree(sk, period: period, scope: .everything, complete: false) { items.next() }
        }
        func state() throws -> ([Household], UInt64, [DecreeImport]) {
            try fixture.store.read { tx in
                (try fixture.households.map { try tx.household(id: $0.id!)! }, try tx.changes(after: 0, limit: 100_000).last!.sequence, try tx.decreeImports(period: period))
            }
        }
        let before = try state()
        let cases: [(DecreeImport.SK, DecreeImport.Listing, String, String)] = [
            (try .init(nomor: "SK-2", tanggal: sk.tanggal), .init(key: .id(HouseholdID(999_999)), place: "line 3", field: "rumah_tangga_id"), "999999", "no household"),
            (try .init(nomor: "SK-2", tanggal: sk.tanggal), .init(key: .kk(inB.nomorKK), place: "line 3", field: "nomor_kk"), inB.nomorKK.masked, "no household"),
            (try .init(nomor: "SK-2", tanggal: sk.tanggal), .init(key: .id(dropped.id!), place: "line 3", field: "rumah_tangga_id"), dropped.id!.description, "usul_ulang"),
            (sk, .init(key: .id(inA[1].id!), place: "line 2", field: "rumah_tangga_id"), "SK-1", "already imported"),
        ]
        for (sk, bad, value, rule) in cases {
            do {
                try fixture.store.write(actor: "admin") { tx in
                    // A good line first: it is written, then undone with the rest.
                    var items = [DecreeImport.Listing(key: .id(inA[1].id!), place: "line 2", field: "rumah_tangga_id"), bad].makeIterator()
                    _ = try tx.importDecree(sk, period: period, scope: AccessScope(fixture.desaA), complete: true) { items.next() }
                }
                Issue.record("\(bad) was imported")
            } catch let error as LumbungError {
                #expect(error.code == .decreeInvalid && error.value == value && error.rule.contains(rule), "\(error.message)")
                if sk.nomor == "SK-2" { #expect(error.field == "line 3: \(bad.field)", "\(error.message)") }
            }
            let after = try state()
            #expect(after.0 == before.0 && after.1 == before.1 && after.2 == before.2, "\(bad)")
        }
        #expect(throws: LumbungError.self) { try DecreeImport.Listing("x", field: "rumah_tangga_id", place: "line 4") }
        #expect(try DecreeListJSON.listings(Data(#"[7, "\#(inB.nomorKK.text)", {"rumah_tangga_id": 8}, {"nomor_kk": "\#(inB.nomorKK.text)"}]"#.utf8)).map(\.key)
                == [.id(HouseholdID(7)), .kk(inB.nomorKK), .id(HouseholdID(8)), .kk(inB.nomorKK)])
        #expect(throws: LumbungError.self) { try DecreeListJSON.listings(Data(#"[true]"#.utf8)) }
    }
}
