import Foundation

extension ReadTransaction {
    /// `check`'s part for the journal's household index (``JournalIndex``): each journal entry
    /// it covers that names a household has its index entry (`missingIndexEntry`), and it holds
    /// no other (`extraIndexEntry`). Compared like the record indexes: by order-free digests in
    /// one pass over each (no sort); only when they differ, exactly, the journal's entries
    /// sorted in runs of `runLength` (spilled to `directories`) and merged with the index.
    ///
    /// Entries past the index's mark (``JournalIndex/indexedThrough(_:meta:)``, written by a
    /// Lumbung without the index) are left out on both sides: reads refuse them until the store
    /// is opened for writing. A read-only store that predates the index has none to check.
    func checkJournalIndex(limit: Int, runLength: Int, spillTo directories: [String], method: CheckMethod) throws -> CheckReport {
        var report = CheckReport()
        guard let dbi = dbs.journalIndex else { return report }
        let indexed = try JournalIndex.indexedThrough(txn, meta: dbs.meta)
        if method == .digestsFirst {
            var expected = IndexDigest(), actual = IndexDigest()
            try JournalIndex.forEachEntry(txn, journal: dbs.journal, after: 0) { sequence, id in
                if sequence <= indexed { expected.add(JournalIndexEntry(id, sequence).packed) }
            }
            var entries = CoveredJournalIndexEntries(IndexEntries(try txn.cursor(dbi)), through: indexed)
            while let entry = try entries.next() { actual.add(entry) }
            if expected == actual { return report }
        }
        var sort = ExternalSort<PackedEntry>(runLength: runLength, directories: directories)
        try JournalIndex.forEachEntry(txn, journal: dbs.journal, after: 0) { sequence, id in
            if sequence <= indexed { try sort.append(JournalIndexEntry(id, sequence).packed) }
        }
        var wanted = try sort.sorted()
        var have = CoveredJournalIndexEntries(IndexEntries(try txn.cursor(dbi)), through: indexed)
        try compareSorted(&wanted, &have, into: &report, limit: limit) { entry, missing in
            let (id, sequence) = CoveredJournalIndexEntries.split(entry)
            return (id, "journal index entry \(sequence) \(missing ? "missing" : "without a journal entry")")
        }
        return report
    }
}

/// The journal index's entries up to sequence `through` (those past it wait for a catch-up).
private struct CoveredJournalIndexEntries: EntryStream {
    var base: IndexEntries
    let through: UInt64

    init(_ base: IndexEntries, through: UInt64) {
        self.base = base
        self.through = through
    }

    mutating func next() throws -> PackedEntry? {
        while let entry = try base.next() {
            if Self.split(entry).sequence <= through { return entry }
        }
        return nil
    }

    /// The household and sequence an entry names (as ``Keys/splitJournalIndex(key:dup:)``).
    static func split(_ entry: PackedEntry) -> (id: HouseholdID, sequence: UInt64) {
        Keys.splitJournalIndex(
            key: entry.read(at: 0, width: Keys.journalIndexKeyWidth),
            dup: entry.read(at: Keys.journalIndexKeyWidth, width: Keys.journalIndexDupWidth))
    }
}
