import Testing

@testable import Lumbung
@testable import LumbungSynthetic

/// The synthetic kabupaten generator: determinism, validity, uniqueness, realism.
@Suite struct SyntheticTests {
    static let bekasi = try! KodeWilayah("32.16")
    static let deliSerdang = try! KodeWilayah("12.07")
    static let bandung = try! KodeWilayah("32.73")

    /// NIKs, Nomor KK and counts of the first 200,000 Bekasi households, generated once.
    struct Sample: Sendable {
        var niks: [UInt64] = []
        var kks: [UInt64] = []
        var members = 0
        var households = 0
        var outsideKabupaten = 0
        var ditetapkan = 0
        var tidakLayak = 0
        var desilPoorest4 = 0

        mutating func add(_ household: Household) {
            households += 1
            members += household.members.count
            kks.append(household.nomorKK.rawValue)
            niks.append(contentsOf: household.validNIKs.map(\.rawValue))
            let wilayah = household.wilayah
            if wilayah.level != .desa || !WilayahTable.shared.contains(wilayah) || !bekasi.contains(wilayah) {
                outsideKabupaten += 1
            }
            if household.status == .ditetapkan { ditetapkan += 1 }
            if household.status.reason != nil { tidakLayak += 1 }
            if let desil = household.desil, desil <= 4 { desilPoorest4 += 1 }
        }

        mutating func merge(_ other: Sample) {
            niks += other.niks
            kks += other.kks
            members += other.members
            households += other.households
            outsideKabupaten += other.outsideKabupaten
            ditetapkan += other.ditetapkan
            tidakLayak += other.tidakLayak
            desilPoorest4 += other.desilPoorest4
        }

        static func make(count: Int, of generator: SyntheticKabupaten, parts: Int = 4) async -> Sample {
            await withTaskGroup(of: Sample.self) { group in
                for part in 0..<parts {
                    group.addTask {
                        var sample = Sample()
                        for index in (part * count / parts)..<((part + 1) * count / parts) {
                            sample.add(generator.household(at: index))
                        }
                        return sample
                    }
                }
                var total = Sample()
                for await sample in group { total.merge(sample) }
                return total
            }
        }
    }

    static let large = Task { await Sample.make(count: 200_000, of: SyntheticKabupaten(kabupaten: bekasi, seed: 1)) }

    static func duplicates(_ values: [UInt64]) -> Int {
        let sorted = values.sorted()
        return zip(sorted, sorted.dropFirst()).filter { $0 == $1 }.count
    }

    @Test func sameSeedGivesSameHouseholds() {
        let first = SyntheticKabupaten(kabupaten: Self.bekasi, seed: 7)
        let second = SyntheticKabupaten(kabupaten: Self.bekasi, seed: 7)
        #expect(Array(first.households(count: 300)) == Array(second.households(count: 300)))
    }

    @Test func differentSeedGivesDifferentHouseholds() {
        let first = Array(SyntheticKabupaten(kabupaten: Self.bekasi, seed: 1).households(count: 100))
        let second = Array(SyntheticKabupaten(kabupaten: Self.bekasi, seed: 2).households(count: 100))
        let same = zip(first, second).filter { $0 == $1 }.count
        #expect(same == 0)
        #expect(Set(first.map(\.nomorKK)).isDisjoint(with: second.map(\.nomorKK)))
    }

    @Test func randomAccessMatchesIterationOrder() {
        let generator = SyntheticKabupaten(kabupaten: Self.bandung, seed: 3)
        var index = 0
        for household in generator.households(count: 500) {
            #expect(household == generator.household(at: index))
            index += 1
        }
        #expect(index == 500)
        let households = generator.households(count: 500)
        #expect(households.count == 500)
        #expect(households[499] == generator.household(at: 499))
    }

    @Test(arguments: [bekasi, deliSerdang, bandung])
    func everyHouseholdPassesStrictValidation(kabupaten: KodeWilayah) throws {
        let generator = SyntheticKabupaten(kabupaten: kabupaten, seed: 11)
        for household in generator.households(count: 10_000) {
            #expect(household.id == nil)
            let validated = try household.validated(policy: .strict)
            #expect(validated == household)
        }
    }

    @Test func niksAreUniqueOver200kHouseholds() async {
        let sample = await Self.large.value
        #expect(sample.households == 200_000)
        #expect(sample.niks.count == sample.members)
        #expect(Self.duplicates(sample.niks) == 0)
    }

    @Test func nomorKKAreUniqueOver200kHouseholds() async {
        let sample = await Self.large.value
        #expect(sample.kks.count == 200_000)
        #expect(Self.duplicates(sample.kks) == 0)
    }

    @Test func memberCountMeanIsAboutFour() async {
        let sample = await Self.large.value
        let mean = Double(sample.members) / Double(sample.households)
        #expect((3.7...4.3).contains(mean), "mean household size \(mean)")
    }

