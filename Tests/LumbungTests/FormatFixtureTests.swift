import CLMDB
import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// A store written by format 1 (before dimensions were declared once) must open unchanged:
/// `check` clean, and every count, query, page cursor and lookup answering as the old code did.
///
/// `Tests/Fixtures/format1/data.mdb` and `answers.txt` were written by the old code with
/// `LUMBUNG_WRITE_FORMAT_FIXTURE=1 swift test --filter FormatFixtureTests` (the writer below).
@Suite("Format 1 fixture store")
struct FormatFixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/format1")

    /// A copy of the fixture store in a fresh directory (the committed file stays untouched).
    static func openCopy() throws -> (Store, TemporaryDirectory) {
        let dir = TemporaryDirectory()
        try FileManager.default.copyItem(
            at: directory.appendingPathComponent("data.mdb"), to: URL(fileURLWithPath: dir.path).appendingPathComponent("data.mdb"))
        return (try Store(path: dir.path), dir)
    }

    @Test("the fixture opens unchanged: check clean, the old code's answers")
    func opensUnchanged() throws {
        let (store, dir) = try Self.openCopy()
        _ = dir
        let report = try store.check()
        #expect(report.isClean, "\(report.issues)")
        #expect(report.households > 100)
        #expect(report.flaggedMembers > 0)
        let expected = try String(contentsOf: Self.directory.appendingPathComponent("answers.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let actual = try store.read { try Self.answers($0) }
        #expect(actual.count == expected.count - 1)
        for (line, (want, got)) in zip(expected, actual).enumerated() where want != got {
            Issue.record("answers.txt line \(line + 1): expected \(want), got \(got)")
        }
    }

    @Test("every stored record is the payload its journal digest names; format-1 records re-encode as format 2 to the same household")
    func recordsEncodeUnchanged() throws {
        let (store, dir) = try Self.openCopy()
        _ = dir
        try store.read { tx in
            var digests: [HouseholdID: [UInt8]] = [:]
            for entry in try tx.changes(after: 0, limit: 100_000) {
                switch entry.action {
                case .insert, .update: digests[entry.householdID] = entry.digest
                case .delete: digests[entry.householdID] = nil
                case .moveMember, .event, .request: break
                }
            }
            var checked = 0
            let cursor = try tx.txn.cursor(tx.dbs.records)
            var found = try cursor.move(MDB_FIRST)
            while found {
                let id = HouseholdID(rawValue: Keys.read(cursor.keyBytes, width: Keys.idWidth))
                try tx.openRecord(cursor.valueBytes) { payload in
                    #expect(JournalEntry.digest(of: payload) == digests[id], "household \(id)")
                    #expect(payload.first == RecordCodec.version1)
                    let household = try RecordCodec.decode(payload, id: id)
                    var writer = ByteWriter()
                    RecordCodec.encode(household, into: &writer)
                    #expect(writer.bytes.first == RecordCodec.version)
                    let again = try writer.bytes.withUnsafeBytes { try RecordCodec.decode($0, id: id) }
                    let head = try writer.bytes.withUnsafeBytes { try RecordCodec.plainHead($0) }
                    #expect(again == household)
                    #expect(head == (try RecordCodec.plainHead(payload)), "the head reads alike in both layouts")
                }
                checked += 1
                found = try cursor.move(MDB_NEXT)
            }
            #expect(checked == digests.count)
        }
    }

    @Test("writes to the fixture keep it consistent")
    func writesStayConsistent() throws {
        let (store, dir) = try Self.openCopy()
        _ = dir
        let ids = try store.read { tx in try tx.ids(matching: HouseholdQuery()) }
        try store.write { tx in
            for id in ids.prefix(10) {
                var household = try tx.household(id: id)!
                household.programs = household.programs.isEmpty ? [.pkh, .blt] : []
                household.desil = household.desil == nil ? 4 : nil
                if household.desil == nil { household.desilVersion = nil }  // a version needs a desil
                household.members[0].nik = .missing
                try tx.put(household, nikPolicy: .keepFlagged)
            }
            _ = try tx.delete(id: ids[20])
        }
        let report = try store.check()
        #expect(report.isClean, "\(report.issues)")
        let all = try store.read { tx in
            var households: [Household] = []
            try tx.forEachHousehold { households.append($0) }
            return households
        }
        var query = HouseholdQuery(program: .blt)
        query.nikStatus = .missing
        let found = try store.read { tx in try tx.ids(matching: query) }
        #expect(Set(found) == Set(all.filter { StorePropertyTests.Model().matches($0, query) }.map { $0.id! }))
    }

    // MARK: Answers

    static func line<T>(_ label: String, _ value: T) -> String { "\(label) = \(value)" }

    static func describe(_ counts: RegionCounts) -> String {
        func group<K>(_ values: [K: Count], _ name: (K) -> String) -> String {
            values.map { "\(name($0.key)):\($0.value.households)/\($0.value.members)" }.sorted().joined(separator: ",")
        }
        return "total \(counts.total.households)/\(counts.total.members)"
            + " status[\(group(counts.byStatus) { "\($0.code)" })]"
            + " program[\(group(counts.byProgram) { $0.name })]"
            + " desil[\(group(counts.byDesil) { "\($0)" })]"
            + " nik[\(group(counts.flaggedNIK) { $0.rawValue })]"
    }

    /// Every query of one dimension value, alone and in a few combinations, in a few regions.
    static func queries(regions: [KodeWilayah?]) -> [(String, HouseholdQuery)] {
        var single: [(String, HouseholdQuery)] = [("all", HouseholdQuery())]
        for status in HouseholdStatus.allCases { single.append(("status \(status.code)", HouseholdQuery(status: .exactly(status)))) }
        single.append(("status tidak_layak", HouseholdQuery(status: .anyTidakLayak)))
        for program in Program.allCases { single.append(("program \(program.name)", HouseholdQuery(program: program))) }
        for desil in 1...10 { single.append(("desil \(desil)", HouseholdQuery(desil: desil...desil))) }
        single.append(("desil 1-3", HouseholdQuery(desil: 1...3)))
        single.append(("desil 4-10", HouseholdQuery(desil: 4...10)))
        for kind in NIKStatus.Kind.allCases { single.append(("nik \(kind.rawValue)", HouseholdQuery(nikStatus: kind))) }
        single.append(("pkh desil 1-3", HouseholdQuery(program: .pkh, desil: 1...3)))
        single.append(("tidak_layak bpnt", HouseholdQuery(status: .anyTidakLayak, program: .bpnt)))
        single.append(("desil 1-5 nik valid", HouseholdQuery(desil: 1...5, nikStatus: .valid)))
        single.append(("nik missing pbi", HouseholdQuery(program: .pbiJK, nikStatus: .missing)))
        var all: [(String, HouseholdQuery)] = []
        for region in regions {
            for (name, query) in single {
                var query = query
                query.wilayah = region
                all.append(("\(region?.dotted ?? "-") \(name)", query))
            }
        }
        return all
    }

    /// What the store answers: counts, queries, pages with their cursors, filters, lookups.
    static func answers(_ tx: ReadTransaction) throws -> [String] {
        var households: [Household] = []
        try tx.forEachHousehold { households.append($0) }
        var lines = [line("households", try tx.householdCount()), line("last sequence", try tx.lastSequence())]
        let desa = Set(households.map(\.wilayah)).sorted { $0.packed < $1.packed }
        let kecamatan = Set(desa.map { $0.ancestor(at: .kecamatan)! }).sorted { $0.packed < $1.packed }
        let kabupaten = Set(desa.map { $0.ancestor(at: .kabupaten)! }).sorted { $0.packed < $1.packed }
        for region in [nil] + kabupaten + kecamatan + desa {
            lines.append(line("counts \(region?.dotted ?? "-")", describe(try tx.counts(wilayah: region))))
        }
        for (name, query) in queries(regions: [nil] + kabupaten + [kecamatan[0], desa[0]]) {
            lines.append(line("ids \(name)", try tx.ids(matching: query).map(\.rawValue)))
            let count = try tx.count(query)
            lines.append(line("count \(name)", "\(count.households)/\(count.members)"))
        }
        for (name, query) in queries(regions: [kecamatan[0]]) {
            var cursor: String?
            repeat {
                let page = try tx.find(query, after: cursor, limit: 7)
                lines.append(line("page \(name)", "\(page.households.map { $0.id!.rawValue }) next \(page.nextCursor ?? "-")"))
                cursor = page.nextCursor
            } while cursor != nil
        }
        let filters: [(String, HouseholdFilter)] = [
            ("pkh or desil 1-2", .any([.query(HouseholdQuery(program: .pkh)), .query(HouseholdQuery(desil: 1...2))])),
            ("not nik valid", .not(.query(HouseholdQuery(nikStatus: .valid)))),
            ("kec and not bpnt", .all([.query(HouseholdQuery(wilayah: kecamatan[0])), .not(.query(HouseholdQuery(program: .bpnt)))])),
        ]
        for (name, filter) in filters {
            let page = try tx.matches(filter, sortedBy: [HouseholdSort(.desil, descending: true)])
            lines.append(line("filter \(name)", "\(page.items.map { "\($0.id.rawValue):\($0.members)" }) total \(page.total.households)/\(page.total.members)"))
        }
        for household in households {
            lines.append(line("kk \(household.nomorKK.rawValue)", try tx.householdID(kk: household.nomorKK)?.rawValue ?? 0))
            for nik in household.validNIKs {
                lines.append(line("nik \(nik.rawValue)", try tx.householdID(nik: nik)?.rawValue ?? 0))
            }
        }
        return lines
    }

    // MARK: Writing the fixture (old code only)

    @Test("write the fixture", .enabled(if: ProcessInfo.processInfo.environment["LUMBUNG_WRITE_FORMAT_FIXTURE"] != nil))
    func writeFixture() throws {
        let dir = TemporaryDirectory()
        let store = try Store(path: dir.path)
        let synthetic = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 1, dirtyNIKRate: 0.05)
        try store.bulkLoad(actor: "fixture", nikPolicy: .keepFlagged) { loader in
            for household in synthetic.households(count: 120) { try loader.add(household) }
        }
        var factory = HouseholdFactory(seed: 12)
        try store.write(actor: "fixture") { tx in
            for _ in 0..<40 { try tx.put(factory.household(flaggedRate: 0.15), nikPolicy: .keepFlagged) }
            for raw in stride(from: 3, through: 150, by: 15) {
                var household = try tx.household(id: HouseholdID(rawValue: UInt64(raw)))!
                household.desil = household.desil.map { $0 % 10 + 1 }
                household.programs = Set(Program.allCases.filter { ($0.rawValue + UInt8(raw)) % 3 == 0 })
                try tx.put(household, nikPolicy: .keepFlagged)
            }
            for raw in [7, 70, 130] { _ = try tx.delete(id: HouseholdID(rawValue: UInt64(raw))) }
        }
        #expect(try store.check().isClean)
        let answers = try store.read { try Self.answers($0) }
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        let target = Self.directory.appendingPathComponent("data.mdb")
        try? FileManager.default.removeItem(at: target)
        // A compacted copy: no free pages, so the committed file is as small as the data.
        try StoreFileSwap.compactCopy(of: dir.path, to: Self.directory.path)
        try (answers.joined(separator: "\n") + "\n").write(to: Self.directory.appendingPathComponent("answers.txt"), atomically: true, encoding: .utf8)
    }
}
