import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// Searches sorted by KK number against a brute-force model, on a store where about a fifth of
/// the households hold a KK issued in another kecamatan, kabupaten or provinsi (numbers below and
/// above the store's own): the KK index walk over a region's own range must still find them.
/// Both ways of finding the order (heads, walk) and the cost-chosen one give the model's page,
/// member counts and total, ascending and descending, with and without member conditions; an
/// ascending walk in a kecamatan stops at a full page, its strays (KKs issued elsewhere) kept.
@Suite struct KKOrderTests {
    /// The generated store with some households given a KK issued elsewhere, and all as stored.
    static func storeWithKKsFromElsewhere(in directory: TemporaryDirectory, households count: Int, seed: UInt64) throws -> (Store, [Household]) {
        let (store, generated) = try HouseholdFilterTests.generatedStore(in: directory, households: count, seed: seed)
        var random = SeededRandom(seed: seed &+ 1)
        var used = Set(generated.map(\.nomorKK.rawValue))
        // Issuing kecamatan codes: before the store's (Aceh), inside it, after it (Jakarta, Papua).
        let issuers: [UInt64] = [110_101, 321_601, 321_607, 321_699, 317_101, 940_101]
        var moved = 0
        try store.write(actor: "test") { tx in
            for var household in generated where Int.random(in: 0..<5, using: &random) == 0 {
                let issuer = issuers[Int.random(in: 0..<issuers.count, using: &random)]
                let kk = issuer * KKRange.kecamatanScale + household.nomorKK.rawValue % KKRange.kecamatanScale
                guard used.insert(kk).inserted else { continue }
                used.remove(household.nomorKK.rawValue)
                household.nomorKK = try NomorKK(validating: kk)
                try tx.put(household)
                if KKRange(household.wilayah).numbers.contains(kk) == false { moved += 1 }
            }
        }
        #expect(moved > count / 10, "enough households hold a KK from outside their region's range")
        let households = try store.read { tx in
            var all: [Household] = []
            try tx.forEachHousehold { all.append($0) }
            return all
        }
        return (store, households)
    }

    /// The model: `matching` in KK order (ties cannot happen: KK numbers are unique).
    static func kkOrder(_ matching: [Household], descending: Bool) -> [Household] {
        matching.sorted { descending ? $0.nomorKK.rawValue > $1.nomorKK.rawValue : $0.nomorKK.rawValue < $1.nomorKK.rawValue }
    }

    @Test func kkPagesMatchTheModelWhereKKsComeFromElsewhere() throws {
        let directory = TemporaryDirectory()
        let (store, households) = try Self.storeWithKKsFromElsewhere(in: directory, households: 1800, seed: 31)
        let seed: UInt64 = 0x4B4B_4F52_4445_52
        var random = HouseholdFilterTests.Generator(random: SeededRandom(seed: seed), households: households)
        let date = try CalendarDate(year: 2026, month: 2, day: 28)
        var child = MemberCondition()
        child.ages = 0...5
        var walked = 0
        for round in 0..<140 {
            var query = random.query()
            let anchor = households[random.int(0...(households.count - 1))].wilayah
            query.wilayah = [nil, anchor.ancestor(at: .kabupaten), anchor.parent, anchor][random.int(0...3)]
            let withChild = random.int(0...3) == 0
            if withChild {
                query.members = [MemberCount(child)]
                query.referenceDate = date
            }
            let descending = random.int(0...1) == 1
            let prefix = [0, 1, 7, 50, 100_000][random.int(0...4)]
            let children = { (household: Household) in
                household.members.count { child.matches(MemberFacts($0), birth: $0.birthDate, on: date) }
            }
            let matching = households.filter { HouseholdFilterTests.holds(query, $0) && (!withChild || children($0) >= 1) }
            let expected = Self.kkOrder(matching, descending: descending)
            let members = { (household: Household) in withChild ? children(household) : household.members.count }
            let context = "seed \(seed) round \(round): \(query) descending \(descending) prefix \(prefix)"

            try store.read { tx in
                for reading in [nil, KKOrderReading.heads, .walk] {
                    let found = try tx.matchesInKKOrder(
                        .query(query), driver: query, isDriver: true, descending: descending, prefix: prefix, matchedMembers: true, reading: reading)
                    #expect(found.items.map(\.id) == expected.prefix(prefix).map { $0.id! }, "\(context) reading \(String(describing: reading))")
                    #expect(found.items.map(\.members) == expected.prefix(prefix).map(members), "\(context) reading \(String(describing: reading))")
                    #expect(found.total.households == matching.count, "\(context)")
                    #expect(found.total.members == matching.reduce(0) { $0 + members($1) }, "\(context)")
                }
                // The public page, through a filter that is not the query alone (the driver's
                // matches filtered again), at a random offset.
                let other = random.filter(depth: 1)
                let filter = HouseholdFilter.all([.query(query), other])
                let both = Self.kkOrder(matching.filter { HouseholdFilterTests.holds(other, $0) }, descending: descending)
                let offset = random.int(0...(both.count + 2)), limit = random.int(1...60)
                let page = try tx.households(matching: filter, sortedBy: [HouseholdSort(.nomorKK, descending: descending)], offset: offset, limit: limit)
                #expect(page.items.map(\.id) == both.dropFirst(offset).prefix(limit).map(\.id), "\(context) and \(other) offset \(offset)")
                #expect(page.total.households == both.count, "\(context) and \(other)")
            }
            if matching.count > 50 { walked += 1 }
        }
        #expect(walked >= 20, "enough rounds match many households")
    }

