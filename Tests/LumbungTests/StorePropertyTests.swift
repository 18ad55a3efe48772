import Foundation
import Testing
@testable import Lumbung

/// The store checked against a plain in-memory model after random operation sequences.
@Suite("Store against an in-memory model")
struct StorePropertyTests {
    /// The obvious implementation: a dictionary of households.
    struct Model {
        var households: [HouseholdID: Household] = [:]
        var nextID: UInt64 = 1

        func owner(of nik: NIK) -> HouseholdID? { households.first { $0.value.validNIKs.contains(nik) }?.key }
        func owner(of kk: NomorKK) -> HouseholdID? { households.first { $0.value.nomorKK == kk }?.key }

        /// Whether a write of `household` would break uniqueness.
        func conflicts(_ household: Household) -> Bool {
            if let other = owner(of: household.nomorKK), other != household.id { return true }
            return household.validNIKs.contains { nik in owner(of: nik).map { $0 != household.id } ?? false }
        }

        func matches(_ household: Household, _ query: HouseholdQuery) -> Bool {
            if let wilayah = query.wilayah, !wilayah.contains(household.wilayah) { return false }
            switch query.status {
            case .exactly(let status)?: if household.status != status { return false }
            case .anyTidakLayak?: if household.status.reason == nil { return false }
            case nil: break
            }
            if let program = query.program, !household.programs.contains(program) { return false }
            if let desil = query.desil, !(household.desil.map(desil.contains) ?? false) { return false }
            let statuses = household.members.map { $0.nikStatus.kind }
            switch query.nikStatus {
            case .invalid?: if !statuses.contains(.invalid) { return false }
            case .missing?: if !statuses.contains(.missing) { return false }
            case .valid?: if statuses.contains(where: { $0 != .valid }) { return false }
            case nil: break
            }
            return true
        }
    }

    func randomQuery(_ random: inout SeededRandom, _ factory: HouseholdFactory) -> HouseholdQuery {
        var query = HouseholdQuery()
        switch Int.random(in: 0..<4, using: &random) {
        case 0: query.wilayah = factory.desa.randomElement(using: &random)
        case 1: query.wilayah = factory.desa.randomElement(using: &random)!.ancestor(at: .kecamatan)
        case 2: query.wilayah = try! KodeWilayah("32.16")
        default: break
        }
        if Bool.random(using: &random) {
            query.status = Bool.random(using: &random) ? .anyTidakLayak : .exactly(HouseholdStatus.allCases.randomElement(using: &random)!)
        }
        if Bool.random(using: &random) { query.program = Program.allCases.randomElement(using: &random) }
        if Bool.random(using: &random) {
            let low = Int.random(in: 1...10, using: &random)
            query.desil = low...Int.random(in: low...10, using: &random)
        }
        if Int.random(in: 0..<4, using: &random) == 0 { query.nikStatus = NIKStatus.Kind.allCases.randomElement(using: &random) }
        return query
    }

    @Test(arguments: [101, 202, 303] as [UInt64])
    func randomOperationSequences(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        var options = Store.Options()
        options.dictionaryThreshold = 40
        let store = try Store(path: directory.sub("store"), options: options)
        var factory = HouseholdFactory(seed: seed)
        var random = SeededRandom(seed: seed ^ 0xABCDEF)
        var model = Model()

        for step in 0..<300 {
            let roll = Int.random(in: 0..<100, using: &random)
            let ids = model.households.keys.sorted()
            if roll < 45 || ids.isEmpty {
                var household = factory.household(flaggedRate: 0.05)
                if let donor = ids.randomElement(using: &random), Int.random(in: 0..<10, using: &random) == 0 {
                    household.members[0].nik = model.households[donor]!.members[0].nik  // a deliberate duplicate
                }
                let expected = try? household.validated(policy: .keepFlagged)
                let conflicts = expected.map(model.conflicts) ?? true
                do {
                    let id = try store.write { tx in try tx.put(household, nikPolicy: .keepFlagged).id }
                    #expect(!conflicts, "seed \(seed) step \(step): put should have failed")
                    #expect(id == HouseholdID(model.nextID))
                    var stored = expected!
                    stored.id = id
                    model.households[id] = stored
                    model.nextID += 1
                } catch is LumbungError {
                    #expect(conflicts, "seed \(seed) step \(step): put failed unexpectedly")
                }
            } else if roll < 70 {
                let id = ids.randomElement(using: &random)!
                var household = model.households[id]!
                household.status = HouseholdStatus.allCases.randomElement(using: &random)!
                household.programs = Set(Program.allCases.filter { _ in Bool.random(using: &random) })
                household.desil = Bool.random(using: &random) ? Int.random(in: 1...10, using: &random) : nil
                if household.desil == nil { household.desilVersion = nil }  // a version needs a desil
                if Bool.random(using: &random) { household.wilayah = factory.desa.randomElement(using: &random)! }
                if Bool.random(using: &random) {
                    household.members.append(factory.member(household.wilayah, relation: .anak, flagged: Bool.random(using: &random)))
                }
                let conflicts = model.conflicts(household)
                do {
                    try store.write { tx in try tx.put(household, nikPolicy: .keepFlagged) }
                    #expect(!conflicts)
                    model.households[id] = try household.validated(policy: .keepFlagged)
                } catch is LumbungError {
                    #expect(conflicts, "seed \(seed) step \(step): replace failed unexpectedly")
                }
            } else if roll < 85 {
                let id = ids.randomElement(using: &random)!
                try store.write { tx in _ = try tx.delete(id: id) }
                model.households[id] = nil
            } else {
                guard ids.count >= 2 else { continue }
                let from = ids.randomElement(using: &random)!, to = ids.filter { $0 != from }.randomElement(using: &random)!
                guard let member = model.households[from]!.members.filter({ $0.nik.nik != nil }).randomElement(using: &random) else { continue }
                var source = model.households[from]!, destination = model.households[to]!
                source.members.removeAll { $0.nik == member.nik }
                var moved = member
                if moved.relation == .kepalaKeluarga { moved.relation = .familiLain }
                destination.members.append(moved)
                let valid = (try? source.validated(policy: .keepFlagged)) != nil && (try? destination.validated(policy: .keepFlagged)) != nil
                do {
                    try store.write { tx in try tx.moveMember(nik: member.nik.nik!, to: to, relation: moved.relation) }
                    #expect(valid, "seed \(seed) step \(step): move should have failed")
                    model.households[from] = source
                    model.households[to] = destination
                } catch is LumbungError {
                    #expect(!valid, "seed \(seed) step \(step): move failed unexpectedly")
                }
            }
            if step % 50 == 49 { try compare(store, model, &random, factory, seed: seed) }
        }
        try compare(store, model, &random, factory, seed: seed)
    }

