import Lumbung

/// One pass of an import over its input: each decoded household, already checked against the file
/// so far (by the input's stage of file-wide checks, on a thread of its own), is checked against
/// the store, then written (or, in a dry run, only counted).
///
/// A NIK that a stored household holds is not at once an issue: the file may update that
/// household and drop the NIK (a member moved between households). Such a household waits
/// until the end of the file, and is written then if every household it conflicted with was
/// updated by the file; otherwise each conflict is reported on the member's own line.
struct ImportRun {
    let options: ImportOptions
    let input: ImportInput
    var summary = ImportSummary()
    /// Stored households this file updates.
    private var updatedByFile = Set<HouseholdID>()
    private var waiting: [Waiting] = []
    /// All or nothing: after the first rejected household nothing more is written.
    private var stopped = false
    private let bytesRead = BytesRead()
    /// An empty store holds no NIK, KK or id to check against (what this load adds is checked by
    /// the file-wide checks), so the lookups are skipped.
    private var storeIsEmpty = false

    /// A member's NIK held by another stored household.
    private struct Conflict {
        var nik: NIK
        var holder: HouseholdID
        var line: Int
        var column: String

        var issue: RowIssue {
            RowIssue(line: line, column: column, value: nik.masked, code: .nikDuplicate,
                     rule: "the NIK already belongs to household \(holder) in the store")
        }
    }

    private struct Waiting {
        var household: Household
        var existing: HouseholdID?
        var firstLine: Int
        var conflicts: [Conflict]
    }

    init(options: ImportOptions, input: ImportInput) {
        self.options = options
        self.input = input
    }

    /// Reads the whole file into `loader`'s transaction.
    mutating func scan(loader: BulkLoader) throws {
        storeIsEmpty = try loader.tx.householdCount() == 0
        // The file checks see every NIK, Nomor KK and source id of the file (the grouper every group key).
        loader.producerChecksUniqueness = true
        let households = input.checkedHouseholds(bytesRead: bytesRead)
        defer { households.cancel() }
        while let decoded = try households.next() {
            try take(decoded, tx: loader.tx, loader: loader)
        }
        // Reading has ended, and the checks' stage forgot what it remembered (about 550 MB at 10M
        // households) before handing over the end: its pages go back before the loader writes
        // its last index entries and commits, where memory peaks.
        FreedMemory.returnToSystem()
        try settleWaiting(tx: loader.tx, loader: loader)
        reportProgress()
    }

    /// Reads the whole file without writing, checking against the store in short reads.
    mutating func scan(batched read: ((ReadTransaction) throws -> Void) throws -> Void) throws {
        try read { tx in self.storeIsEmpty = try tx.householdCount() == 0 }
        let households = input.checkedHouseholds(bytesRead: bytesRead)
        defer { households.cancel() }
        var batch: [FlatDecodedGroup] = []
        var atEnd = false
        while !atEnd {
            while batch.count < 4096, let decoded = try households.next() { batch.append(decoded) }
            atEnd = batch.count < 4096
            try read { tx in
                for decoded in batch { try self.take(decoded, tx: tx, loader: nil) }
                if atEnd { try self.settleWaiting(tx: tx, loader: nil) }
            }
            batch.removeAll(keepingCapacity: true)
        }
        reportProgress()
    }

