import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// ``HouseholdFilter`` with ``HouseholdSort`` against a plain model: random AND/OR/NOT trees of
/// random queries, random sort keys, small prefixes (so the bounded top-k cuts many times) and
/// member pages.
@Suite struct HouseholdFilterTests {
    /// A query leaf and the same rule over a decoded household, written out independently.
    static func holds(_ query: HouseholdQuery, _ household: Household) -> Bool {
        if let wilayah = query.wilayah, !wilayah.contains(household.wilayah) { return false }
        if let desil = query.desil, !(household.desil.map(desil.contains) ?? false) { return false }
        if let program = query.program, !household.programs.contains(program) { return false }
        switch query.status {
        case .exactly(let status)?: if household.status != status { return false }
        case .anyTidakLayak?: if case .tidakLayak = household.status {} else { return false }
        case nil: break
        }
        return true
    }

    static func holds(_ filter: HouseholdFilter, _ household: Household) -> Bool {
        switch filter {
        case .query(let query): holds(query, household)
        case .all(let parts): parts.allSatisfy { holds($0, household) }
        case .any(let parts): parts.contains { holds($0, household) }
        case .not(let inner): !holds(inner, household)
        }
    }

    static func value(_ household: Household, _ key: HouseholdSort.Key) -> UInt64 {
        switch key {
        case .id: household.id!.rawValue
        case .wilayah: household.wilayah.packed
        case .desil: household.desil.map(UInt64.init) ?? 11
        case .nomorKK: household.nomorKK.rawValue
        case .updatedAt: household.updatedAt.map { UInt64(($0.timeIntervalSince1970 * 1000).rounded()) } ?? .max
        }
    }

    static func sorted(_ households: [Household], _ sort: [HouseholdSort]) -> [Household] {
        households.sorted { a, b in
            for item in sort {
                let (x, y) = (value(a, item.key), value(b, item.key))
                if x != y { return item.descending ? x > y : x < y }
            }
            return a.id!.rawValue < b.id!.rawValue
        }
    }

    struct Generator {
        var random: SeededRandom
        let households: [Household]

        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }

        mutating func query() -> HouseholdQuery {
            var query = HouseholdQuery()
            repeat {
                if int(0...2) == 0 {
                    let household = households[int(0...(households.count - 1))]
                    query.wilayah = int(0...1) == 0 ? household.wilayah : household.wilayah.parent
                }
                if int(0...2) == 0 { let low = int(1...10); query.desil = low...int(low...10) }
                if int(0...3) == 0 { query.program = Program.allCases[int(0...(Program.allCases.count - 1))] }
                if int(0...3) == 0 {
                    query.status = [.exactly(.usulan), .exactly(.terverifikasi), .exactly(.ditetapkan), .anyTidakLayak][int(0...3)]
                }
            } while query == HouseholdQuery() && int(0...4) != 0
            return query
        }

        mutating func filter(depth: Int) -> HouseholdFilter {
            guard depth > 0, int(0...2) != 0 else { return .query(query()) }
            switch int(0...3) {
            case 0: return .not(filter(depth: depth - 1))
            case 1: return .any((0..<int(0...3)).map { _ in filter(depth: depth - 1) })
            default: return .all((0..<int(0...3)).map { _ in filter(depth: depth - 1) })
            }
        }

