import Foundation
import Testing
@testable import Lumbung

/// The member index (`idx.member`) against a simple in-memory model: ages by counting birthdays,
/// member conditions by reading `Member` fields, PKH components by their table. Stores are
/// filled by bulk loads, single puts, updates and deletes; `check` stays clean.
@Suite("Member facts and PKH components")
struct MemberIndexTests {
    /// The obvious implementation.
    enum Model {
        /// Whole years: count the birthdays passed; in a common year a 29 February birthday is on 1 March.
        static func age(_ birth: CalendarDate, on date: CalendarDate) -> Int {
            if birth > date { return -1 }
            var years = 0
            while true {
                let year = birth.year + years + 1
                let leapDay = birth.month == 2 && birth.day == 29 && !CalendarDate.isLeap(year)
                let birthday = leapDay ? try! CalendarDate(year: year, month: 3, day: 1) : try! CalendarDate(year: year, month: birth.month, day: birth.day)
                if birthday > date { return years }
                years += 1
            }
        }

        static func yes(_ value: AttributeValue?) -> Bool {
            switch value {
            case .code(1), .number(1): true
            case .text(let text): ["1", "ya", "y", "true"].contains(text.lowercased())
            default: false
            }
        }

        static func matches(_ condition: MemberCondition, _ member: Member, on date: CalendarDate) -> Bool {
            if let ages = condition.ages {
                guard let birth = member.birthDate, ages.contains(age(birth, on: date)) else { return false }
            }
            if let births = condition.births {
                guard let birth = member.birthDate, births.lowerBound <= birth, birth <= births.upperBound else { return false }
            }
            if let sex = condition.sex, member.sex != sex { return false }
            if let relation = condition.relation, member.relation != relation { return false }
            if !condition.presence.contains(member.presence) { return false }
            if let marital = condition.maritalStatus, member.maritalStatus != marital { return false }
            if let disabled = condition.disabled, (member.disability != nil) != disabled { return false }
            if let disability = condition.disability, member.disability != disability { return false }
            if let severe = condition.severeDisability, yes(member.attributes["disabilitas_berat"]) != severe { return false }
            if let pregnant = condition.pregnant, yes(member.attributes["hamil"]) != pregnant { return false }
            return true
        }

        static func matches(_ query: HouseholdQuery, _ household: Household, on date: CalendarDate) -> Bool {
            if let wilayah = query.wilayah, !wilayah.contains(household.wilayah) { return false }
            if let desil = query.desil, !(household.desil.map(desil.contains) ?? false) { return false }
            if let program = query.program, !household.programs.contains(program) { return false }
            return query.members.allSatisfy { count in
                count.count.contains(household.members.filter { matches(count.condition, $0, on: date) }.count)
            }
        }

        /// PKH by the table's words: ages, pregnancy, severity; living members only.
        static func inComponent(_ component: PKHComponent, _ member: Member, on date: CalendarDate) -> Bool {
            guard member.presence == .tinggalBersama || member.presence == .anggotaBaru else { return false }
            let age = member.birthDate.map { Self.age($0, on: date) }
            switch component {
            case .ibuHamil: return yes(member.attributes["hamil"])
            case .disabilitasBerat: return yes(member.attributes["disabilitas_berat"])
            case .anakUsiaDini: return age.map { (0...6).contains($0) } ?? false
            case .anakSD: return age.map { (7...12).contains($0) } ?? false
            case .anakSMP: return age.map { (13...15).contains($0) } ?? false
            case .anakSMA: return age.map { (16...18).contains($0) } ?? false
            case .lansia: return age.map { $0 >= 60 } ?? false
            }
        }
    }