    @Test func everyWilayahIsADesaOfTheKabupaten() async {
        let sample = await Self.large.value
        #expect(sample.outsideKabupaten == 0)
    }

    @Test func statusAndDesilMixAreRealistic() async {
        let sample = await Self.large.value
        let total = Double(sample.households)
        #expect((0.66...0.74).contains(Double(sample.ditetapkan) / total))
        #expect((0.03...0.07).contains(Double(sample.tidakLayak) / total))
        #expect(Double(sample.desilPoorest4) / total > 0.6)
    }

    /// Households spread over the whole index range still have distinct NIKs and Nomor KK.
    @Test func identitiesAreUniqueAcrossTheIndexRange() {
        let generator = SyntheticKabupaten(kabupaten: Self.deliSerdang, seed: 5)
        var niks: [UInt64] = [], kks: [UInt64] = []
        let limit = SyntheticKabupaten.uniqueHouseholdLimit
        let indices = Set(stride(from: 0, to: limit, by: 301)).union((limit - 2_000)..<limit).sorted()
        for index in indices {
            let household = generator.household(at: index)
            niks += household.validNIKs.map(\.rawValue)
            kks.append(household.nomorKK.rawValue)
        }
        #expect(Self.duplicates(niks) == 0)
        #expect(Self.duplicates(kks) == 0)
    }

    @Test func membersArePlausible() {
        let generator = SyntheticKabupaten(kabupaten: Self.deliSerdang, seed: 9)
        var spouses = 0, disabled = 0, members = 0, ownKecamatan = 0
        for household in generator.households(count: 5_000) {
            let heads = household.members.filter { $0.relation == .kepalaKeluarga }
            #expect(heads.count == 1)
            guard let head = heads.first, let headBirth = head.birthDate else { continue }
            #expect(household.members.first == head)
            #expect((1...9).contains(household.members.count))
            #expect((20...81).contains(Days.age(Days.ordinal(year: headBirth.year, month: headBirth.month, day: headBirth.day))))
            #expect((1...20).contains(household.rt ?? 0) && (1...10).contains(household.rw ?? 0))
            #expect(household.nomorKK.regionCode == Int(household.wilayah.packed / 10_000))
            let spouse = household.members.first { $0.relation == .istriSuami }
            if let spouse {
                spouses += 1
                #expect(spouse.sex != head.sex)
            }
            for member in household.members {
                members += 1
                if member.disability != nil { disabled += 1 }
                #expect(member.name == member.name.uppercased() && !member.name.isEmpty)
                let nik = member.nik.nik!
                #expect(nik.sex == member.sex)
                if nik.regionCode == Int(household.wilayah.packed / 10_000) { ownKecamatan += 1 }
                if member.relation == .anak, let birth = member.birthDate {
                    #expect(birth > headBirth)
                    if let spouseBirth = spouse?.birthDate { #expect(birth > spouseBirth) }
                }
            }
        }
        #expect(Double(spouses) / 5_000 > 0.6)
        #expect((0.01...0.03).contains(Double(disabled) / Double(members)))
        #expect((0.93...0.97).contains(Double(ownKecamatan) / Double(members)))
    }

    @Test func dirtyRateFlagsAboutThatShareOfNIKs() throws {
        let rate = 0.05
        let clean = SyntheticKabupaten(kabupaten: Self.bekasi, seed: 4)
        let dirty = SyntheticKabupaten(kabupaten: Self.bekasi, seed: 4, dirtyNIKRate: rate)
        var members = 0, flagged = 0, mangled = 0, missing = 0
        for index in 0..<10_000 {
            let household = dirty.household(at: index)
            var cleaned = household
            for position in cleaned.members.indices { cleaned.members[position].nik = .missing }
            var reference = clean.household(at: index)
            for position in reference.members.indices { reference.members[position].nik = .missing }
            #expect(cleaned == reference, "only the NIKs differ")
            _ = try household.validated(policy: .keepFlagged)
            for member in household.members {
                members += 1
                switch member.nik {
                case .valid: break
                case .missing, .placeholder: flagged += 1; missing += 1
                case .invalid(_, let reason):
                    flagged += 1
                    if reason == .nikSpreadsheetMangled { mangled += 1 }
                }
            }
        }
        let share = Double(flagged) / Double(members)
        #expect(abs(share - rate) < 0.006, "flagged share \(share)")
        #expect(mangled > 0 && missing > 0)
    }

    @Test func defaultCountIsATenthOfThePopulation() {
        let population = WilayahTable.shared.population(of: Self.bekasi)!.total
        let count = SyntheticKabupaten.defaultHouseholdCount(for: Self.bekasi)
        #expect(abs(count - population / 10) <= 1)
    }
}
