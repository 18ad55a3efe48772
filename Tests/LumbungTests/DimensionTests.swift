import CLMDB
import Foundation
import Testing
@testable import Lumbung

/// The declared dimensions against a plain model of what a household holds in each: index
/// entries, scans, counters, counts and summary matching must all agree with it.
@Suite("Dimensions against an in-memory model")
struct DimensionTests {
    /// The obvious reading of a household, written without the declaration.
    enum Model {
        /// The values a household holds in a dimension (empty: none).
        static func values(_ dimension: IndexDimension, _ household: Household) -> Set<UInt8> {
            switch dimension {
            case .wilayah: [0]
            case .status: [household.status.code]
            case .program: Set(household.programs.map(\.rawValue))
            case .desil: household.desil.map { [UInt8($0)] } ?? []
            case .nikStatus:
                Set(household.members.compactMap {
                    switch $0.nik {
                    case .invalid: UInt8(1)
                    case .missing, .placeholder: UInt8(2)
                    case .valid: nil
                    }
                })
            case .dukcapil: Set(household.members.compactMap { $0.dukcapil?.status.rawValue })
            // One entry per member, no values (MemberIndexTests checks it against its own model).
            case .member: []
            }
        }

        /// The members a counter of `value` counts.
        static func members(_ dimension: IndexDimension, _ value: UInt8, _ household: Household) -> Int {
            switch dimension {
            case .nikStatus: return household.members.filter { value == 1 ? $0.nikStatus.kind == .invalid : $0.nikStatus.kind == .missing }.count
            case .dukcapil: return household.members.filter { $0.dukcapil?.status.rawValue == value }.count
            default: return household.members.count
            }
        }

        /// Every value a dimension may hold.
        static func domain(_ dimension: IndexDimension) -> [UInt8] {
            switch dimension {
            case .wilayah: [0]
            case .status: HouseholdStatus.allCases.map(\.code)
            case .program: Program.allCases.map(\.rawValue)
            case .desil: Array(1...10)
            case .nikStatus: [1, 2]
            case .dukcapil: [1, 2, 3, 4]
            case .member: []
            }
        }

        /// A query for one value of a dimension (0: households with none, where a query can say so).
        static func query(_ dimension: IndexDimension, _ value: UInt8) -> HouseholdQuery? {
            switch (dimension, value) {
            case (.wilayah, _): HouseholdQuery()
            case (.status, 0), (.program, 0), (.desil, 0): nil
            case (.status, _): HouseholdQuery(status: .exactly(HouseholdStatus(code: value)!))
            case (.program, _): HouseholdQuery(program: Program(rawValue: value)!)
            case (.desil, _): HouseholdQuery(desil: Int(value)...Int(value))
            case (.nikStatus, 0): HouseholdQuery(nikStatus: .valid)
            case (.nikStatus, _): HouseholdQuery(nikStatus: value == 1 ? .invalid : .missing)
            case (.dukcapil, 0): HouseholdQuery(dukcapil: .pending)
            case (.dukcapil, _): HouseholdQuery(dukcapil: .status(DukcapilStatus(rawValue: value)!))
            case (.member, _): nil
            }
        }
    }

    @Test("a household's contribution is the model's values, and its summary matches like the model", arguments: [1, 2, 3] as [UInt64])
    func contribution(seed: UInt64) {
        var factory = HouseholdFactory(seed: seed)
        for _ in 0..<300 {
            var household = factory.household(flaggedRate: 0.3)
            household.id = HouseholdID(rawValue: 7)
            let contribution = Contribution(household)
            var found: [IndexDimension: [UInt8]] = [:]
            contribution.forEachValue { found[$0, default: []].append($1) }
            var deltas = CounterDeltas()
            deltas.add(household, sign: 1)
            let counters = deltas.expanded()
            for dimension in IndexDimension.allCases {
                let expected = Model.values(dimension, household)
                #expect(found[dimension] ?? [] == expected.sorted(), "\(dimension) of \(household)")
                // Index entries: one per value, keyed (value, desa); the primary one carries the summary.
                let entries = IndexDimension.entries(household).filter { $0.0 == dimension }
                // The member index has one entry per member instead (MemberIndexTests models it).
                if dimension == .member {
                    #expect(entries.count == household.members.count && entries.allSatisfy { $0.2.count == MemberIndex.entryWidth })
                    continue
                }
                #expect(entries.map { $0.1 } == expected.sorted().map { Keys.secondaryKey(prefix: dimension.isPrimary ? nil : $0, desa: household.wilayah.packed) })
                #expect(entries.allSatisfy { $0.2.count == (dimension.isPrimary ? 8 : 4) })
                // Counters at the desa and national levels.
                for value in Model.domain(dimension) {
                    let want: (Int64, Int64) = expected.contains(value) ? (1, Int64(Model.members(dimension, value, household))) : (0, 0)
                    for (level, code) in [(4, household.wilayah.packed), (0, UInt64(0))] {
                        let got = counters[Keys.counter(level: level, code: code, dimension: dimension, value: value)] ?? (0, 0)
                        #expect(got.0 == want.0 && got.1 == want.1, "\(dimension)=\(value) level \(level)")
                    }
                }
                // Summary matching: a query for a value matches exactly the households holding it.
                for value in [0] + Model.domain(dimension) {
                    guard let query = Model.query(dimension, value) else { continue }
                    let holds = dimension.isPrimary || (value == 0 ? expected.isEmpty : expected.contains(value))
                    #expect(query.matches(contribution.summary) == holds, "\(dimension)=\(value)")
                    #expect(HouseholdFilter.query(query).matches(household) == holds)
                }
            }
            #expect(contribution.summary.members == UInt8(min(household.members.count, 255)))
            #expect(Program.set(mask: Program.mask(summaryByte: contribution.summary.programs)) == household.programs)
        }
    }

