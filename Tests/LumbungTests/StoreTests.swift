import Foundation
import Testing
@testable import Lumbung

@Suite("Store: writes, lookups and invariants")
struct StoreTests {
    let directory = TemporaryDirectory()

    func makeStore(_ options: Store.Options = Store.Options()) throws -> Store {
        try Store(path: directory.sub("store"), options: options)
    }

    @Test func putAssignsIdsAndLooksUpByIdNIKAndKK() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 1)
        let household = factory.household()
        let id = try store.write { tx in try tx.put(household).id }
        #expect(id == HouseholdID(1))
        try store.read { (tx) throws in
            let byID = try #require(try tx.household(id: id))
            #expect(byID.content == household.content)
            #expect(byID.id == id)
            #expect(byID.updatedAt != nil)
            for nik in household.validNIKs {
                #expect(try tx.household(nik: nik)?.id == id)
            }
            #expect(try tx.household(kk: household.nomorKK)?.id == id)
            #expect(try tx.household(id: HouseholdID(2)) == nil)
        }
        let second = try store.write { tx in try tx.put(factory.household()).id }
        #expect(second == HouseholdID(2))
    }

    @Test func insertKeepingIDKeepsTheIdAndTimeAndMovesTheNextIdOn() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 11)
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        func copy(_ id: UInt64) -> Household {
            var household = factory.household()
            household.id = HouseholdID(rawValue: id)
            household.updatedAt = stamp
            return household
        }
        // Out of order, with gaps, in one transaction and in a bulk load.
        let (ten, three) = (copy(10), copy(3))
        try store.write { tx in
            try tx.insert(keepingID: ten)
            try tx.insert(keepingID: three)
        }
        let (twenty, five) = (copy(20), copy(5))
        try store.bulkLoad { loader in
            try loader.add(twenty, keepingID: true)
            try loader.add(five, keepingID: true)
        }
        try store.read { (tx) throws in
            for original in [ten, three, twenty, five] {
                let stored = try #require(try tx.household(id: original.id!))
                #expect(stored.id == original.id && stored.content == original.content && stored.updatedAt == stamp,
                        "id, content and updated-at are kept")
            }
            #expect(try tx.householdCount() == 4)
        }
        #expect(try store.check().isClean)
        // A new household gets the id after the largest one.
        #expect(try store.write { tx in try tx.put(factory.household()).id } == HouseholdID(rawValue: 21))
        // A taken id is refused, naming it; nothing is written.
        var taken = copy(5)
        #expect {
            try store.write { tx in try tx.insert(keepingID: taken) }
        } throws: { error in
            (error as? LumbungError)?.code == .householdIDTaken && (error as? LumbungError)?.value == "5"
        }
        taken.id = HouseholdID(rawValue: 3)
        #expect(throws: LumbungError.self) { try store.bulkLoad { loader in try loader.add(taken, keepingID: true) } }
        #expect(try store.read { tx in try tx.householdCount() } == 5)
    }

    @Test func journalEntriesNameTheDesaBeforeAndAfter() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 12)
        var household = factory.household()
        let here = household.wilayah
        var there = here
        while there == here { there = factory.household().wilayah }
        let id = try store.write { tx in try tx.put(household).id }
        household.id = id
        try store.write { tx in
            household.alamat = "Jl. Baru 1"
            try tx.put(household)
            household.wilayah = there
            try tx.put(household)
            try tx.recordEvent("an event")
            try tx.delete(id: id)
        }
        try store.bulkLoad { loader in try loader.add(factory.household()) }
        let entries = try store.read { tx in try tx.changes(after: 0) }
        #expect(entries.map(\.action) == [.insert, .update, .update, .event, .delete, .insert])
        #expect(entries[0].wilayah == [here] && entries[1].wilayah == [here])
        #expect(entries[2].wilayah == [here, there], "a move names both desa")
        #expect(entries[3].wilayah.isEmpty && entries[4].wilayah == [there])
        #expect(entries[5].wilayah.count == 1 && entries[5].wilayah[0].level == .desa)
    }

    @Test func duplicateNIKIsRefusedNamingTheOtherHousehold() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 2)
        let first = factory.household()
        let firstID = try store.write { tx in try tx.put(first).id }
        var second = factory.household()
        second.members.append(first.members[0])
        second.members[second.members.count - 1].relation = .anak
        #expect {
            try store.write { tx in try tx.put(second) }
        } throws: { error in
            guard let error = error as? LumbungError, error.code == .nikDuplicate else { return false }
            return error.message.contains("household \(firstID)") && error.otherHouseholdID == firstID && error.field == "anggota[\(second.members.count - 1)].nik"
                && !error.message.contains(first.members[0].nik.text!)
        }
        #expect(try store.read { tx in try tx.householdCount() } == 1)
    }

    @Test func duplicateKKIsRefused() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 3)
        let first = factory.household()
        try store.write { tx in try tx.put(first) }
        var second = factory.household()
        second.nomorKK = first.nomorKK
        #expect {
            try store.write { tx in try tx.put(second) }
        } throws: { error in
            guard let error = error as? LumbungError, error.code == .kkDuplicate else { return false }
            return error.message.contains("household 1") && error.otherHouseholdID == 1 && error.field == "nomor_kk"
        }
    }

    @Test func failedWriteChangesNothing() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 4)
        try store.write { tx in for _ in 0..<5 { try tx.put(factory.household()) } }
        let before = try store.read { tx in (try tx.counts(), try tx.lastSequence(), try tx.ids(matching: HouseholdQuery())) }
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.write { tx in
                try tx.put(factory.household())
                try tx.delete(id: HouseholdID(1))
                throw Boom()
            }
        }
        var bad = factory.household()
        bad.members.append(bad.members[0])  // two heads, same NIK
        #expect(throws: LumbungError.self) {
            try store.write { tx in
                try tx.put(factory.household())
                try tx.put(bad)
            }
        }
        let after = try store.read { tx in (try tx.counts(), try tx.lastSequence(), try tx.ids(matching: HouseholdQuery())) }
        #expect(before.0 == after.0)
        #expect(before.1 == after.1)
        #expect(before.2 == after.2)
        #expect(try store.check().isClean)
    }

    @Test func strictPolicyRefusesFlaggedNIKsAndLegacyPolicyKeepsThem() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 5)
        var household = factory.household()
        household.members[0].nik = MemberNIK(parsing: "3.21601E+15")
        #expect {
            try store.write { tx in try tx.put(household) }
        } throws: { ($0 as? LumbungError)?.code == .nikSpreadsheetMangled }
        household.members.append(factory.member(household.wilayah, relation: .anak))
        household.members[household.members.count - 1].nik = .missing
        let id = try store.write { tx in try tx.put(household, nikPolicy: .keepFlagged).id }
        try store.read { (tx) throws in
            let stored = try #require(try tx.household(id: id))
            #expect(stored.members[0].nikStatus == .invalid(.nikSpreadsheetMangled))
            #expect(stored.members[0].nik.text == "3.21601E+15")
            #expect(stored.members.last?.nikStatus == .missing)
            #expect(try tx.ids(matching: HouseholdQuery(nikStatus: .invalid)) == [id])
            #expect(try tx.ids(matching: HouseholdQuery(nikStatus: .missing)) == [id])
            #expect(try tx.ids(matching: HouseholdQuery(nikStatus: .valid)).isEmpty)
            #expect(try tx.counts().flaggedNIK[.invalid] == Count(households: 1, members: 1))
        }
        #expect(try store.check().isClean)
    }

    @Test func nikThatContradictsSexOrBirthDateIsRefused() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 6)
        var household = factory.household()
        household.members[0].sex = household.members[0].sex == .male ? .female : .male
        #expect {
            try store.write { tx in try tx.put(household) }
        } throws: { ($0 as? LumbungError)?.code == .nikSexMismatch }
    }

    @Test func headOfHouseholdRules() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 7)
        var none = factory.household()
        none.members[0].relation = .anak
        #expect { try store.write { tx in try tx.put(none) } } throws: { ($0 as? LumbungError)?.code == .householdNoHead }
        var two = factory.household()
        two.members.append(factory.member(two.wilayah, relation: .kepalaKeluarga))
        #expect { try store.write { tx in try tx.put(two) } } throws: { ($0 as? LumbungError)?.code == .householdManyHeads }
    }

    @Test func replaceAndDeleteMaintainIndexesAndJournal() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 8)
        var household = factory.household()
        household.status = .usulan
        household.programs = [.pkh]
        let id = try store.write { tx in try tx.put(household).id }
        household.id = id
        household.status = .ditetapkan
        household.programs = [.bpnt]
        let oldNIK = household.members[0].nik.nik!
        household.members[0] = factory.member(household.wilayah, relation: .kepalaKeluarga)
        let outcome = try store.write { tx in try tx.put(household).outcome }
        #expect(outcome == .updated)
        #expect(try store.write { tx in try tx.put(household).outcome } == .unchanged)
        try store.read { (tx) throws in
            #expect(try tx.household(nik: oldNIK) == nil)
            #expect(try tx.ids(matching: HouseholdQuery(status: .exactly(.usulan))).isEmpty)
            #expect(try tx.ids(matching: HouseholdQuery(status: .exactly(.ditetapkan))) == [id])
            #expect(try tx.ids(matching: HouseholdQuery(program: .pkh)).isEmpty)
            #expect(try tx.count(HouseholdQuery(program: .bpnt)).households == 1)
        }
        let removed = try store.write { tx in try tx.delete(id: id) }
        #expect(removed.id == id)
        try store.read { (tx) throws in
            #expect(try tx.householdCount() == 0)
            #expect(try tx.counts().total == .zero)
            let journal = try tx.changes(after: 0)
            #expect(journal.map(\.action) == [.insert, .update, .delete])
            #expect(journal.map(\.sequence) == [1, 2, 3])
            #expect(journal[0].digest.count == 16)
            #expect(journal[2].digest.isEmpty)
        }
        #expect(throws: LumbungError.self) { try store.write { tx in try tx.delete(id: id) } }
        #expect(try store.check().isClean)
    }

    @Test func moveMemberBetweenHouseholds() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 9)
        var a = factory.household()
        a.members.append(factory.member(a.wilayah, relation: .anak))
        let b = factory.household()
        let (idA, idB) = try store.write { tx in (try tx.put(a).id, try tx.put(b).id) }
        let child = a.members.last!.nik.nik!
        try store.write { tx in try tx.moveMember(nik: child, to: idB, relation: .cucu) }
        try store.read { (tx) throws in
            #expect(try tx.householdID(nik: child) == idB)
            let movedInto = try #require(try tx.household(id: idB))
            #expect(movedInto.members.count == b.members.count + 1)
            #expect(movedInto.members.last?.relation == .cucu)
            #expect(try tx.household(id: idA)?.members.count == a.members.count - 1)
            #expect(try tx.counts().total.members == a.members.count + b.members.count)
        }
        let head = a.members[0].nik.nik!
        #expect { try store.write { tx in try tx.moveMember(nik: head, to: idB) } } throws: { error in
            let code = (error as? LumbungError)?.code
            return code == .householdNoHead || code == .householdManyHeads || code == .householdNoMembers
        }
        #expect(try store.check().isClean)
    }

    @Test func invalidHouseholdFieldsNameTheField() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 10)
        var household = factory.household()
        household.desil = 11
        #expect { try store.write { tx in try tx.put(household) } } throws: { error in
            let error = error as? LumbungError
            return error?.code == .householdDesil && error?.field == "desil" && error?.value == "11"
        }
        household.desil = 2
        household.wilayah = try KodeWilayah("32.16.01")
        #expect { try store.write { tx in try tx.put(household) } } throws: { ($0 as? LumbungError)?.code == .wilayahLevel }
    }

    @Test func storeWrittenByNewerFormatIsRefused() throws {
        let path = directory.sub("newer")
        do {
            let store = try Store(path: path)
            try store.environment.withWrite { txn in
                try txn.put(store.environment.dbs.meta, MetaKey.format, Keys.be(99, width: 4))
            }
        }
        #expect { _ = try Store(path: path) } throws: { ($0 as? LumbungError)?.code == .storeNewerFormat }
    }

    @Test func sameDirectorySharesOneEnvironment() throws {
        let path = directory.sub("shared")
        let first = try Store(path: path)
        let second = try Store(path: path + "/../shared/.")
        #expect(first.environment === second.environment)
        try first.write { tx in var f = HouseholdFactory(seed: 11); try tx.put(f.household()) }
        #expect(try second.read { tx in try tx.householdCount() } == 1)
    }

    @Test func readOnlyStoreRefusesWritesAndMissingStore() throws {
        #expect { _ = try Store(path: directory.sub("absent"), options: .readOnly) } throws: { ($0 as? LumbungError)?.code == .storeNotFound }
    }

    @Test func dictionaryIsTrainedAndRecordsStayReadable() throws {
        var options = Store.Options()
        options.dictionaryThreshold = 300
        let store = try makeStore(options)
        var factory = HouseholdFactory(seed: 12)
        var written: [Household] = []
        try store.write { tx in
            for _ in 0..<400 {
                let household = factory.household()
                written.append(household)
                try tx.put(household)
            }
        }
        try store.read { (tx) throws in
            #expect(try tx.txn.get(tx.dbs.meta, MetaKey.currentDictionary) != nil)
            for (index, household) in written.enumerated() {
                #expect(try tx.household(id: HouseholdID(UInt64(index + 1)))?.content == household.content)
            }
        }
        let retrained = try store.write { tx in try tx.retrainDictionary() }
        #expect(retrained != nil)
        try store.write { tx in try tx.put(factory.household()) }
        #expect(try store.check().isClean)
        #expect(try store.read { tx in try tx.householdCount() } == 401)
    }

    @Test func checkReportsACorruptedIndex() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 13)
        let household = factory.household()
        try store.write { tx in try tx.put(household) }
        try store.environment.withWrite { txn in
            let nik = household.validNIKs[0].rawValue
            try store.environment.dbs.unique.delete(txn, store.environment.dbs.nik, nik, id: 1)
            try txn.put(store.environment.dbs.counters, Keys.counter(level: 0, code: 0, dimension: .total, value: 0), Keys.be(5, width: 8) + Keys.be(5, width: 8))
        }
        let report = try store.check()
        #expect(!report.isClean)
        #expect(report.issues.contains { $0.kind == .missingIndexEntry && $0.householdID == HouseholdID(1) })
        #expect(report.issues.contains { $0.kind == .counterMismatch })
    }

    @Test func journalReadsAcrossBlocks() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 14)
        let households = (0..<250).map { _ in factory.household() }
        try store.bulkLoad(actor: "import:test") { loader in for household in households { try loader.add(household) } }
        let extra = try store.write(actor: "operator") { tx in try tx.put(factory.household()).id }
        try store.read { (tx) throws in
            #expect(try tx.lastSequence() == 251)
            let all = try tx.changes(after: 0, limit: 10_000)
            #expect(all.map(\.sequence) == Array(1...251))
            #expect(all.prefix(250).allSatisfy { $0.actor == "import:test" && $0.action == .insert && $0.digest.count == 16 })
            #expect(all.last?.actor == "operator" && all.last?.householdID == extra)
            #expect(try tx.changes(after: 150, limit: 10).map(\.sequence) == Array(151...160))
            #expect(try tx.changes(after: 99, limit: 3).map(\.sequence) == [100, 101, 102])
            #expect(try tx.changes(after: 251).isEmpty)
        }
    }

    @Test func bulkLoadRefusesDuplicatesInsideTheLoadAndChangesNothing() throws {
        let store = try makeStore()
        var factory = HouseholdFactory(seed: 15)
        try store.write { tx in try tx.put(factory.household()) }
        var households = (0..<120).map { _ in factory.household() }
        households[110].members.append(households[3].members.last!)
        households[110].members[households[110].members.count - 1].relation = .familiLain
        #expect {
            try store.bulkLoad { loader in for household in households { try loader.add(household) } }
        } throws: { error in
            guard let error = error as? LumbungError, error.code == .nikDuplicate else { return false }
            return error.rule.contains("household")
        }
        #expect(try store.read { tx in try tx.householdCount() } == 1)
        #expect(try store.check().isClean)
    }
}
