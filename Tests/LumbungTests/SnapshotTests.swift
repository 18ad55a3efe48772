import Foundation
import LumbungSynthetic
import Testing
@testable import Lumbung

/// A store of `count` generated households in a temporary directory.
private func makeStore(_ directory: TemporaryDirectory, count: Int, seed: UInt64 = 5) throws -> String {
    let path = directory.sub("store")
    let store = try Store(path: path)
    let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: seed)
    try store.bulkLoad { loader in for household in generator.households(count: count) { try loader.add(household) } }
    return path
}

private func name(_ text: String) -> SnapshotName { try! SnapshotName(text) }

@Suite("Snapshot names")
struct SnapshotNameTests {
    @Test func periodsAndAutomaticNamesParseStrictly() throws {
        for good in ["2026-11", "2000-01", "9999-12", "auto-20261123T101500Z", "auto-20240229T235959Z"] {
            #expect(try SnapshotName(good).text == good)
        }
        for bad in ["", "2026-13", "2026-00", "2026-1", "26-11", "1999-12", "2026/11", "../2026-11", "2026-11/..", "..",
                    "2026-11 ", " 2026-11", "２０２６-11", "auto-20261131T000000Z", "auto-20250229T000000Z",
                    "auto-20261123T246000Z", "auto-20261123T101500", "auto-../../../etc", "2026-1a"] {
            #expect(throws: LumbungError.self, "\(bad)") { try SnapshotName(bad) }
            do { _ = try SnapshotName(bad) } catch let error as LumbungError { #expect(error.code == .snapshotName) }
        }
        #expect(try SnapshotName("2026-11").kind == .period)
        #expect(try SnapshotName("auto-20261123T101500Z").kind == .automatic)
        #expect(try SnapshotName("2026-11").monthsOld(at: ISO8601DateFormatter().date(from: "2027-02-01T00:00:00Z")!) == 3)
        #expect(SnapshotName.month(containing: ISO8601DateFormatter().date(from: "2026-01-31T23:59:59Z")!).text == "2026-01")
        #expect(try SnapshotName("2026-11") < SnapshotName("auto-20261101T000000Z"))
        #expect(try SnapshotName("auto-20261001T000000Z") < SnapshotName("2026-11"))
    }
}

@Suite("Snapshots", .serialized)
struct SnapshotTests {
    @Test func createListShowAndVerify() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 400)
        let store = try Store(path: path)
        let manifest = try store.snapshots.create(period: name("2026-10"))
        let live = try store.read { tx in (try tx.counts(), try tx.lastSequence(), try tx.householdCount()) }
        #expect(manifest.period == "2026-10")
        #expect(manifest.households == 400 && manifest.households == live.2)
        #expect(manifest.members == live.0.total.members)
        #expect(manifest.journalSequence == live.1)
        #expect(manifest.schemaVersion == Int(Environment.formatVersion))
        #expect(manifest.contentDigest.hasPrefix("sha256:") && manifest.contentDigest.count == 71)
        // Counts for every level that holds households, equal to the live counters.
        let national = try #require(manifest.counts(wilayah: nil))
        #expect(national.total.households == 400)
        #expect(national.status.values.reduce(0) { $0 + $1.households } == 400)
        let kecamatan = try store.read { tx in
            try WilayahTable.shared.children(of: try KodeWilayah("32.16")).map { ($0, try tx.counts(wilayah: $0)) }
        }
        for (code, counts) in kecamatan where counts.total.households > 0 {
            let entry = try #require(manifest.counts(wilayah: code))
            #expect(entry.total.households == counts.total.households && entry.level == "kecamatan")
            #expect(entry.program["PKH"]?.households == counts.byProgram[.pkh]?.households)
        }
        #expect(manifest.counts.contains { $0.level == "desa" } && manifest.counts.contains { $0.level == "provinsi" })
        let file = try #require(manifest.files.first)
        let onDisk = try Snapshots.sha256(file: (store.snapshots.path(of: name("2026-10")) as NSString).appendingPathComponent("data.mdb"))
        #expect(file.name == "data.mdb" && file.bytes == onDisk.bytes && file.sha256 == onDisk.hex)