    private mutating func take(_ decoded: consuming FlatDecodedGroup, tx: ReadTransaction, loader: BulkLoader?) throws {
        summary.households += 1
        if summary.households % 10_000 == 0 { reportProgress() }
        let line = decoded.firstLine
        if storeIsEmpty {
            // Moved out of the group, so the household goes on uncopied.
            switch decoded.takeResult() {
            case .failure(let issues): reject(issues)
            case .success(let household): try accept(household, existing: nil, tx: tx, loader: loader)
            }
            return
        }
        let household: Household
        switch decoded.takeResult() {
        case .failure(let issues):
            reject(issues)
            return
        case .success(let checked):
            household = checked
        }
        var issues: [RowIssue] = []
        let existing = try Importer.existingID(of: household, by: options.matchBy, in: tx, line: line, issues: &issues)
        if let sourceID = household.sourceID, let holder = try tx.householdID(sourceID: sourceID), holder != existing, issues.isEmpty {
            issues.append(RowIssue(line: decoded.sourceID?.line ?? line, column: input.sourceIDColumn, value: sourceID.text, code: .sourceIDDuplicate,
                                   rule: "the source id already belongs to household \(holder) in the store"))
        }
        if let existing, options.onExisting == .fail {
            issues.append(RowIssue(line: line, column: "nomor_kk", value: household.nomorKK.masked, code: .importExists,
                                   rule: "the household already exists as \(existing) and --on-existing is fail"))
        }
        var conflicts: [Conflict] = []
        for (position, member) in household.members.enumerated() {
            guard let nik = member.nik.nik, let holder = try tx.householdID(nik: nik), holder != existing else { continue }
            let index = decoded.niks.firstIndex { $0.digits == nik.rawValue }
            conflicts.append(Conflict(
                nik: nik, holder: holder, line: index.map { decoded.niks[$0].line } ?? line,
                column: index.flatMap { decoded.nikColumns?[$0] } ?? (input.format == .jsonl ? "anggota[\(position)].nik" : input.nikColumn)))
        }
        if !issues.isEmpty {
            reject(RowIssues(issues: (issues + conflicts.map(\.issue)).sorted { $0.line < $1.line }, firstLine: line))
        } else if !conflicts.isEmpty {
            waiting.append(Waiting(household: household, existing: existing, firstLine: line, conflicts: conflicts))
        } else {
            try accept(household, existing: existing, tx: tx, loader: loader)
        }
    }

    /// Households that waited on a NIK held in the store: written if the file updated every holder.
    private mutating func settleWaiting(tx: ReadTransaction, loader: BulkLoader?) throws {
        let settling = waiting
        waiting = []
        for entry in settling {
            let standing = entry.conflicts.filter { !updatedByFile.contains($0.holder) }
            if standing.isEmpty {
                try accept(entry.household, existing: entry.existing, tx: tx, loader: loader)
            } else {
                reject(RowIssues(issues: standing.map(\.issue), firstLine: entry.firstLine))
            }
        }
    }

    private mutating func accept(_ household: consuming Household, existing: HouseholdID?, tx: ReadTransaction, loader: BulkLoader?) throws {
        if existing != nil && options.onExisting == .skip {
            summary.skipped += 1
            return
        }
        if let existing { updatedByFile.insert(existing) }
        summary.flaggedMembers += household.members.reduce(0) { $0 + ($1.nik.nik == nil ? 1 : 0) }
        guard let loader else {
            try countWouldWrite(household, existing: existing, tx: tx)
            return
        }
        guard !stopped else { return }
        // The decoder validated it under the loader's policy (to report every problem on its line).
        if let existing {
            household.id = existing
            try loader.add(validated: household)
        } else if options.matchBy == .id && household.id != nil {
            try loader.add(validated: household, keepingID: true)
        } else {
            household.id = nil
            try loader.add(validated: household)
        }
    }

    /// A dry run counts what the write would do: new, updated, or unchanged (by the store's own rule).
    private mutating func countWouldWrite(_ household: Household, existing: HouseholdID?, tx: ReadTransaction) throws {
        guard let existing, let stored = try tx.household(id: existing) else {
            summary.inserted += 1
            return
        }
        var copy = household
        copy.id = existing
        if copy.isUnchanged(from: stored) { summary.unchanged += 1 } else { summary.updated += 1 }
    }

    private mutating func reject(_ issues: RowIssues) {
        summary.report.add(issues)
        summary.rejected += 1
        if !options.skipInvalid { stopped = true }
    }

    private func reportProgress() {
        options.progress?(ImportProgress(
            households: summary.households, bytesRead: bytesRead.value.load(ordering: .relaxed), bytesTotal: input.bytesTotal))
    }
}