        mutating func sort() -> [HouseholdSort] {
            (0..<int(0...3)).map { _ in HouseholdSort(HouseholdSort.Key.allCases[int(0...4)], descending: int(0...1) == 1) }
        }
    }

    /// A store of `count` generated households in Kabupaten Bekasi, and the households as stored.
    static func generatedStore(in directory: TemporaryDirectory, households count: Int, seed: UInt64) throws -> (Store, [Household]) {
        let store = try Store(path: directory.sub("store"))
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: seed)
        try store.write(actor: "test") { tx in
            for household in generator.households(count: count) { try tx.put(household) }
        }
        let households = try store.read { tx in
            var all: [Household] = []
            try tx.forEachHousehold { all.append($0) }
            return all
        }
        return (store, households)
    }

    @Test func randomFiltersSortsAndPagesMatchTheModel() throws {
        let directory = TemporaryDirectory()
        let (store, households) = try Self.generatedStore(in: directory, households: 2500, seed: 11)
        let seed: UInt64 = 0x4649_4C54_4552
        var random = Generator(random: SeededRandom(seed: seed), households: households)
        var large = 0
        for round in 0..<120 {
            let filter = random.filter(depth: 3)
            let sort = random.sort()
            let region = random.int(0...3) == 0 ? households[random.int(0...(households.count - 1))].wilayah.parent : nil
            let prefix = [1, 7, 100, 5000][random.int(0...3)]
            let matching = households.filter { Self.holds(filter, $0) && (region?.contains($0.wilayah) ?? true) }
            if matching.count > 1024 { large += 1 }
            let context = "seed \(seed) round \(round): \(filter) within \(region?.dotted ?? "*") by \(sort) prefix \(prefix)"

            try store.read { tx in
                let found = try tx.matches(filter, within: region, sortedBy: sort, prefix: prefix)
                #expect(found.total.households == matching.count, "\(context)")
                #expect(found.total.members == matching.reduce(0) { $0 + $1.members.count }, "\(context)")
                if sort.isEmpty {
                    // Index order: some prefix of the matches, each once.
                    #expect(found.items.count == min(prefix, matching.count), "\(context)")
                    #expect(Set(found.items.map(\.id)).isSubset(of: Set(matching.map { $0.id! })), "\(context)")
                } else {
                    #expect(found.items.map(\.id) == Array(Self.sorted(matching, sort).prefix(prefix)).map { $0.id! }, "\(context)")
                }

                // A page of households and a page of members, in sort order (id when none).
                let order = sort.isEmpty ? [HouseholdSort(.id)] : sort
                let expected = Self.sorted(matching, order)
                let offset = random.int(0...(matching.count + 2)), limit = random.int(1...60)
                let page = try tx.households(matching: filter, within: region, sortedBy: order, offset: offset, limit: limit)
                #expect(page.items.map(\.nomorKK) == expected.dropFirst(offset).prefix(limit).map(\.nomorKK), "\(context) offset \(offset)")
                let members = expected.flatMap { household in household.members.indices.map { "\(household.nomorKK.text)/\($0)" } }
                let memberOffset = random.int(0...(members.count + 2))
                let memberPage = try tx.members(matching: filter, within: region, sortedBy: order, offset: memberOffset, limit: limit)
                #expect(memberPage.items.map { "\($0.household.nomorKK.text)/\($0.index)" } == Array(members.dropFirst(memberOffset).prefix(limit)), "\(context) member offset \(memberOffset)")
                #expect(memberPage.total.members == members.count)
            }
        }
        #expect(large >= 10, "enough rounds match more than the top-k's first cut (1024)")
    }

    /// An unsorted search whose total the counters hold stops its scan at the page: the same
    /// first matches, in the same order, as the full scan (`.all` of the one query counts every
    /// match), and the model's total, whatever the region and page.
    @Test func unsortedPagesWithCountedTotalsStopAtThePage() throws {
        let directory = TemporaryDirectory()
        let (store, households) = try Self.generatedStore(in: directory, households: 1500, seed: 12)
        var random = Generator(random: SeededRandom(seed: 0x5041_4745), households: households)
        var counted = 0
        for round in 0..<150 {
            let query = random.query()
            let region = random.int(0...2) == 0 ? households[random.int(0...(households.count - 1))].wilayah.parent : nil
            let prefix = [0, 1, 20, 50, 5000][random.int(0...4)]
            let matching = households.filter { Self.holds(query, $0) && (region?.contains($0.wilayah) ?? true) }
            let context = "round \(round): \(query) within \(region?.dotted ?? "*") prefix \(prefix)"
            try store.read { tx in
                if try tx.countFromCounters(query) != nil { counted += 1 }
                let fast = try tx.matches(.query(query), within: region, prefix: prefix)
                let scanned = try tx.matches(.all([.query(query)]), within: region, prefix: prefix)
                #expect(fast.items.map(\.id) == scanned.items.map(\.id), "\(context)")
                #expect(fast.items.map(\.members) == scanned.items.map(\.members), "\(context)")
                #expect(fast.total == scanned.total, "\(context)")
                #expect(fast.total.households == matching.count, "\(context)")
                #expect(fast.total.members == matching.reduce(0) { $0 + $1.members.count }, "\(context)")
                #expect(fast.items.count == min(prefix, matching.count), "\(context)")
            }
        }
        #expect(counted >= 40, "enough rounds take their total from the counters")
    }

    /// A sort led by KK number walks the KK index when many match and reads each match's KK
    /// when few do; both give the model's order, ascending and descending.
    @Test func kkOrderWithManyAndFewMatches() throws {
        let directory = TemporaryDirectory()
        let (store, households) = try Self.generatedStore(in: directory, households: 600, seed: 5)
        let desa = try #require(Dictionary(grouping: households, by: \.wilayah).first { (2..<12).contains($0.value.count) }?.key)
        for filter in [HouseholdFilter.all([]), .query(HouseholdQuery(wilayah: desa)), .query(HouseholdQuery(desil: 1...4))] {
            let matching = households.filter(filter.matches)
            for descending in [false, true] {
                let expected = matching.sorted { descending ? $0.nomorKK.rawValue > $1.nomorKK.rawValue : $0.nomorKK.rawValue < $1.nomorKK.rawValue }
                for prefix in [0, 1, 7, 10_000] {
                    let found = try store.read { tx in try tx.matches(filter, sortedBy: [HouseholdSort(.nomorKK, descending: descending), HouseholdSort(.desil)], prefix: prefix) }
                    #expect(found.items.map(\.id) == expected.prefix(prefix).map { $0.id! }, "\(filter) descending \(descending) prefix \(prefix)")
                    #expect(found.total.households == matching.count)
                    #expect(found.total.members == matching.reduce(0) { $0 + $1.members.count })
                }
            }
        }
    }

    @Test func regionsThatDoNotOverlapMatchNothing() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 3)
        try store.write(actor: "test") { tx in
            for household in generator.households(count: 50) { try tx.put(household) }
        }
        try store.read { (tx) throws in
            let elsewhere = try KodeWilayah("32.75")
            #expect(try tx.matches(.query(HouseholdQuery(wilayah: try KodeWilayah("32.16"))), within: elsewhere).total == .zero)
            #expect(try tx.matches(.not(.query(HouseholdQuery(desil: 1...2))), within: elsewhere).total == .zero)
            #expect(try tx.matches(.all([]), within: try KodeWilayah("32.16")).total.households == 50)
            #expect(try tx.matches(.any([])).total == .zero)
            #expect(try tx.matches(.all([.query(HouseholdQuery(desil: 1...10)), .none])).total == .zero)
            #expect(try tx.matches(.not(.none), within: try KodeWilayah("32.16")).total.households == 50)
            #expect(try tx.households(matching: .any([.none, .all([])]), offset: 0, limit: 100).items.count == 50)
            #expect(throws: LumbungError.self) { try tx.matches(.not(.query(HouseholdQuery(desil: 0...3)))) }
        }
    }
}
