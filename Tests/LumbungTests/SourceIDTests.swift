import Foundation
import Testing
@testable import Lumbung

/// Source ids (the household's id in its source register) and BPS NIK placeholders: their rules,
/// the record codec, the unique index against an in-memory model, and the reason tally.
@Suite("Source ids and NIK placeholders")
struct SourceIDTests {
    // MARK: Rules

    @Test func aSourceIDIsTrimmedPrintableTextOfOneTo64Characters() throws {
        #expect(try SourceID("  DTKS-3216-0001 ").text == "DTKS-3216-0001")
        #expect(try SourceID("ID BDT 7").text == "ID BDT 7", "inner spaces count")
        #expect(try SourceID(String(repeating: "é", count: 64)).text.unicodeScalars.count == 64)
        #expect(try SourceID(String(repeating: "🌾", count: 64)).text.utf8.count == 256, "64 characters, 256 bytes: inside an LMDB key")
        for bad in ["", "   ", String(repeating: "x", count: 65), "a\tb", "a\nb", "a\u{0}b", "a\u{2028}b"] {
            #expect {
                try SourceID(bad)
            } throws: { error in
                guard let error = error as? LumbungError else { return false }
                return error.code == .sourceIDInvalid && error.field == "id_sumber" && error.rule == SourceID.rule
            }
        }
        #expect(try SourceID("abc") != (try SourceID("ABC")), "case counts")
    }

    @Test func placeholdersAreMissingNIKsWithTheirReasonAndOtherDigitsStayInvalid() {
        let expected: [(String, NIKPlaceholder)] = [
            ("9999999999999994", .refused), ("9999999999999995", .under17),
            ("9999999999999996", .aged17OrOlder), ("9999999999999999", .foreignNational),
        ]
        for (written, reason) in expected {
            let nik = MemberNIK(parsing: " \(written) ")
            #expect(nik == .placeholder(reason))
            #expect(nik.status.kind == .missing && nik.nik == nil)
            #expect(nik.text == written && nik.masked == written, "written back as written")
            #expect(nik.status.description == "missing:\(reason.name)")
            #expect(NIKPlaceholder(name: reason.name) == reason)
        }
        for digit in ["0", "1", "2", "3", "7", "8"] {
            let nik = MemberNIK(parsing: "999999999999999" + digit)
            guard case .invalid = nik else {
                Issue.record("digit \(digit): \(nik)")
                continue
            }
        }
        #expect(MemberNIK(parsing: "99999999999999955").status.kind == .invalid, "17 digits is no placeholder")
    }

    @Test func aStrictWriteRefusesAPlaceholderAsAMissingNIKAndAKeptOneIsFlaggedMissing() throws {
        var factory = HouseholdFactory(seed: 5)
        var household = factory.household()
        household.members[0].nik = .placeholder(.refused)
        #expect(household.problems(policy: .strict).map(\.code) == [.nikMissing])
        let stored = try household.validated(policy: .keepFlagged)
        #expect(stored.members[0].nik == .placeholder(.refused))
        #expect(Contribution(stored).missingNIKs == 1 && Contribution(stored).invalidNIKs == 0)
    }

    @Test func jsonWritesThePlaceholderAsWrittenWithItsReasonAndTheSourceIDAsIdSumber() throws {
        var factory = HouseholdFactory(seed: 6)
        var household = factory.household()
        household.sourceID = try SourceID("IDSEN-0042")
        household.members[0].nik = .placeholder(.under17)
        let text = HouseholdJSON.string(household)
        #expect(text.contains(#""id_sumber":"IDSEN-0042""#))
        #expect(text.contains(#""nik":"9999999999999995","status_nik":"missing:under_17""#))
        #expect(try HouseholdJSON.decode(Array(text.utf8)) == household)
        #expect {
            try HouseholdJSON.decode(Array(text.replacingOccurrences(of: "IDSEN-0042", with: "a\\tb").utf8))
        } throws: { ($0 as? LumbungError)?.code == .sourceIDInvalid }
    }

    // MARK: Record codec

    /// Random households, a third with a source id and a tenth of members with a placeholder,
    /// round-trip through the codec; one without either encodes to the bytes of before (no flag).
    @Test(arguments: [11, 12] as [UInt64])
    func recordsWithSourceIDsAndPlaceholdersRoundTrip(seed: UInt64) throws {
        var factory = HouseholdFactory(seed: seed)
        var random = SeededRandom(seed: seed ^ 0x5EED)
        for index in 0..<800 {
            var household = Self.decorate(factory.household(flaggedRate: 0.1), &random, index: index)
            household.id = HouseholdID(UInt64(index + 1))
            let validated = try household.validated(policy: .keepFlagged)
            var writer = ByteWriter()
            RecordCodec.encode(validated, into: &writer)
            let decoded = try writer.bytes.withUnsafeBytes { try RecordCodec.decode($0, id: validated.id) }
            #expect(decoded == validated, "seed \(seed) household \(index)")
            let head = try writer.bytes.withUnsafeBytes { try RecordCodec.sortFields($0) }
            #expect(head.nomorKK == validated.nomorKK.rawValue)

            var plain = validated
            plain.sourceID = nil
            for position in plain.members.indices where plain.members[position].nik.status.kind == .missing {
                plain.members[position].nik = .missing
            }
            var plainWriter = ByteWriter()
            RecordCodec.encode(plain, into: &plainWriter)
            #expect(plainWriter.bytes[1] & (1 << 5) == 0, "no source id, no flag bit 5")
            if validated.sourceID != nil {
                #expect(writer.bytes.count == plainWriter.bytes.count + 1 + validated.sourceID!.text.utf8.count
                    + validated.members.filter { if case .placeholder = $0.nik { true } else { false } }.count)
            }
        }
    }

    /// A third of households get a source id from a small pool (so some collide), a tenth of
    /// members a placeholder.
    static func decorate(_ household: Household, _ random: inout SeededRandom, index: Int, pool: Int = 1_000_000) -> Household {
        var copy = household
        if Int.random(in: 0..<3, using: &random) == 0 {
            let spellings = ["DTKS-", "IDSEN ", "bdt/", "Ñ-🌾-"]
            copy.sourceID = try! SourceID(spellings.randomElement(using: &random)! + String(Int.random(in: 0..<pool, using: &random)))
        }
        for position in copy.members.indices where Int.random(in: 0..<10, using: &random) == 0 {
            copy.members[position].nik = .placeholder(NIKPlaceholder.allCases.randomElement(using: &random)!)
        }
        return copy
    }

    // MARK: The unique index against a model

    @Test(arguments: [21, 22, 23] as [UInt64])
    func theSourceIndexEqualsTheModelAfterRandomWrites(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        var factory = HouseholdFactory(seed: seed)
        var random = SeededRandom(seed: seed ^ 0xC0FFEE)
        var model: [HouseholdID: Household] = [:]
        let pool = 40
        func holder(_ sourceID: SourceID?) -> HouseholdID? {
            sourceID.flatMap { id in model.first { $0.value.sourceID == id }?.key }
        }
        for step in 0..<400 {
            let roll = Int.random(in: 0..<100, using: &random)
            let ids = model.keys.sorted()
            if roll < 45 || ids.isEmpty {
                let household = try Self.decorate(factory.household(), &random, index: step, pool: pool).validated(policy: .keepFlagged)
                let clash = holder(household.sourceID)
                do {
                    let id = try store.write { tx in try tx.put(household, nikPolicy: .keepFlagged).id }
                    #expect(clash == nil, "seed \(seed) step \(step): a held source id was taken")
                    var stored = household
                    stored.id = id
                    model[id] = stored
                } catch let error as LumbungError {
                    #expect(error.code == .sourceIDDuplicate && error.otherHouseholdID == clash && error.field == "id_sumber",
                            "seed \(seed) step \(step): \(error)")
                }
            } else if roll < 80 {
                let id = ids.randomElement(using: &random)!
                var household = model[id]!
                switch Int.random(in: 0..<3, using: &random) {
                case 0: household.sourceID = nil
                case 1: household.sourceID = try SourceID("DTKS-\(Int.random(in: 0..<pool, using: &random))")
                default: household.sourceID = ids.randomElement(using: &random).flatMap { model[$0]!.sourceID }
                }
                let clash = holder(household.sourceID).flatMap { $0 == id ? nil : $0 }
                do {
                    try store.write { tx in try tx.put(household, nikPolicy: .keepFlagged) }
                    #expect(clash == nil, "seed \(seed) step \(step): replace took a held source id")
                    model[id] = household
                } catch let error as LumbungError {
                    #expect(error.code == .sourceIDDuplicate && error.otherHouseholdID == clash, "seed \(seed) step \(step): \(error)")
                }
            } else {
                let id = ids.randomElement(using: &random)!
                try store.write { tx in _ = try tx.delete(id: id) }
                model[id] = nil
            }
            if step % 100 == 99 { try Self.compare(store, model, pool: pool, seed: seed) }
        }
        try Self.compare(store, model, pool: pool, seed: seed)
    }

    /// Every source id the model holds finds its household; every other one in the pool finds
    /// none; the index has one entry per held id (check verifies it entry by entry).
    static func compare(_ store: Store, _ model: [HouseholdID: Household], pool: Int, seed: UInt64) throws {
        let held = Dictionary(uniqueKeysWithValues: model.compactMap { id, household in household.sourceID.map { ($0, id) } })
        try store.read { (tx) throws in
            for (sourceID, id) in held {
                #expect(try tx.householdID(sourceID: sourceID) == id, "seed \(seed): \(sourceID)")
                #expect(try tx.household(sourceID: sourceID)?.id == id)
            }
            for prefix in ["DTKS-", "IDSEN ", "bdt/", "Ñ-🌾-"] {
                for number in 0..<pool {
                    let sourceID = try SourceID(prefix + String(number))
                    if held[sourceID] == nil { #expect(try tx.householdID(sourceID: sourceID) == nil, "seed \(seed): \(sourceID) is free") }
                }
            }
            #expect(try tx.txn.entryCount(tx.dbs.source!) == held.count)
        }
        let report = try store.check()
        #expect(report.isClean, "seed \(seed): \(report.issues.prefix(5))")
    }

    @Test func aBulkLoadRefusesASourceIDTwiceInsideItAndAgainstTheStoreAndLeavesTheStoreAsItWas() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        var factory = HouseholdFactory(seed: 31)
        var batch = (0..<300).map { index in
            var household = factory.household()
            household.sourceID = try! SourceID("DTKS-\(index)")
            return household
        }
        try store.bulkLoad { loader in for household in batch { try loader.add(household) } }
        #expect(try store.read { tx in try tx.householdID(sourceID: try SourceID("DTKS-299")) } == 300)

        batch = (0..<200).map { index in
            var household = factory.household()
            household.sourceID = try! SourceID("NEW-\(index % 150)")  // 50 held twice inside the load
            return household
        }
        #expect {
            try store.bulkLoad { loader in for household in batch { try loader.add(household) } }
        } throws: { error in
            guard let error = error as? LumbungError else { return false }
            return error.code == .sourceIDDuplicate && error.otherHouseholdID != nil && error.field == "id_sumber"
        }
        var again = factory.household()
        again.sourceID = try SourceID("DTKS-7")
        #expect {
            try store.bulkLoad { loader in try loader.add(again) }
        } throws: { ($0 as? LumbungError)?.code == .sourceIDDuplicate && ($0 as? LumbungError)?.otherHouseholdID == 8 }
        try store.read { (tx) throws in
            #expect(try tx.householdCount() == 300)
            #expect(try tx.householdID(sourceID: try SourceID("NEW-1")) == nil)
        }
        #expect(try store.check().isClean)
    }

    // MARK: Counting by reason

    @Test func missingNIKReasonsEqualTheModelsTallyInEveryRegion() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        var factory = HouseholdFactory(seed: 41)
        var random = SeededRandom(seed: 41)
        var households: [Household] = []
        for index in 0..<250 {
            households.append(try Self.decorate(factory.household(flaggedRate: 0.1), &random, index: index, pool: 1_000_000_000).validated(policy: .keepFlagged))
        }
        try store.bulkLoad(nikPolicy: .keepFlagged) { loader in for household in households { try loader.add(household) } }
        var regions: [KodeWilayah?] = [nil, try KodeWilayah("32.16")]
        regions += factory.desa.map { Optional($0) }
        for region in regions {
            var expected = MissingNIKReasons()
            for household in households where region?.contains(household.wilayah) ?? true {
                for reason in NIKPlaceholder.allCases {
                    let members = household.members.filter { $0.nik == .placeholder(reason) }.count
                    if members > 0 { expected.byReason[reason, default: .zero] += Count(households: 1, members: members) }
                }
                let none = household.members.filter { $0.nik == .missing }.count
                if none > 0 { expected.unexplained += Count(households: 1, members: none) }
            }
            let tally = try store.read { tx in try tx.missingNIKReasons(wilayah: region) }
            #expect(tally == expected, "\(region?.dotted ?? "all")")
            let counted = try store.read { tx in try tx.counts(wilayah: region).flaggedNIK[.missing]?.members ?? 0 }
            #expect(counted == expected.byReason.values.reduce(0) { $0 + $1.members } + expected.unexplained.members,
                    "placeholders are counted as missing NIKs")
        }
        #expect(try store.read { tx in try tx.counts().flaggedNIK[.invalid]?.members ?? 0 }
            == households.reduce(0) { $0 + $1.members.filter { $0.nikStatus.kind == .invalid }.count }, "and never as invalid")
    }
}