    func compare(_ store: Store, _ model: Model, _ random: inout SeededRandom, _ factory: HouseholdFactory, seed: UInt64) throws {
        let queries = (0..<25).map { _ in randomQuery(&random, factory) }
        try store.read { (tx) throws in
            #expect(try tx.householdCount() == model.households.count)
            for (id, household) in model.households {
                let stored = try #require(try tx.household(id: id))
                #expect(stored.content == household.content, "seed \(seed): household \(id) differs")
                for nik in household.validNIKs { #expect(try tx.householdID(nik: nik) == id) }
                #expect(try tx.householdID(kk: household.nomorKK) == id)
            }
            // Counts at every level equal the model's.
            var regions: [KodeWilayah?] = [nil, try KodeWilayah("32.16")]
            regions += factory.desa.map { Optional($0) } + factory.desa.compactMap { $0.ancestor(at: .kecamatan) }
            for region in regions {
                let inRegion = model.households.values.filter { region?.contains($0.wilayah) ?? true }
                let counts = try tx.counts(wilayah: region)
                #expect(counts.total == Count(households: inRegion.count, members: inRegion.reduce(0) { $0 + $1.members.count }))
                for status in HouseholdStatus.allCases {
                    let matching = inRegion.filter { $0.status == status }
                    #expect((counts.byStatus[status] ?? .zero) == Count(households: matching.count, members: matching.reduce(0) { $0 + $1.members.count }))
                }
                for program in Program.allCases {
                    #expect((counts.byProgram[program]?.households ?? 0) == inRegion.filter { $0.programs.contains(program) }.count)
                }
                for desil in 1...10 {
                    #expect((counts.byDesil[desil]?.households ?? 0) == inRegion.filter { $0.desil == desil }.count)
                }
                let invalidMembers = inRegion.reduce(0) { $0 + $1.members.filter { $0.nikStatus.kind == .invalid }.count }
                #expect((counts.flaggedNIK[.invalid]?.members ?? 0) == invalidMembers)
            }
            for query in queries {
                let expected = model.households.values.filter { model.matches($0, query) }
                let expectedIDs = Set(expected.map { $0.id! })
                #expect(Set(try tx.ids(matching: query)) == expectedIDs, "seed \(seed): \(query)")
                #expect(try tx.count(query) == Count(households: expected.count, members: expected.reduce(0) { $0 + $1.members.count }), "seed \(seed): count \(query)")
                // Paging with a small limit returns every match exactly once.
                var seen: [HouseholdID] = []
                var cursor: String?
                repeat {
                    let page = try tx.find(query, after: cursor, limit: 3)
                    seen += page.households.map { $0.id! }
                    cursor = page.nextCursor
                } while cursor != nil
                #expect(seen.count == expectedIDs.count && Set(seen) == expectedIDs, "seed \(seed): pages \(query)")
            }
        }
        let report = try store.check()
        #expect(report.isClean, "seed \(seed): \(report.issues.prefix(5))")
    }

    @Test func pagesStayStableWhileOtherWritesHappen() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        var factory = HouseholdFactory(seed: 77, desaCount: 2)
        try store.write { tx in for _ in 0..<60 { try tx.put(factory.household()) } }
        let query = HouseholdQuery(wilayah: try KodeWilayah("32.16"))
        var seen: [HouseholdID] = []
        var cursor: String?
        var inserted: Set<HouseholdID> = []
        repeat {
            let page = try store.read { tx in try tx.find(query, after: cursor, limit: 7) }
            seen += page.households.map { $0.id! }
            cursor = page.nextCursor
            inserted.insert(try store.write { tx in try tx.put(factory.household()).id })
        } while cursor != nil
        #expect(Set(seen).count == seen.count, "no household appears twice")
        #expect(Set(1...60).map { HouseholdID(UInt64($0)) }.allSatisfy(Set(seen).contains), "every household present before paging is returned")
        #expect(throws: LumbungError.self) { try store.read { tx in try tx.find(query, after: "v1.zz") } }
    }
}