    /// A whole region sorted by KK (no filter: every household of the region matches) reads each
    /// desa's households kept for the store generation: the first search keeps them, the next
    /// reads them, and after a write (a new generation) they are read from the index again.
    @Test func wholeRegionPagesFromKeptDesaHouseholdsMatchTheModel() throws {
        let directory = TemporaryDirectory()
        let (store, households) = try Self.storeWithKKsFromElsewhere(in: directory, households: 900, seed: 47)
        let anchor = households[0].wilayah
        let regions: [KodeWilayah?] = [nil, anchor.ancestor(at: .kabupaten), anchor.parent, anchor]
        func check(_ stored: [Household], _ round: String) throws {
            try store.read { tx in
                for region in regions {
                    let query = HouseholdQuery(wilayah: region)
                    let matching = stored.filter { region?.contains($0.wilayah) ?? true }
                    for descending in [false, true] {
                        let ordered = Self.kkOrder(matching, descending: descending)
                        for prefix in [1, 50, 100_000] {
                            for reading in [nil, KKOrderReading.walk] {
                                let found = try tx.matchesInKKOrder(
                                    .query(query), driver: query, isDriver: true, descending: descending, prefix: prefix, matchedMembers: false, reading: reading)
                                let context = "\(round): \(region?.description ?? "all") descending \(descending) prefix \(prefix)"
                                #expect(found.items.map(\.id) == ordered.prefix(prefix).map { $0.id! }, "\(context)")
                                #expect(found.items.map(\.members) == ordered.prefix(prefix).map(\.members.count), "\(context)")
                                #expect(found.total == Count(households: matching.count, members: matching.reduce(0) { $0 + $1.members.count }), "\(context)")
                            }
                        }
                    }
                }
                #expect(tx.environment.desaHouseholds.value(for: anchor.packed, generation: try #require(tx.generation)) != nil, "\(round): kept")
                // The kecamatan's strays (KK issued elsewhere), kept for the ascending walk that stops at a full page.
                let kecamatan = try #require(anchor.parent)
                let strays = stored.filter { kecamatan.contains($0.wilayah) && !KKRange(kecamatan).numbers.contains($0.nomorKK.rawValue) }
                let generation = try #require(tx.generation)
                let kept = try #require(tx.environment.kkStrays.value(for: kecamatan.packed, generation: generation), "\(round): strays kept")
                #expect(kept.map { $0.id } == Self.kkOrder(strays, descending: false).map { $0.id!.rawValue }, "\(round): strays")
                #expect(!strays.isEmpty, "\(round): the kecamatan has strays")
            }
        }
        try check(households, "first")
        try check(households, "kept")
        // A write: a household of the anchor desa goes, another moves into it.
        let leaving = households.first { $0.wilayah == anchor }!
        var moving = households.first { $0.wilayah != anchor && $0.wilayah.parent == anchor.parent } ?? households.first { $0.wilayah != anchor }!
        moving.wilayah = anchor
        try store.write(actor: "test") { tx in
            _ = try tx.delete(id: leaving.id!)
            _ = try tx.put(moving)
        }
        let after = try store.read { tx in
            var all: [Household] = []
            try tx.forEachHousehold { all.append($0) }
            return all
        }
        #expect(after.count == households.count - 1)
        try check(after, "after a write")
    }
}