    static func date(_ random: inout SeededRandom, years: ClosedRange<Int>) -> CalendarDate {
        switch Int.random(in: 0..<6, using: &random) {
        case 0:  // 29 February of a leap year
            let year = (years.lowerBound / 4 + Int.random(in: 0...((years.upperBound - years.lowerBound) / 4), using: &random)) * 4
            let leap = CalendarDate.isLeap(year) ? year : year + 4
            return try! CalendarDate(year: min(leap, 2196), month: 2, day: 29)
        case 1:  // the turn of a year
            let year = Int.random(in: years, using: &random)
            return Bool.random(using: &random) ? try! CalendarDate(year: year, month: 12, day: 31) : try! CalendarDate(year: year, month: 1, day: 1)
        case 2:  // the days around 29 February
            let year = Int.random(in: years, using: &random)
            return Bool.random(using: &random) ? try! CalendarDate(year: year, month: 2, day: 28) : try! CalendarDate(year: year, month: 3, day: 1)
        default:
            let year = Int.random(in: years, using: &random), month = Int.random(in: 1...12, using: &random)
            return try! CalendarDate(year: year, month: month, day: Int.random(in: 1...CalendarDate.days(inMonth: month, year: year), using: &random))
        }
    }

    @Test("age at a reference date and the birth-date range of an age range agree with counting birthdays (29 February, the turn of a year)")
    func agesAsBirthRanges() throws {
        var random = SeededRandom(seed: 15)
        for _ in 0..<20_000 {
            let birth = Self.date(&random, years: 1930...2026)
            let date = Self.date(&random, years: 2000...2040)
            guard birth <= date else { continue }
            let age = Model.age(birth, on: date)
            #expect(birth.age(on: date) == age, "born \(birth), on \(date)")
            let low = Int.random(in: 0...90, using: &random), high = low + Int.random(in: 0...20, using: &random)
            let inRange = date.birthOrdinals(forAges: low...high)?.contains(birth.ordinal) ?? false
            #expect(inRange == (low...high).contains(age), "born \(birth), on \(date), ages \(low)-\(high)")
        }
        let leapling = try CalendarDate(year: 2020, month: 2, day: 29)
        #expect(leapling.age(on: try CalendarDate(year: 2021, month: 2, day: 28)) == 0)
        #expect(leapling.age(on: try CalendarDate(year: 2021, month: 3, day: 1)) == 1)
        #expect(leapling.age(on: try CalendarDate(year: 2024, month: 2, day: 29)) == 4)
        let newYear = try CalendarDate(year: 2000, month: 1, day: 1)
        #expect(newYear.age(on: try CalendarDate(year: 2025, month: 12, day: 31)) == 25)
        #expect(newYear.age(on: try CalendarDate(year: 2026, month: 1, day: 1)) == 26)
    }

    /// Random households whose members carry pregnancies, severe disabilities, leap-day births,
    /// unknown births and every presence.
    static func households(seed: UInt64, count: Int) -> [Household] {
        var factory = HouseholdFactory(seed: seed)
        var random = SeededRandom(seed: seed &+ 1)
        return (0..<count).map { _ in
            var household = factory.household()
            for index in household.members.indices {
                var member = household.members[index]
                switch Int.random(in: 0..<10, using: &random) {
                case 0: member.attributes["hamil"] = [.code(1), .text("Ya"), .code(0)].randomElement(using: &random)!
                case 1: member.attributes["disabilitas_berat"] = [.code(1), .text("true"), .text("tidak")].randomElement(using: &random)!
                case 2, 3:
                    // A child, or a leap-day birth (its NIK then no longer agrees: kept flagged).
                    member.birthDate = Self.date(&random, years: 2008...2026)
                    member.nik = .missing
                default: break
                }
                if Int.random(in: 0..<8, using: &random) == 0 { member.maritalStatus = MaritalStatus.allCases.randomElement(using: &random) }
                household.members[index] = member
            }
            return household
        }
    }