    @Test("the store's indexes, scans and counts agree with the model", arguments: [11, 12] as [UInt64])
    func store(seed: UInt64) throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"))
        var factory = HouseholdFactory(seed: seed)
        var random = SeededRandom(seed: seed)
        // A bulk load, then single puts, replacements and deletes (both write paths).
        try store.bulkLoad(nikPolicy: .keepFlagged) { loader in
            for _ in 0..<150 { try loader.add(factory.household(flaggedRate: 0.2)) }
        }
        try store.write { tx in
            for _ in 0..<50 { try tx.put(factory.household(flaggedRate: 0.2), nikPolicy: .keepFlagged) }
            for raw in 1...200 where Int.random(in: 0..<4, using: &random) == 0 {
                var household = try tx.household(id: HouseholdID(rawValue: UInt64(raw)))!
                if Bool.random(using: &random) {
                    _ = try tx.delete(id: household.id!)
                    continue
                }
                household.status = HouseholdStatus.allCases.randomElement(using: &random)!
                household.programs = Set(Program.allCases.filter { _ in Bool.random(using: &random) })
                household.desil = Bool.random(using: &random) ? Int.random(in: 1...10, using: &random) : nil
                if household.desil == nil { household.desilVersion = nil }  // a version needs a desil
                household.members[0].nik = [.missing, household.members[0].nik].randomElement(using: &random)!
                try tx.put(household, nikPolicy: .keepFlagged)
            }
        }
        #expect(try store.check().isClean)
        try store.read { tx in
            var households: [Household] = []
            try tx.forEachHousehold { households.append($0) }
            let regions: [KodeWilayah?] = [nil, factory.desa[0].ancestor(at: .kecamatan), factory.desa[1]]
            for dimension in IndexDimension.allCases {
                // The index holds, under each value, exactly the households the model gives it.
                var indexed: [UInt8: Set<HouseholdID>] = [:]
                let cursor = try tx.txn.cursor(tx.dbs[dimension])
                var more = try cursor.move(MDB_FIRST)
                while more {
                    let value = dimension.isPrimary ? 0 : cursor.keyBytes[0]
                    indexed[value, default: []].insert(Keys.splitEntry(cursor.valueBytes).id)
                    more = try cursor.move(MDB_NEXT)
                }
                for value in Model.domain(dimension) {
                    let holders = households.filter { Model.values(dimension, $0).contains(value) }
                    #expect(indexed[value] ?? [] == Set(holders.map { $0.id! }), "\(dimension)=\(value)")
                }
                for region in regions {
                    let inRegion = households.filter { region?.contains($0.wilayah) ?? true }
                    let counts = try tx.counts(wilayah: region)
                    for value in [0] + Model.domain(dimension) {
                        let holders = inRegion.filter {
                            let values = Model.values(dimension, $0)
                            return dimension.isPrimary || (value == 0 ? values.isEmpty : values.contains(value))
                        }
                        if value != 0 || dimension.isPrimary {
                            let members = holders.reduce(0) { $0 + Model.members(dimension, value, $1) }
                            #expect(counts.count(dimension, value: value) == Count(households: holders.count, members: members), "\(dimension)=\(value) in \(region?.dotted ?? "-")")
                        }
                        // A scan (on whichever index the plan picks) and a count return the model's households.
                        guard var query = Model.query(dimension, value) else { continue }
                        query.wilayah = region
                        #expect(Set(try tx.ids(matching: query)) == Set(holders.map { $0.id! }), "\(dimension)=\(value) in \(region?.dotted ?? "-")")
                        #expect(try tx.count(query) == Count(households: holders.count, members: holders.reduce(0) { $0 + $1.members.count }))
                        // The dimension's own index, when it can answer, returns the same.
                        if let plan = QueryPlan.candidates(for: query).first(where: { $0.index == dimension }) {
                            var scanned: Set<HouseholdID> = []
                            try tx.scan(plan, query: query, after: nil) { id, _, _ in scanned.insert(id).inserted }
                            #expect(scanned == Set(holders.map { $0.id! }), "\(dimension)=\(value) index scan")
                        }
                    }
                }
            }
        }
    }

    @Test("the NIK flag and program bit layouts have one source")
    func layouts() {
        for kind in NIKStatus.Kind.allCases {
            if let value = kind.flagValue {
                #expect(NIKStatus.Kind(flagValue: value) == kind)
                #expect(NIKStatus.Kind.mask(summaryFlags: kind.summaryFlag) == 1 << UInt64(value))
                #expect(kind.summaryFlag & 0x0F == 0, "the flags stay out of the desil nibble")
            } else {
                #expect(kind.summaryFlag == 0)
            }
        }
        for program in Program.allCases {
            #expect(Program.mask(summaryByte: Program.summaryByte(program.bit)) == program.bit)
            #expect(Program.set(mask: program.bit) == [program])
        }
        // Every mask, bits of no program included, names exactly the programs whose bits it has.
        for mask in UInt32(0)..<4_096 {
            #expect(Program.set(mask: mask) == Set(Program.allCases.filter { mask & 1 << UInt32($0.rawValue) != 0 }))
        }
        #expect(IndexDimension.allCases.map(\.rawValue) == Array(1...UInt8(IndexDimension.allCases.count)), "raw values run without gaps")
        #expect(Set(IndexDimension.allCases.map(\.counterCode)).count == IndexDimension.allCases.count)
        #expect(Set(IndexDimension.allCases.map(\.databaseName)).count == IndexDimension.allCases.count)
    }
}