        #expect(try store.snapshots.names() == [name("2026-10")])
        #expect(try store.snapshots.manifest(name("2026-10")) == manifest)
        #expect(try store.snapshots.verify(name("2026-10")).isValid)
        #expect(throws: LumbungError.self) { try store.snapshots.manifest(name("2026-09")) }
    }

    @Test func snapshotWhileAWriterRunsReflectsItsJournalSequence() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 300)
        let store = try Store(path: path)
        let start = try store.read { tx in try tx.lastSequence() }
        // Writer: inserts and deletes in many small transactions, remembering what it inserted.
        let inserted = Locked<[HouseholdID: Household]>([:])
        let commits = Locked(0)
        let stop = Locked(false)
        let writer = Thread {
            var factory = HouseholdFactory(seed: 42)
            var random = SeededRandom(seed: 9)
            while !stop.withLock({ $0 }) {
                do {
                    try store.write(actor: "writer") { tx in
                        for _ in 0..<3 {
                            let household = factory.household()
                            let id = try tx.put(household).id
                            var stored = household
                            stored.id = id
                            inserted.withLock { $0[id] = stored }
                        }
                        let victim = HouseholdID(rawValue: UInt64.random(in: 1...300, using: &random))
                        if try tx.contains(id: victim) { try tx.delete(id: victim) }
                    }
                } catch {
                    Issue.record("writer: \(error)")
                    return
                }
                commits.withLock { $0 += 1 }
            }
        }
        writer.start()
        // Bounded waits: a writer that stopped early fails the test instead of hanging it.
        func waitFor(_ condition: () -> Bool) -> Bool {
            let deadline = Date().addingTimeInterval(60)
            while !condition() { if Date() > deadline { return false }; usleep(1000) }
            return true
        }
        #expect(waitFor { commits.withLock { $0 } >= 20 }, "the writer did not get going")
        let manifest = try store.snapshots.create(period: name("2026-11"))
        let after = commits.withLock { $0 }
        #expect(waitFor { commits.withLock { $0 } >= after + 20 }, "the writer stalled after the snapshot")
        stop.withLock { $0 = true }
        #expect(waitFor { writer.isFinished })

        let end = try store.read { tx in try tx.lastSequence() }
        let sequence = manifest.journalSequence
        #expect(sequence > start && sequence < end, "the snapshot fell between writes: \(start) < \(sequence) < \(end)")
        // Replay the journal up to the snapshot's sequence: the households that exist then.
        var present = Set((1...300).map { HouseholdID(rawValue: UInt64($0)) })
        var after0: UInt64 = start
        while true {
            let entries = try store.read { tx in try tx.changes(after: after0) }
            guard let last = entries.last else { break }
            for entry in entries where entry.sequence <= sequence {
                switch entry.action {
                case .insert: present.insert(entry.householdID)
                case .delete: present.remove(entry.householdID)
                default: break
                }
            }
            after0 = last.sequence
        }
        // A transaction is all or nothing: 3 inserts and maybe a delete, never part of one.
        let ids = try store.snapshots.read(name("2026-11")) { tx in
            var ids = Set<HouseholdID>()
            try tx.forEachHousehold { ids.insert($0.id!) }
            return ids
        }
        #expect(ids == present)
        #expect(manifest.households == present.count)
        // The counts are those of exactly these households.
        let base = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 5).households(count: 300)
        var model = inserted.withLock { $0 }
        for (index, household) in base.enumerated() {
            var stored = household
            stored.id = HouseholdID(rawValue: UInt64(index + 1))
            model[stored.id!] = stored
        }
        let expected = present.map { model[$0]! }
        let national = try #require(manifest.counts(wilayah: nil))
        #expect(national.total.members == expected.reduce(0) { $0 + $1.members.count })
        for status in HouseholdStatus.allCases {
            #expect(national.status[status.description]?.households ?? 0 == expected.count { $0.status == status })
        }
        for program in Program.allCases {
            #expect(national.program[program.name]?.households ?? 0 == expected.count { $0.programs.contains(program) })
        }
        #expect(try store.snapshots.verify(name("2026-11")).isValid)
    }

    @Test func verifyDetectsAChangedByteTruncationAMissingFileAndAnEditedManifest() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 300)
        let store = try Store(path: path)
        let periods = ["2026-01", "2026-02", "2026-03", "2026-04"].map(name)
        for period in periods { try store.snapshots.create(period: period) }
        let data = { (period: SnapshotName) in (store.snapshots.path(of: period) as NSString).appendingPathComponent("data.mdb") }

        let size = try #require(try Snapshots.sha256(file: data(periods[0])).bytes)
        try flipByte(data(periods[0]), at: size / 2 + 17)
        let changed = try store.snapshots.verify(periods[0])
        #expect(!changed.isValid)
        #expect(changed.problems.contains { $0.contains("SHA-256") })

        chmod(data(periods[1]), 0o644)
        #expect(truncate(data(periods[1]), off_t(size - 4096)) == 0)
        #expect(try store.snapshots.verify(periods[1]).problems.contains { $0.contains("truncated") })

        try FileManager.default.removeItem(atPath: data(periods[2]))
        #expect(try store.snapshots.verify(periods[2]).problems.contains { $0.contains("missing") })

        // A manifest that lies about the counts: the recomputed figures differ.
        let manifestPath = (store.snapshots.path(of: periods[3]) as NSString).appendingPathComponent("manifest.json")
        chmod(manifestPath, 0o644)
        var manifest = try store.snapshots.manifest(periods[3])
        manifest.households += 1
        manifest.counts[0].total.households += 1
        try manifest.encoded().write(to: URL(fileURLWithPath: manifestPath))
        let edited = try store.snapshots.verify(periods[3])
        #expect(edited.problems.contains { $0.contains("households") })
        #expect(edited.problems.contains { $0.contains("counts of") })
        // A missing manifest makes the snapshot incomplete.
        try FileManager.default.removeItem(atPath: manifestPath)
        #expect(!(try store.snapshots.verify(periods[3]).isValid))
        #expect(try store.snapshots.names() == Array(periods.prefix(3)))
    }

    @Test func anExistingPeriodIsReplacedOnlyWithAReasonAndTheReplacementIsJournaled() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 200)
        let store = try Store(path: path)
        let first = try store.snapshots.create(period: name("2026-10"))
        try store.write { tx in _ = try tx.delete(id: HouseholdID(rawValue: 7)) }
        #expect { try store.snapshots.create(period: name("2026-10")) } throws: { ($0 as? LumbungError)?.code == .snapshotExists }
        #expect { try store.snapshots.create(period: name("2026-10"), replacing: "  ") } throws: { ($0 as? LumbungError)?.code == .snapshotReasonRequired }
        #expect(try store.snapshots.manifest(name("2026-10")) == first)
        let second = try store.snapshots.create(period: name("2026-10"), replacing: "household 7 was a duplicate", actor: "admin")
        #expect(second.households == 199)
        #expect(second.replaced?.reason == "household 7 was a duplicate")
        #expect(second.replaced?.previousContentDigest == first.contentDigest)
        let last = try #require(try store.read { tx in try tx.changes(after: second.journalSequence) }.last)
        #expect(last.action == .event && last.actor == "admin")
        #expect(last.note.contains("2026-10") && last.note.contains("household 7 was a duplicate"))
        #expect(try store.snapshots.verify(name("2026-10")).isValid)
        #expect(try store.snapshots.list().count == 1)
    }

    /// A scoped reader's manifest and list keep every key but the store-wide ones, with counts
    /// cut to the scope; the whole store's manifest is the stored one, byte for byte.
    @Test func aScopedReaderSeesNoStoreWideFigure() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 200)
        let store = try Store(path: path)
        try store.snapshots.create(period: name("2026-10"))
        try store.write { tx in _ = try tx.delete(id: HouseholdID(rawValue: 7)) }
        let manifest = try store.snapshots.create(period: name("2026-10"), replacing: "koreksi")
        let stored = try Data(contentsOf: URL(fileURLWithPath: store.snapshots.path(of: name("2026-10")) + "/manifest.json"))
        #expect(manifest.encoded(for: .everything) == stored && manifest.encoded() == stored)
        #expect(try SnapshotManifest.decode(stored, name: "2026-10") == manifest)

        func object(_ data: Data) throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
        let whole = try object(stored)
        let kecamatan = try #require(manifest.counts.first { $0.level == "kecamatan" })
        let scope = AccessScope(try KodeWilayah(try #require(kecamatan.wilayah)))
        let scopedData = manifest.encoded(for: scope)
        let scoped = try object(scopedData)
        let storeWide: Set<String> = ["content_digest", "files", "journal_sequence"]
        #expect(Set(whole.keys).isSuperset(of: storeWide))
        #expect(Set(scoped.keys) == Set(whole.keys).subtracting(storeWide))
        let replaced = try #require(scoped["replaced"] as? [String: Any])
        #expect(Set(replaced.keys) == Set(try #require(whole["replaced"] as? [String: Any]).keys).subtracting(["previous_content_digest"]))
        #expect(replaced["reason"] as? String == "koreksi")
        #expect(scoped["households"] as? Int == kecamatan.total.households && scoped["members"] as? Int == kecamatan.total.members)
        let regions = (scoped["counts"] as? [[String: Any]] ?? []).compactMap { $0["wilayah"] as? String }
        #expect(!regions.isEmpty && regions.allSatisfy { $0.hasPrefix(kecamatan.wilayah!) })
        // Pretty printed, sorted keys, a trailing newline, like the stored manifest.
        let text = String(decoding: scopedData, as: UTF8.self)
        #expect(text.hasSuffix("}\n") && text.contains("\n  \"counts\" : ["))
        let order = ["counts", "created_at", "format", "households", "members", "period", "replaced", "schema_version"]
        let positions = order.compactMap { text.range(of: "\n  \"\($0)\"")?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted())

        let listed = try object(Data(SnapshotListReport(try store.snapshots.list()).json(scope: scope).text.utf8))
        let entry = try #require((listed["snapshots"] as? [[String: Any]])?.first)
        #expect(Set(entry.keys) == ["period", "created_at", "households", "members", "verify_status"])
        #expect(entry["households"] as? Int == kecamatan.total.households)
        let wholeList = try object(Data(SnapshotListReport(try store.snapshots.list()).json().text.utf8))
        let wholeEntry = try #require((wholeList["snapshots"] as? [[String: Any]])?.first)
        #expect(wholeEntry["content_digest"] as? String == manifest.contentDigest && wholeEntry["journal_sequence"] as? Int == Int(manifest.journalSequence))
        #expect(wholeEntry["households"] as? Int == 199)
    }

    @Test func diffGroupingNamesAreTheLevelsAndNasional() throws {
        #expect(SnapshotDiff.Grouping.allCases.map(\.rawValue) == ["nasional", "provinsi", "kabupaten", "kecamatan", "desa"])
        for grouping in SnapshotDiff.Grouping.allCases {
            #expect(try SnapshotDiff.Grouping(parsing: grouping.rawValue) == grouping)
        }
        #expect(try SnapshotDiff.Grouping(parsing: "kecamatan").level == .kecamatan)
        #expect(SnapshotDiff.Grouping.nasional.level == nil && SnapshotDiff.Grouping.default.level == .kabupaten)
        for bad in ["", "Desa", "kota", "nasional "] {
            #expect { try SnapshotDiff.Grouping(parsing: bad) } throws: { error in
                guard let error = error as? LumbungError else { return false }
                return error.code == .requestInvalid && error.field == "by" && (bad.isEmpty || error.value == bad)
                    && error.rule == "one of nasional, provinsi, kabupaten, kecamatan, desa"
            }
        }
    }

    @Test func aFailedSnapshotLeavesNothingThatLooksComplete() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 100)
        let store = try Store(path: path)
        try store.snapshots.create(period: name("2026-10"))
        // What a killed `create` leaves: a temporary directory with a partial copy, no manifest.
        let area = store.snapshots.directory
        let leftover = (area as NSString).appendingPathComponent(".tmp-2026-11-999999-deadbeef")
        try FileManager.default.createDirectory(atPath: leftover, withIntermediateDirectories: true)
        try Data(repeating: 7, count: 8192).write(to: URL(fileURLWithPath: leftover + "/data.mdb"))
        // And a directory under a period name without a manifest.
        try FileManager.default.createDirectory(atPath: (area as NSString).appendingPathComponent("2026-12"), withIntermediateDirectories: true)
        let listings = try store.snapshots.list()
        #expect(listings.count == 3)
        // The list report: complete snapshots only, the rest under "incomplete" when asked for.
        let report = SnapshotListReport(listings)
        let shown = try #require(try JSONSerialization.jsonObject(with: Data(report.json(incomplete: true).text.utf8)) as? [String: Any])
        #expect((shown["snapshots"] as? [[String: Any]])?.map { $0["period"] as? String } == ["2026-10"])
        let incomplete = (shown["incomplete"] as? [[String: Any]] ?? []).compactMap { $0["directory"] as? String }
        #expect(Set(incomplete) == [".tmp-2026-11-999999-deadbeef", "2026-12"])
        #expect(!report.json().text.contains("incomplete") && !report.json().text.contains("deadbeef"))
        #expect(listings.filter { $0.manifest != nil }.map(\.directoryName) == ["2026-10"])
        #expect(try store.snapshots.names() == [name("2026-10")])
        #expect { try store.snapshots.read(name("2026-12")) { _ in } } throws: { ($0 as? LumbungError)?.code == .snapshotIncomplete }
        #expect { try store.snapshots.manifest(name("2026-11")) } throws: { ($0 as? LumbungError)?.code == .snapshotNotFound }
        // Prune removes the leftover of the dead process, not the complete snapshot.
        let pruned = try store.snapshots.prune(keep: 5)
        #expect(pruned.removedLeftovers == [".tmp-2026-11-999999-deadbeef"])
        #expect(!FileManager.default.fileExists(atPath: leftover))
        #expect(try store.snapshots.names() == [name("2026-10")])
    }

    @Test func aSnapshotIsReadOnlyAndAnswersAsItWas() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 150)
        let store = try Store(path: path)
        let before = try #require(try store.read { tx in try tx.household(id: HouseholdID(rawValue: 3)) })
        try store.snapshots.create(period: name("2026-10"))
        try store.write { tx in _ = try tx.delete(id: HouseholdID(rawValue: 3)) }
        let nik = try #require(before.validNIKs.first)
        try store.snapshots.open(name("2026-10")) { (snapshot) throws in
            #expect(try snapshot.read { tx in try tx.household(nik: nik) } == before)
            #expect(try snapshot.read { tx in try tx.householdCount() } == 150)
            #expect { try snapshot.write { tx in try tx.recordEvent("x") } } throws: { ($0 as? LumbungError)?.code == .storeReadOnly }
            #expect(try snapshot.check().isClean)
        }
        #expect(try store.read { tx in try tx.household(nik: nik) } == nil)
        // A snapshot opens beside the live store in one process, and twice at once.
        try store.snapshots.open(name("2026-10")) { (a) throws in
            try store.snapshots.open(name("2026-10")) { (b) throws in
                #expect(try a.read { try $0.householdCount() } == b.read { try $0.householdCount() })
            }
        }
    }

    @Test func diffMatchesAKnownSetOfChangesExactly() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 500)
        let store = try Store(path: path)
        try store.snapshots.create(period: name("2026-10"))

        var factory = HouseholdFactory(seed: 77)
        let removed: Set<HouseholdID> = [4, 50, 51, 499].map { HouseholdID(rawValue: $0) }.reduce(into: []) { $0.insert($1) }
        var added: Set<HouseholdID> = []
        var expectedFields: [HouseholdID: Set<String>] = [:]
        var expectedMembersAdded: [HouseholdID: Int] = [:], expectedMembersRemoved: [HouseholdID: Int] = [:]
        try store.write { tx in
            for id in removed { try tx.delete(id: id) }
            for _ in 0..<3 { added.insert(try tx.put(factory.household()).id) }
            // 10: desil and address.
            var h = try tx.household(id: 10)!
            h.desil = h.desil == 3 ? 4 : 3
            h.alamat = "Jl. Diff No. 1"
            try tx.put(h)
            expectedFields[10] = ["desil", "alamat"]
            // 20: a program and an attribute.
            h = try tx.household(id: 20)!
            h.programs.formSymmetricDifference([.pip])
            h.attributes["lantai"] = .code(99)
            try tx.put(h)
            expectedFields[20] = ["program", "atribut.lantai"]
            // 30: one member renamed, one removed (not the head).
            h = try tx.household(id: 30)!
            let others = h.members.indices.filter { h.members[$0].relation != .kepalaKeluarga }
            if let first = others.first {
                h.members[first].name = "NAMA BARU"
                expectedFields[30] = ["anggota[\(SnapshotDiff.memberKey(h.members[first]))].nama"]
                if others.count > 1 {
                    h.members.remove(at: others[1])
                    expectedMembersRemoved[30] = 1
                }
            } else {
                h.members[0].name = "NAMA BARU"
                expectedFields[30] = ["anggota[\(SnapshotDiff.memberKey(h.members[0]))].nama"]
            }
            try tx.put(h)
            // 40: a new member.
            h = try tx.household(id: 40)!
            h.members.append(factory.member(h.wilayah, relation: .anak))
            try tx.put(h)
            expectedFields[40] = []
            expectedMembersAdded[40] = 1
            // 60: put unchanged is no change.
            try tx.put(try tx.household(id: 60)!)
        }
        try store.snapshots.create(period: name("2026-11"))

        for diff in [try store.snapshots.diff(from: .snapshot(name("2026-10")), to: .snapshot(name("2026-11"))),
                     try store.snapshots.diff(from: .snapshot(name("2026-10")), to: .live)] {
            #expect(Set(diff.changes.filter { $0.kind == .removed }.map(\.id)) == removed)
            #expect(Set(diff.changes.filter { $0.kind == .added }.map(\.id)) == added)
            let changed = diff.changes.filter { $0.kind == .changed }
            #expect(Set(changed.map(\.id)) == Set(expectedFields.keys))
            for change in changed {
                #expect(Set(change.fields.map(\.field)) == expectedFields[change.id]!, "household \(change.id)")
                #expect(change.membersAdded.count == expectedMembersAdded[change.id] ?? 0)
                #expect(change.membersRemoved.count == expectedMembersRemoved[change.id] ?? 0)
            }
            let ten = try #require(changed.first { $0.id == 10 })
            #expect(ten.fields.first { $0.field == "alamat" }?.after == "Jl. Diff No. 1")
            #expect(diff.householdsCompared == 503)
            // Per wilayah: the removed households counted where they lived.
            let removedByKecamatan = try store.snapshots.read(name("2026-10")) { tx in
                try removed.reduce(into: [KodeWilayah: Int]()) { $0[try tx.household(id: $1)!.wilayah.ancestor(at: .kecamatan)!, default: 0] += 1 }
            }
            let summary = diff.regions(at: .kecamatan)
            for (kecamatan, count) in removedByKecamatan {
                #expect(summary.first { $0.wilayah == kecamatan }?.removed == count)
            }
            #expect(summary.reduce(0) { $0 + $1.removed } == removed.count)
            #expect(diff.regions(at: nil).first?.changed == expectedFields.count)
        }
        let same = try store.snapshots.diff(from: .snapshot(name("2026-11")), to: .live)
        #expect(same.changes.isEmpty && same.householdsCompared == 499)
    }

    @Test func restoreRoundTripAndUndo() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 400)
        let october: SnapshotManifest
        let changedDigest: String
        do {
            let store = try Store(path: path)
            october = try store.snapshots.create(period: name("2026-10"))
            var factory = HouseholdFactory(seed: 3)
            try store.write { tx in
                for id in 1...40 { try tx.delete(id: HouseholdID(rawValue: UInt64(id))) }
                for _ in 0..<25 { try tx.put(factory.household()) }
            }
            changedDigest = try store.read { tx in try tx.snapshotContent().contentDigest }
            #expect(changedDigest != october.contentDigest)
            // Refused while this process has the store open.
            #expect { try Snapshots(storePath: path).restore(name("2026-10")) } throws: { ($0 as? LumbungError)?.code == .storeAlreadyOpen }
        }
        let result = try Snapshots(storePath: path).restore(name("2026-10"), actor: "dr-drill")
        #expect(result.previousState.kind == .automatic)
        do {
            let store = try Store(path: path)
            let content = try store.read { tx in try tx.snapshotContent() }
            #expect(content.contentDigest == october.contentDigest)
            #expect(content.households == october.households && content.members == october.members)
            #expect(content.counts == october.counts)
            #expect(try store.check().isClean)
            let last = try #require(try store.read { tx in try tx.changes(after: october.journalSequence) }.last)
            #expect(last.action == .event && last.actor == "dr-drill" && last.sequence == result.journalSequence)
            #expect(last.note.contains("2026-10") && last.note.contains(result.previousState.text))
            // The replaced state is kept, verified, and equal to what was live.
            #expect(try store.snapshots.verify(result.previousState).isValid)
            #expect(try store.snapshots.manifest(result.previousState).contentDigest == changedDigest)
            // The restored store takes writes.
            var factory = HouseholdFactory(seed: 11)
            try store.write { tx in _ = try tx.put(factory.household()) }
        }
        // Undo.
        let undo = try Snapshots(storePath: path).restore(result.previousState)
        let store = try Store(path: path)
        #expect(try store.read { tx in try tx.snapshotContent().contentDigest } == changedDigest)
        #expect(try store.check().isClean)
        #expect(try store.snapshots.manifest(undo.previousState).households == october.households + 1)
    }

    @Test func restoreAndCompactRefuseWhileAnotherProcessHasTheStoreOpen() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 100)
        do { try Store(path: path).snapshots.create(period: name("2026-10")) }
        let reader = try runProduct("LumbungProbe", ["read", path, "4"])
        usleep(1_500_000)
        #expect { try Store.compact(path: path) } throws: { ($0 as? LumbungError)?.code == .storeBusy }
        #expect { try Snapshots(storePath: path).restore(name("2026-10")) } throws: { ($0 as? LumbungError)?.code == .storeBusy }
        let text = output(of: reader)
        #expect(reader.terminationStatus == 0, "\(text)")
        #expect(try Store.compact(path: path).households == 100)
    }

    @Test func compactAfterDeletingHalfShrinksTheFileAndKeepsEveryRecord() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 4000)
        let expected: SnapshotContent
        let before: Store.FileInfo
        do {
            let store = try Store(path: path)
            try store.write { tx in
                for id in stride(from: 1, through: 4000, by: 2) { try tx.delete(id: HouseholdID(rawValue: UInt64(id))) }
            }
            expected = try store.read { tx in try tx.snapshotContent() }
            before = try store.fileInfo()
            #expect(before.freePages > 0)
        }
        let result = try Store.compact(path: path)
        #expect(result.bytesBefore == before.fileSize)
        #expect(result.bytesAfter < result.bytesBefore)
        #expect(result.households == 2000)
        let store = try Store(path: path)
        let after = try store.fileInfo()
        #expect(after.fileSize == result.bytesAfter && after.freePages <= 2)
        #expect(try store.read { tx in try tx.snapshotContent() } == expected)
        #expect(try store.check().isClean)
        #expect(!FileManager.default.fileExists(atPath: path + "/.compact"))
        var factory = HouseholdFactory(seed: 8)
        try store.write { tx in _ = try tx.put(factory.household()) }
        #expect(try store.read { tx in try tx.householdCount() } == 2001)
    }

    @Test func pruneKeepsTheNewestAndNeverYoungOnesWithoutForce() throws {
        let directory = TemporaryDirectory()
        let path = try makeStore(directory, count: 50)
        do {
            let store = try Store(path: path)
            for period in ["2026-01", "2026-03", "2026-05", "2026-06"] { try store.snapshots.create(period: name(period)) }
        }
        let snapshots = Snapshots(storePath: path)
        let june = ISO8601DateFormatter().date(from: "2026-06-20T00:00:00Z")!
        let first = try snapshots.prune(keep: 2, now: june)
        #expect(first.deleted == [name("2026-01"), name("2026-03")])
        #expect(first.protected.isEmpty)
        #expect(try snapshots.names() == [name("2026-05"), name("2026-06")])
        // An automatic snapshot in June makes 2026-06 the second newest; with keep 1 it is young.
        _ = try snapshots.restore(name("2026-06"), now: june)
        #expect(try snapshots.names().count == 3)
        let second = try snapshots.prune(keep: 1, now: june)
        #expect(second.deleted == [name("2026-05")])
        #expect(second.protected == [name("2026-06")])
        let forced = try snapshots.prune(keep: 1, force: true, now: june)
        #expect(forced.deleted == [name("2026-06")])
        #expect(try snapshots.names().map(\.kind) == [.automatic])
        #expect(throws: LumbungError.self) { try snapshots.prune(keep: 0) }
    }
}