    static func randomCondition(_ random: inout SeededRandom) -> MemberCondition {
        var condition = MemberCondition()
        if Bool.random(using: &random) {
            let low = [0, 0, 3, 7, 13, 16, 25, 60].randomElement(using: &random)!
            condition.ages = low...(low + [0, 2, 5, 11, 40].randomElement(using: &random)!)
        }
        if Int.random(in: 0..<5, using: &random) == 0 {
            // A year of birth, or a span of days (a date of birth, before or after one).
            let year = Int.random(in: 1940...2026, using: &random)
            let first = try! CalendarDate(year: year, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))
            let last = Bool.random(using: &random) ? try! CalendarDate(year: year, month: 12, day: 31)
                : try! CalendarDate(year: min(year + Int.random(in: 0...30, using: &random), 2200), month: 2, day: 28)
            condition.births = min(first, last)...max(first, last)
        }
        if Int.random(in: 0..<3, using: &random) == 0 { condition.sex = Sex.allCases.randomElement(using: &random) }
        if Int.random(in: 0..<4, using: &random) == 0 { condition.relation = Relation.allCases.randomElement(using: &random) }
        if Int.random(in: 0..<5, using: &random) == 0 { condition.presence = Set(Presence.allCases.filter { _ in Bool.random(using: &random) }) }
        if Int.random(in: 0..<5, using: &random) == 0 { condition.maritalStatus = MaritalStatus.allCases.randomElement(using: &random) }
        if Int.random(in: 0..<6, using: &random) == 0 { condition.disabled = Bool.random(using: &random) }
        if Int.random(in: 0..<8, using: &random) == 0 { condition.disability = Disability.allCases.randomElement(using: &random) }
        if Int.random(in: 0..<6, using: &random) == 0 { condition.severeDisability = Bool.random(using: &random) }
        if Int.random(in: 0..<6, using: &random) == 0 { condition.pregnant = Bool.random(using: &random) }
        return condition
    }

    static func randomQuery(_ random: inout SeededRandom, desa: [KodeWilayah]) -> HouseholdQuery {
        var query = HouseholdQuery()
        switch Int.random(in: 0..<3, using: &random) {
        case 0: query.wilayah = desa.randomElement(using: &random)
        case 1: query.wilayah = desa.randomElement(using: &random)!.parent
        default: break
        }
        query.referenceDate = date(&random, years: 2020...2032)
        // Household dimensions beside member counts give the plan a second index to choose.
        if Bool.random(using: &random) {
            let low = Int.random(in: 1...10, using: &random)
            query.desil = low...Int.random(in: low...10, using: &random)
        }
        if Int.random(in: 0..<4, using: &random) == 0 { query.program = Program.allCases.randomElement(using: &random) }
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: query.members.append(.householdSize(Int.random(in: 0...4, using: &random)...Int.random(in: 4...9, using: &random)))
            case 1: query.members.append(.pkh(PKHComponent.allCases.randomElement(using: &random)!))
            case 2: query.members.append(MemberCount(randomCondition(&random), count: Int.random(in: 0...2, using: &random)...Int.random(in: 2...4, using: &random)))
            case 3:
                var head = MemberCondition()
                head.sex = .female
                if Bool.random(using: &random) { head.ages = 60...200 }
                query.members.append(.head(head))
            default: query.members.append(MemberCount(randomCondition(&random)))
            }
        }
        return query
    }

    /// Every query's ids and count, and the PKH counts, against the model.
    static func compare(_ store: Store, _ stored: [HouseholdID: Household], seed: UInt64, queries: Int) throws {
        var random = SeededRandom(seed: seed)
        let desa = Array(Set(stored.values.map(\.wilayah))).sorted { $0.packed < $1.packed }
        // How many unsorted pages came from one primary scan (``OrderedPrefix``) and how many
        // from two scans: the test must reach both.
        var oneScan = 0, twoScans = 0
        try store.read { tx in
            for _ in 0..<queries {
                let query = randomQuery(&random, desa: desa)
                let date = query.referenceDate!
                let plans = try tx.plans(for: query)
                if plans.ordered.index != plans.cheapest.index {
                    if plans.cheapest.index.isPrimary, OrderedPrefix(plans.ordered.index, prefix: 1) != nil { oneScan += 1 } else { twoScans += 1 }
                }
                let want = Set(stored.values.filter { Model.matches(query, $0, on: date) }.map(\.id!))
                let found = try tx.ids(matching: query)
                #expect(Set(found) == want, "\(query)")
                #expect(found.count == Set(found).count, "each household once")
                let count = try tx.count(query)
                #expect(count.households == want.count)
                // An unsorted page: the scan order's matches from `offset`, and the total of all
                // (the page and the total may come from two different index scans).
                let offset = Int.random(in: 0...min(want.count, 30), using: &random), limit = Int.random(in: 0...40, using: &random)
                let page = try tx.households(matching: .query(query), offset: offset, limit: limit)
                #expect(page.items.map(\.id!) == Array(found.dropFirst(offset).prefix(limit)), "\(query) offset \(offset) limit \(limit)")
                #expect(page.total.households == want.count)
                #expect(page.total.members == want.reduce(0) { $0 + stored[$1]!.members.count })
                #expect(count.members == want.reduce(0) { $0 + stored[$1]!.members.count })
                for household in stored.values where HouseholdFilter.query(query).matches(household) != want.contains(household.id!) {
                    Issue.record("in-memory filter disagrees on household \(household.id!) for \(query)")
                }
                // A member answer lists the members a "has a member who …" count picks out (all
                // of a household's when none picks), and counts those.
                let picking = query.members.filter { $0.count.lowerBound >= 1 && $0.condition != MemberCondition() }
                var wantMembers: [String] = []
                for id in want {
                    let household = stored[id]!
                    for (index, member) in household.members.enumerated()
                    where picking.isEmpty || picking.contains(where: { Model.matches($0.condition, member, on: date) }) {
                        wantMembers.append("\(id.rawValue)/\(index)")
                    }
                }
                let listed = try tx.members(matching: .query(query), offset: 0, limit: 1_000_000)
                #expect(Set(listed.items.map { "\($0.household.id!.rawValue)/\($0.index)" }) == Set(wantMembers), "\(query)")
                #expect(listed.items.count == wantMembers.count)
                #expect(listed.total.members == wantMembers.count)
                #expect(listed.total.households == want.count)
            }
            #expect(oneScan > 10 && twoScans > 3, "pages from one scan: \(oneScan), from two: \(twoScans)")
            for _ in 0..<8 {
                let date = Self.date(&random, years: 2020...2032)
                let wilayah: KodeWilayah? = [nil, desa.randomElement(using: &random), desa.randomElement(using: &random)!.parent].randomElement(using: &random)!
                let counts = try tx.pkhCounts(wilayah: wilayah, on: date)
                #expect(counts.date == date)
                for component in PKHComponent.allCases {
                    let inside = stored.values.filter { wilayah?.contains($0.wilayah) ?? true }
                    let members = inside.reduce(0) { $0 + $1.members.filter { Model.inComponent(component, $0, on: date) }.count }
                    let households = inside.filter { $0.members.contains { Model.inComponent(component, $0, on: date) } }.count
                    #expect(counts.byComponent[component] == Count(households: households, members: members), "\(component) on \(date) in \(wilayah?.description ?? "all")")
                }
            }
        }
    }

    @Test("member queries, counts and PKH components answer as the model after bulk loads, puts, updates and deletes; check clean")
    func queriesMatchModel() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        var stored: [HouseholdID: Household] = [:]
        let households = Self.households(seed: 7, count: 400)
        _ = try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for household in households.prefix(250) { try loader.add(household) }
        }
        try store.write { tx in
            for household in households.dropFirst(250) { _ = try tx.put(household, nikPolicy: .keepFlagged) }
        }
        try store.read { tx in try tx.forEachHousehold { stored[$0.id!] = $0 } }
        try Self.compare(store, stored, seed: 1, queries: 150)
        // A read keeps each desa's tallies for its generation, and the same queries again read them.
        try store.read { tx in
            var query = HouseholdQuery(wilayah: stored.values.first!.wilayah)
            var picking = SeededRandom(seed: 5)
            query.members = [MemberCount(Self.randomCondition(&picking))]
            query.referenceDate = try CalendarDate(year: 2026, month: 6, day: 30)
            _ = try tx.count(query)
            let key = MemberTally.Key(desa: query.wilayah!.packed, counts: query.members, date: query.referenceDate!)
            #expect(tx.environment.memberTallies.value(for: key, generation: try #require(tx.generation)) != nil)
        }
        try Self.compare(store, stored, seed: 1, queries: 150)

        var random = SeededRandom(seed: 3)
        let replacements = Self.households(seed: 99, count: 60)
        try store.write { tx in
            for (index, id) in stored.keys.sorted(by: { $0.rawValue < $1.rawValue }).enumerated() where index % 5 == 0 {
                if Bool.random(using: &random) {
                    _ = try tx.delete(id: id)
                } else {
                    var household = stored[id]!
                    household.members = replacements[index % replacements.count].members
                    household.members.removeAll { $0.relation == .kepalaKeluarga }
                    household.members.insert(stored[id]!.members.first { $0.relation == .kepalaKeluarga }!, at: 0)
                    household.members = household.members.map { member in
                        var member = member
                        if member.relation != .kepalaKeluarga { member.nik = .missing }
                        return member
                    }
                    _ = try tx.put(household, nikPolicy: .keepFlagged)
                }
            }
        }
        stored = [:]
        try store.read { tx in try tx.forEachHousehold { stored[$0.id!] = $0 } }
        try Self.compare(store, stored, seed: 2, queries: 150)
        // The first queries again, after the writes: the tallies kept before them are not used.
        try Self.compare(store, stored, seed: 1, queries: 150)
        let report = try store.check()
        #expect(report.isClean, "\(report.issues)")
    }

    /// An unsorted member search counted on the primary index reads, in a read transaction,
    /// each desa's households and tallies as kept for the store generation
    /// (``ReadTransaction/forEachDesaMatches``), and in a write transaction scans the index:
    /// both give the same page (households and members) and total, before and after writes.
    @Test("member pages from kept desa households answer as the index scan of a write transaction, before and after writes")
    func keptDesaMatchesAnswerAsTheScan() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        _ = try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for household in Self.households(seed: 11, count: 500) { try loader.add(household) }
        }
        let households = try store.read { tx in
            var all: [Household] = []
            try tx.forEachHousehold { all.append($0) }
            return all
        }
        let desa = Array(Set(households.map(\.wilayah))).sorted { $0.packed < $1.packed }
        func compare(seed: UInt64, _ round: String) throws {
            var random = SeededRandom(seed: seed)
            var kept = 0
            for _ in 0..<120 {
                var query = Self.randomQuery(&random, desa: desa)
                if query.desil == nil, Bool.random(using: &random) { query.desil = 1...4 }
                // Small pages too: once a page holds its first matches of every desil asked
                // for, the other desa's matches are counted from the kept verdicts.
                let small = Bool.random(using: &random)
                let offset = Int.random(in: 0...(small ? 1 : 20), using: &random), limit = Int.random(in: small ? 0...2 : 1...40, using: &random)
                // A filter with an $or beside the query: the page and total are filtered per desa.
                let filter: HouseholdFilter = Bool.random(using: &random)
                    ? .query(query) : .all([.query(query), .any([.query(HouseholdQuery(program: .pkh)), .query(HouseholdQuery(desil: 1...5))])])
                func answer(_ tx: ReadTransaction) throws -> [String] {
                    let page = try tx.households(matching: filter, offset: offset, limit: limit)
                    let members = try tx.members(matching: filter, offset: offset, limit: limit)
                    return ["\(page.items.map(\.id!)) \(page.total)", "\(members.items.map { "\($0.household.id!)/\($0.index)" }) \(members.total)"]
                }
                let scanned = try store.write { tx in try answer(tx) }
                // Half the time a count first, whose index scan keeps the desa verdicts alone
                // (the households with every count are derived later, by the page's search).
                let countFirst = Bool.random(using: &random)
                let (first, again, used) = try store.read { tx in
                    let plans = try tx.plans(for: query)
                    let used = plans.ordered.index != plans.cheapest.index && plans.cheapest.index.isPrimary
                        && OrderedPrefix(plans.ordered.index, prefix: 1) != nil
                    if countFirst { _ = try tx.count(query) }
                    return (try answer(tx), try answer(tx), used)
                }
                if used { kept += 1 }
                #expect(first == scanned, "\(round): \(query) offset \(offset) limit \(limit)")
                #expect(again == scanned, "\(round), kept: \(query)")
            }
            #expect(kept > 10, "\(round): searches that read kept desa households: \(kept)")
        }
        try compare(seed: 21, "first")
        // Writes make a new generation: what was kept before is not used.
        let replacements = Self.households(seed: 98, count: 40)
        try store.write { tx in
            for (index, household) in households.prefix(90).enumerated() {
                var changed = household
                switch index % 3 {
                case 0: _ = try tx.delete(id: household.id!); continue
                case 1: changed.desil = household.desil.map { $0 % 10 + 1 } ?? 2
                default:
                    // Other members (a new tally), the head kept.
                    let head = household.members.first { $0.relation == .kepalaKeluarga }!
                    changed.members = [head] + replacements[index % replacements.count].members.filter { $0.relation != .kepalaKeluarga }.map { member in
                        var member = member
                        member.nik = .missing
                        return member
                    }
                }
                _ = try tx.put(changed, nikPolicy: .keepFlagged)
            }
        }
        try compare(seed: 21, "after writes")
    }

    @Test("a kept value is replaced only while kept in its generation, and a replacement never starts the cache afresh")
    func generationCacheReplacesWhatItKeeps() {
        let cache = GenerationCache<Int, String>(limit: 10)
        cache.keep("a", size: 6, for: 1, generation: 5)
        cache.keep("b", size: 4, for: 2, generation: 5)
        cache.replace("a, derived", for: 1, generation: 5)
        #expect(cache.value(for: 1, generation: 5) == "a, derived")
        #expect(cache.value(for: 2, generation: 5) == "b", "the cache is full, yet nothing was dropped")
        cache.replace("c", for: 3, generation: 5)
        #expect(cache.value(for: 3, generation: 5) == nil, "only what is kept is replaced")
        cache.replace("a, older", for: 1, generation: 4)
        #expect(cache.value(for: 1, generation: 5) == "a, derived", "an older generation replaces nothing")
        cache.keep("d", size: 1, for: 4, generation: 6)
        cache.replace("a, newer", for: 1, generation: 6)
        #expect(cache.value(for: 1, generation: 6) == nil, "a newer generation dropped what was kept before")
    }

    @Test("a desa's member tallies group by household: the radix sort orders ids as a sort does")
    func tallySortGroupsByHousehold() {
        var random = SeededRandom(seed: 0x534F_5254)
        var scratch: [UInt64] = []
        for round in 0..<300 {
            let count = Int.random(in: 0...3000, using: &random)
            // Ids clustered (a bulk-loaded desa), spread over every byte, or a few repeated.
            let base = UInt64.random(in: 0...UInt64(UInt32.max - 70_000), using: &random)
            let spread: UInt64 = [255, 65_535, UInt64(UInt32.max)][round % 3]
            var entries = (0..<count).map { _ in
                let id = round % 3 == 2 ? UInt64.random(in: 0...spread, using: &random) : base + UInt64.random(in: 0...spread, using: &random)
                return id << 32 | UInt64.random(in: 0...0x1FF, using: &random)
            }
            let model = entries.sorted()
            MemberTally.sortByHousehold(&entries, scratch: &scratch)
            #expect(entries.count == model.count)
            #expect(entries.map { $0 >> 32 } == model.map { $0 >> 32 }, "round \(round)")
            #expect(entries.sorted() == model, "the same entries, round \(round)")
        }
    }

    @Test("check finds a member index entry missing or left over")
    func checkSeesMemberIndex() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        let household = Self.households(seed: 5, count: 1)[0]
        let id = try store.write { tx in try tx.put(household, nikPolicy: .keepFlagged).id }
        try store.write { tx in
            let stored = try #require(try tx.household(id: id))
            var entry: UInt128 = 0
            MemberIndex.forEachEntry(stored) { entry = $0 }
            try tx.txn.delete(tx.dbs[.member], Keys.be(stored.wilayah.packed, width: Keys.desaWidth), MemberIndex.bytes(entry))
            try tx.txn.put(tx.dbs[.member], Keys.be(stored.wilayah.packed, width: Keys.desaWidth), MemberIndex.bytes(entry ^ (1 << 32)), flags: 0)
        }
        let report = try store.check()
        #expect(report.issues.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.extraIndexEntry, .missingIndexEntry])
        #expect(report.issues.allSatisfy { $0.householdID == id && $0.detail.contains("member index") }, "\(report.issues)")
    }

    @Test("a desil ranking after loading members with facts leaves the member index, PKH counts and member counters alone")
    func rankingKeepsMembers() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        let households = Self.households(seed: 11, count: 200)
        _ = try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for household in households { try loader.add(household) }
        }
        let date = try CalendarDate(year: 2026, month: 11, day: 26)
        var query = HouseholdQuery()
        query.referenceDate = date
        query.members = [.pkh(.anakUsiaDini), .householdSize(2...8)]
        let (before, pkhBefore, totalsBefore) = try store.read { tx in
            (try tx.ids(matching: query), try tx.pkhCounts(on: date), try tx.counts())
        }
        #expect(!before.isEmpty)
        #expect(pkhBefore.byComponent.values.contains { $0.members > 0 })
        let ids = try store.read { tx in try tx.ids(matching: HouseholdQuery()) }
        try store.rankDesil(version: DesilVersion(date)) { ranking in
            _ = try ranking.apply(ids.enumerated().map { DesilRanking.Entry(line: $0 + 2, id: $1, desil: $0 % 10 + 1) })
        }
        try store.read { tx in
            #expect(try tx.ids(matching: query) == before)
            #expect(try tx.pkhCounts(on: date) == pkhBefore)
            let totals = try tx.counts()
            #expect(totals.total == totalsBefore.total)
            #expect(totals.flaggedNIK == totalsBefore.flaggedNIK)
            #expect(totals.byDukcapil == totalsBefore.byDukcapil)
            #expect(totals.byProgram == totalsBefore.byProgram)
            #expect(totals.byDesil != totalsBefore.byDesil)
        }
        let report = try store.check()
        #expect(report.isClean, "\(report.issues)")
    }

    @Test("a member condition outside the query that leads a filter is refused")
    func membersOnlyInTheLead() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        var withMembers = HouseholdQuery()
        withMembers.members = [.householdSize(1...2)]
        try store.read { tx in
            _ = try tx.matches(.all([.query(withMembers), .query(HouseholdQuery(desil: 1...3))]))
            #expect(throws: LumbungError.self) { try tx.matches(.any([.query(withMembers), .query(HouseholdQuery(desil: 1...3))])) }
            #expect(throws: LumbungError.self) { try tx.matches(.all([.query(HouseholdQuery(desil: 1...3)), .query(withMembers)])) }
            #expect(throws: LumbungError.self) { try tx.matches(.not(.query(withMembers))) }
        }
    }
}
