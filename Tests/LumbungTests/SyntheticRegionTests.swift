import Foundation
import Testing

@testable import Lumbung
@testable import LumbungSynthetic

/// Households spread over a provinsi or the nation: apportionment, uniqueness, determinism.
@Suite struct SyntheticRegionTests {
    static let jawaBarat = try! KodeWilayah("32")

    /// The model: exact quotas as fractions, floors first, then the largest remainders (ties to
    /// the earlier region), computed by repeated subtraction instead of full-width division.
    static func modelShares(total: Int, weights: [Int]) -> [Int] {
        let sum = weights.reduce(0, +)
        if sum == 0 { return weights.indices.map { $0 == 0 ? total : 0 } }
        var shares = weights.map { total * $0 / sum }
        let remainders = weights.map { total * $0 % sum }
        var left = total - shares.reduce(0, +)
        for index in weights.indices.sorted(by: { remainders[$0] != remainders[$1] ? remainders[$0] > remainders[$1] : $0 < $1 }) where left > 0 {
            shares[index] += 1
            left -= 1
        }
        return shares
    }

    @Test func apportionmentMatchesTheModelAndTheQuota() {
        var random = SeededRandom(seed: 0xA990)
        for _ in 0..<2_000 {
            let count = Int.random(in: 1...40, using: &random)
            let weights = (0..<count).map { _ in Int.random(in: 0...5_000_000, using: &random) * (Int.random(in: 0..<5, using: &random) == 0 ? 0 : 1) }
            let total = Int.random(in: 0...3_000_000, using: &random)
            let shares = Apportionment.largestRemainder(total: total, weights: weights)
            #expect(shares == Self.modelShares(total: total, weights: weights), "total \(total) weights \(weights)")
            #expect(shares.reduce(0, +) == total)
            let sum = weights.reduce(0, +)
            if sum > 0 {
                for (share, weight) in zip(shares, weights) {
                    let quota = Double(total) * Double(weight) / Double(sum)
                    #expect(Double(share) >= quota.rounded(.down) - 1e-9 && Double(share) <= quota.rounded(.up) + 1e-9)
                }
            }
        }
        #expect(Apportionment.largestRemainder(total: 10, weights: [5, 3, 2, 1]) == [4, 3, 2, 1])
        #expect(Apportionment.largestRemainder(total: 3, weights: [0, 0]) == [3, 0])
    }

    @Test func aProvinceSpreadsByPopulationWithUniqueIdentities() throws {
        let total = 8_000
        let region = try SyntheticRegion(wilayah: Self.jawaBarat, households: total, seed: 5)
        let table = WilayahTable.shared
        let kabupaten = table.children(of: Self.jawaBarat)
        #expect(region.count == total)
        #expect(region.shares.map(\.kabupaten) == kabupaten.filter { code in region.shares.contains { $0.kabupaten == code } })
        let populations = kabupaten.map { table.population(of: $0)!.total }
        let expected = Apportionment.largestRemainder(total: total, weights: populations)
        #expect(region.shares.map(\.count) == expected.filter { $0 > 0 })
        // The largest kabupaten by population gets the most households.
        let largest = kabupaten[populations.firstIndex(of: populations.max()!)!]
        #expect(region.shares.max { $0.count < $1.count }?.kabupaten == largest)

        var niks = Set<UInt64>(), kks = Set<UInt64>(), members = 0
        for (index, household) in region.households.enumerated() {
            let share = region.share(containing: index)
            #expect(share.kabupaten.contains(household.wilayah), "household \(index) lies in its share's kabupaten")
            kks.insert(household.nomorKK.rawValue)
            for nik in household.validNIKs {
                niks.insert(nik.rawValue)
                #expect(nik.rawValue / 10_000_000_000 / 100 == share.kabupaten.packed / 1_000_000, "NIK begins with its kabupaten")
            }
            members += household.validNIKs.count
        }
        #expect(kks.count == total, "Nomor KK unique over the province")
        #expect(niks.count == members, "NIKs unique over the province")
        #expect(members > total * 2)
        // Deterministic and random access: the same index gives the same household.
        let again = try SyntheticRegion(wilayah: Self.jawaBarat, households: total, seed: 5)
        for index in [0, 1, 777, total - 1] { #expect(again.households[index] == region.households[index]) }
    }

    @Test func oneKabupatenIsExactlyTheKabupatenGenerator() throws {
        let bekasi = try KodeWilayah("32.16")
        let region = try SyntheticRegion(wilayah: bekasi, households: 300, seed: 9)
        #expect(Array(region.households) == Array(SyntheticKabupaten(kabupaten: bekasi, seed: 9).households(count: 300)))
    }

    @Test func theNationCoversEveryKabupatenWithAPopulation() throws {
        let table = WilayahTable.shared
        let all = try SyntheticRegion.kabupaten(of: nil)
        #expect(all.count == table.count.kabupaten)
        let region = try SyntheticRegion(wilayah: nil, households: 100_000, seed: 1)
        #expect(region.count == 100_000)
        #expect(region.shares.count == all.filter { (table.population(of: $0)?.total ?? 0) > 0 }.count)
        // Shares are per kabupaten, in code order, with distinct NIK prefixes.
        #expect(region.shares.map(\.kabupaten) == region.shares.map(\.kabupaten).sorted())
        #expect(Set(region.shares.map(\.kabupaten)).count == region.shares.count)
        // Households at each share's boundary come from that share's own generator.
        for share in region.shares.prefix(20) {
            #expect(region.households[share.start] == share.generator.household(at: 0))
            #expect(region.households[share.start + share.count - 1] == share.generator.household(at: share.count - 1))
        }
        #expect(throws: LumbungError.self) { try SyntheticRegion(wilayah: try KodeWilayah("32.16.01"), households: 10) }
    }

    /// The national register's size (95M) fits: the limit is per kabupaten, not on the total. A
    /// region takes exactly up to its limit, where its most populous kabupaten's share reaches
    /// the kabupaten limit, and one more is refused with `.syntheticTooMany`.
    @Test(arguments: [nil, "32", "35", "32.16"])
    func aRegionTakesHouseholdsUpToItsMostPopulousKabupatensLimit(_ code: String?) throws {
        let wilayah = try code.map { try KodeWilayah($0) }
        let perKabupaten = SyntheticKabupaten.uniqueHouseholdLimit
        let limit = try SyntheticRegion.householdLimit(for: wilayah)
        let atLimit = try SyntheticRegion(wilayah: wilayah, households: limit)
        #expect(atLimit.count == limit)
        #expect(atLimit.shares.allSatisfy { $0.count <= perKabupaten })
        #expect(atLimit.shares.contains { $0.count > perKabupaten - atLimit.shares.count })
        #expect(performing: { try SyntheticRegion(wilayah: wilayah, households: limit + 1) },
                throws: { ($0 as? LumbungError)?.code == .syntheticTooMany })
        if wilayah == nil {
            #expect(limit > 95_000_000)
            let nation = try SyntheticRegion(wilayah: nil, households: 95_000_000)
            #expect(nation.count == 95_000_000 && nation.shares.map(\.count).reduce(0, +) == 95_000_000)
        }
    }
}