/// Random households survive the record codec unchanged.
@Suite("Record codec")
struct RecordCodecTests {
    @Test func randomHouseholdsRoundTrip() throws {
        var factory = HouseholdFactory(seed: 42)
        let compressor = Compressor()
        var samples: [[UInt8]] = []
        var households: [Household] = []
        for index in 0..<1500 {
            var household = factory.household(flaggedRate: 0.1)
            household.id = HouseholdID(UInt64(index + 1))
            household.updatedAt = RecordCodec.date(milliseconds: 1_700_000_000_123 + Int64(index))
            if index % 7 == 0 { household.attributes = [:] }
            if index % 5 == 0 { household.updatedAt = nil }
            if index % 11 == 0 {
                household.alamat = String(repeating: "ä", count: 250)
                household.attributes["teks"] = .text(String(repeating: "🌾", count: 1000))
                household.attributes["negatif"] = .code(Int64.min)
                household.attributes["besar"] = .number(-Double.greatestFiniteMagnitude)
            }
            let validated = try household.validated(policy: .keepFlagged)
            var writer = ByteWriter()
            RecordCodec.encode(validated, into: &writer)
            samples.append(writer.bytes)
            households.append(validated)
        }
        // The sample holds the optional fields the codec guards with flag bits.
        #expect(households.contains { $0.desilVersion != nil } && households.contains { $0.desil != nil && $0.desilVersion == nil })
        for status in DukcapilStatus.allCases {
            #expect(households.contains { $0.members.contains { $0.dukcapil?.status == status } }, "\(status)")
        }
        #expect(households.contains { $0.members.contains { $0.dukcapil?.reason != nil } })
        let dictionary = try Compressor.train(samples: samples)
        try dictionary.withUnsafeBytes { try compressor.register(7, bytes: $0) }
        for (household, payload) in zip(households, samples) {
            for (dictionaryID, form) in [(nil, .block), (7, .frame), (7, .block)] as [(UInt32?, Compressor.Form)] {
                let sealed = try compressor.seal(payload, dictionaryID: dictionaryID, form: form)
                let decoded = try sealed.withUnsafeBytes { stored in
                    try compressor.open(stored) { try RecordCodec.decode($0, id: household.id) }
                }
                #expect(decoded == household)
            }
            // A manifest's desil version and an absent household's identity read from part of the record.
            let ranked = try payload.withUnsafeBytes { try RecordCodec.desilVersion($0) }
            #expect(ranked.version == household.desilVersion && ranked.desa == household.wilayah.packed)
            let identity = try payload.withUnsafeBytes { try RecordCodec.identity($0) }
            #expect(identity.nomorKK == household.nomorKK.rawValue && identity.desa == household.wilayah.packed)
            // What a sorted search reads from the record's head is what the whole record holds.
            let head = try payload.withUnsafeBytes { try RecordCodec.sortFields($0) }
            #expect(head.nomorKK == household.nomorKK.rawValue)
            #expect(head.updatedMilliseconds == household.updatedAt.map(RecordCodec.milliseconds))
        }
    }

    @Test func truncatedAndGarbageRecordsThrowRecordCorrupt() throws {
        var factory = HouseholdFactory(seed: 43)
        var writer = ByteWriter()
        var household = factory.household()
        household.id = 1
        RecordCodec.encode(household, into: &writer)
        var random = SeededRandom(seed: 9)
        for cut in stride(from: 0, to: writer.bytes.count - 1, by: 3) {
            let bytes = Array(writer.bytes.prefix(cut))
            #expect(throws: LumbungError.self) { try bytes.withUnsafeBytes { try RecordCodec.decode($0, id: 1) } }
            _ = try? bytes.withUnsafeBytes { try RecordCodec.sortFields($0) }  // must not crash
        }
        for _ in 0..<500 {
            var bytes = writer.bytes
            bytes[Int.random(in: 1..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            _ = try? bytes.withUnsafeBytes { try RecordCodec.decode($0, id: 1) }  // must not crash
        }
        let newer: [UInt8] = [9] + writer.bytes.dropFirst()
        #expect { try newer.withUnsafeBytes { try RecordCodec.decode($0, id: 1) } } throws: { ($0 as? LumbungError)?.code == .recordVersion }
    }
}
