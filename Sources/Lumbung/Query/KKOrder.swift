import CLMDB

/// Where a region's households lie in the KK index: a nomor KK opens with the code of the
/// kecamatan that issued it (PP KK CC), so the households of a kecamatan (or of a desa in it, a
/// kabupaten, a provinsi) mostly hold KK numbers of one range. Households that moved in keep
/// another range's KK: a search finds those apart (``ReadTransaction/matchesInKKOrder``).
///
/// ```swift
/// KKRange(try KodeWilayah("32.16.01.1007")).numbers   // 3216010000000000..<3216020000000000
/// ```
struct KKRange {
    /// The KK numbers issued in `region`'s kecamatan (or in the region itself, above that level).
    let numbers: Range<UInt64>
    /// The region whose counters tell how many KK index entries the range holds, about (nil: all).
    let region: KodeWilayah?

    /// KK numbers are 16 digits: the 6 of the kecamatan code, then 10 more.
    static let kecamatanScale: UInt64 = 10_000_000_000
    static let all: Range<UInt64> = 0..<10_000_000_000_000_000

    init(_ region: KodeWilayah?) {
        guard let region, let issuing = region.ancestor(at: min(region.level, .kecamatan)) else {
            numbers = Self.all
            self.region = nil
            return
        }
        // The packed code is PP KK CC DDDD: its first six digits are a KK number's.
        let scale = KodeWilayah.Level.kecamatan.scale
        numbers = issuing.packed / scale * Self.kecamatanScale..<(issuing.packed + issuing.level.scale) / scale * Self.kecamatanScale
        self.region = issuing
    }
}

/// How a KK-order search finds its order: each match's KK from its record's head, or a walk of
/// the KK index over the region's own range. The cheaper by the counters, unless a test asks.
enum KKOrderReading {
    case heads, walk
}

extension ReadTransaction {
    /// Reading one record's head costs about as much as walking this many KK index entries.
    static let headCostInEntries = 100

    /// The most bytes an id bitmap of a KK-order search may take beyond 16 bytes a match (what
    /// reading every match's KK holds).
    static let bitmapAllowance: UInt64 = 1 << 20

    /// Matches in KK order (KK numbers are unique: later sort keys never matter; ties by id).
    ///
    /// The index scan gathers the matches' ids (and the total). With few, each one's KK is read
    /// from its record's head. With many, their ids go into a bitmap and the KK index is walked,
    /// a page of entries at a time, over the range where the region's own KK numbers lie
    /// (``KKRange``), in the page's direction, keeping the first `prefix` matches met; matches
    /// the walk did not meet hold KK numbers from elsewhere, and their heads are read. The
    /// answer is the same as sorting every match by KK, with no record decoded.
    func matchesInKKOrder(
        _ filter: HouseholdFilter, driver: HouseholdQuery, isDriver: Bool, descending: Bool, prefix: Int, matchedMembers: Bool,
        reading: KKOrderReading? = nil
    ) throws -> SearchPage<HouseholdMatch> {
        // id << 8 | members, in scan order: each desa's kept entries as they are (not copied), or the scan's.
        var found: [[UInt64]] = []
        var scanned: [UInt64] = []
        var total = Count()
        var lowest = UInt64.max, highest: UInt64 = 0
        let plan = try self.plan(for: driver, ordered: false)
        if isDriver, plan.index.isPrimary, driver.members.isEmpty, SummaryTest(driver).filtersNothing, let generation {
            // Every household of the region matches: each desa's, as kept for this generation.
            try forEachDesaHouseholds(plan, generation: generation) { _, households in
                found.append(households.entries)
                total.households += households.entries.count
                total.members += households.members
                lowest = min(lowest, households.lowest)
                highest = max(highest, households.highest)
            }
        } else {
            try scan(plan, query: driver, after: nil, matchedMembers: matchedMembers) { id, summary, key in
                if isDriver || filter.matches(desa: Self.desa(ofKey: key), summary) {
                    total.households += 1
                    total.members += Int(summary.members)
                    scanned.append(id.rawValue << 8 | UInt64(summary.members))
                    lowest = min(lowest, id.rawValue)
                    highest = max(highest, id.rawValue)
                }
                return true
            }
        }
        if !scanned.isEmpty { found.append(scanned) }
        let foundCount = total.households
        guard prefix > 0, foundCount > 0 else { return SearchPage(items: [], total: total) }

        func ordered(_ a: (kk: UInt64, id: UInt64), _ b: (kk: UInt64, id: UInt64)) -> Bool {
            a.kk != b.kk ? (descending ? a.kk > b.kk : a.kk < b.kk) : a.id < b.id
        }
        let range = KKRange(driver.wilayah)
        let entries = try counts(wilayah: range.region).total.households
        let bitmapWords = Int((highest - lowest) >> 6) + 1
        let bitmapBytes = UInt64(bitmapWords) * 8
        let headsAreCheaper = foundCount.multipliedReportingOverflow(by: Self.headCostInEntries).partialValue < entries
        if bitmapBytes > Self.bitmapAllowance + 16 * UInt64(foundCount) || (reading ?? (headsAreCheaper ? .heads : .walk)) == .heads {
            var keyed = try found.joined().map { (kk: try head(id: HouseholdID(rawValue: $0 >> 8))?.nomorKK ?? .max, id: $0 >> 8, members: $0 & 0xFF) }
            keyed.sort { ordered(($0.kk, $0.id), ($1.kk, $1.id)) }
            return SearchPage(items: keyed.prefix(prefix).map { HouseholdMatch(id: HouseholdID(rawValue: $0.id), members: Int($0.members)) }, total: total)
        }

        let bits = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: bitmapWords)
        defer { bits.deallocate() }
        bits.initialize(repeating: 0)
        for part in found {
            for packed in part {
                let bit = (packed >> 8) - lowest
                bits[Int(bit >> 6)] |= 1 << (bit & 63)
            }
        }
        // The first `capacity` matches met, in the page's order.
        let capacity = min(prefix, foundCount)
        var kept: [(kk: UInt64, id: UInt64)] = []
        kept.reserveCapacity(capacity)
        var met = 0
        // The walk goes the page's way (down the range, descending). Once the page is full, later
        // matches cannot enter it when no KK numbers lie beyond the range's far end, or when the
        // kecamatan's strays (the only matches outside the range) are known.
        let strays = try keptStrays(range, generation: generation)
        let beyondIsEmpty = descending ? range.numbers.upperBound == KKRange.all.upperBound : range.numbers.lowerBound == 0
        let fullStops = beyondIsEmpty || strays != nil
        try walkKK(range.numbers, descending: descending) { entry in
            guard entry.id >= lowest, entry.id <= highest else { return true }
            let bit = entry.id - lowest, word = Int(bit >> 6), mask: UInt64 = 1 << (bit & 63)
            guard bits[word] & mask != 0 else { return true }
            bits[word] &= ~mask
            if kept.count < capacity { kept.append(entry) }
            met += 1
            return met < foundCount && !(fullStops && kept.count == capacity)
        }
        // Matches the walk did not meet: KK numbers issued elsewhere (or past a full ascending page).
        var chosen = kept
        if let strays {
            // The strays among the matches: the walk never meets them (their KK lies outside the range).
            for stray in strays where stray.id >= lowest && stray.id <= highest {
                let bit = stray.id - lowest
                if bits[Int(bit >> 6)] & 1 << (bit & 63) != 0 { chosen.append(stray) }
            }
        } else if met < foundCount, !fullStops || kept.count < capacity {
            for word in 0..<bitmapWords where bits[word] != 0 {
                var remaining = bits[word]
                while remaining != 0 {
                    let id = lowest + UInt64(word) << 6 + UInt64(remaining.trailingZeroBitCount)
                    remaining &= remaining - 1
                    chosen.append((kk: try head(id: HouseholdID(rawValue: id))?.nomorKK ?? .max, id: id))
                }
            }
        }
        chosen.sort(by: ordered)
        if chosen.count > prefix { chosen.removeLast(chosen.count - prefix) }
        // Each chosen match's member count, from the scan's list: the bitmap now marks the chosen.
        bits.update(repeating: 0)
        for entry in chosen {
            let bit = entry.id - lowest
            bits[Int(bit >> 6)] |= 1 << (bit & 63)
        }
        var members: [UInt64: Int] = [:]
        members.reserveCapacity(chosen.count)
        for part in found {
            for packed in part {
                let bit = (packed >> 8) - lowest
                if bits[Int(bit >> 6)] & 1 << (bit & 63) != 0 { members[packed >> 8] = Int(packed & 0xFF) }
            }
        }
        return SearchPage(items: chosen.map { HouseholdMatch(id: HouseholdID(rawValue: $0.id), members: members[$0.id] ?? 0) }, total: total)
    }

    /// Calls `body` with each KK index entry whose number lies in `numbers` (the number and the
    /// household id), in ascending order (descending: down from the end), until it returns false.
    @inline(__always)
    private func walkKK(_ numbers: Range<UInt64>, descending: Bool = false, _ body: ((kk: UInt64, id: UInt64)) throws -> Bool) throws {
        if descending { return try walkKKDown(numbers, body) }
        let cursor = try txn.cursor(dbs.kk)
        let layout = dbs.unique
        let endKey = layout.key(numbers.upperBound)
        var more = try cursor.seek(key: layout.key(numbers.lowerBound), keyWidth: layout.keyWidth, MDB_SET_RANGE)
        var going = true
        while more && going {
            let high = Keys.read(cursor.keyBytes, width: layout.keyWidth)
            guard high < endKey else { break }
            _ = try cursor.forEachDuplicatePage { page in
                var offset = 0
                while offset + layout.dupWidth <= page.count {
                    let dup = layout.readDup(page, at: offset)
                    offset += layout.dupWidth
                    going = try body((kk: layout.number(key: high, dup: dup), id: layout.id(dup: dup)))
                    if !going { return false }
                }
                return true
            }
            if going { more = try cursor.move(MDB_NEXT_NODUP) }
        }
    }

    /// ``walkKK(_:descending:_:)`` down from the end of `numbers`: each key's entries are read
    /// in their order (LMDB gives a key's duplicates a page at a time, forward only) and handed
    /// out backwards; a key holds the KK numbers of one kecamatan (``UniqueLayout``).
    private func walkKKDown(_ numbers: Range<UInt64>, _ body: ((kk: UInt64, id: UInt64)) throws -> Bool) throws {
        let cursor = try txn.cursor(dbs.kk)
        let layout = dbs.unique
        let startKey = layout.key(numbers.lowerBound)
        let endKey = layout.key(numbers.upperBound)
        // The last key below the end: before the first at or past it, or the last of all.
        var more = try cursor.seek(key: endKey, keyWidth: layout.keyWidth, MDB_SET_RANGE)
            ? try cursor.move(MDB_PREV_NODUP) : try cursor.move(MDB_LAST)
        var dups: [UInt128] = []
        while more {
            let high = Keys.read(cursor.keyBytes, width: layout.keyWidth)
            guard high >= startKey else { break }
            guard try cursor.move(MDB_FIRST_DUP) else { break }
            dups.removeAll(keepingCapacity: true)
            _ = try cursor.forEachDuplicatePage { page in
                var offset = 0
                while offset + layout.dupWidth <= page.count {
                    dups.append(layout.readDup(page, at: offset))
                    offset += layout.dupWidth
                }
                return true
            }
            for dup in dups.reversed() {
                guard try body((kk: layout.number(key: high, dup: dup), id: layout.id(dup: dup))) else { return }
            }
            more = try cursor.move(MDB_PREV_NODUP)
        }
    }

    /// The households of `range`'s kecamatan whose KK lies outside the range (issued elsewhere:
    /// they moved in), in KK order, kept for the store generation (`Environment.kkStrays`): with
    /// them an ascending KK page walks the range only until the page is full. Nil in a write
    /// transaction, or when the range is not one kecamatan's.
    func keptStrays(_ range: KKRange, generation: Int?) throws -> [(kk: UInt64, id: UInt64)]? {
        guard let generation, let kecamatan = range.region, kecamatan.level == .kecamatan else { return nil }
        if let kept = environment.kkStrays.value(for: kecamatan.packed, generation: generation) { return kept }
        let plan = try self.plan(for: HouseholdQuery(wilayah: kecamatan), ordered: false)
        guard plan.index.isPrimary else { return nil }
        var ids: [UInt64] = []
        var lowest = UInt64.max, highest: UInt64 = 0
        try forEachDesaHouseholds(plan, generation: generation) { _, households in
            ids += households.entries
            lowest = min(lowest, households.lowest)
            highest = max(highest, households.highest)
        }
        var strays: [(kk: UInt64, id: UInt64)] = []
        if !ids.isEmpty {
            let words = Int((highest - lowest) >> 6) + 1
            // Far-apart ids would need too large a bitmap: no strays kept, the full walk instead.
            guard UInt64(words) * 8 <= Self.bitmapAllowance + 16 * UInt64(ids.count) else { return nil }
            var bits = [UInt64](repeating: 0, count: words)
            for packed in ids {
                let bit = (packed >> 8) - lowest
                bits[Int(bit >> 6)] |= 1 << (bit & 63)
            }
            var unmet = ids.count
            try walkKK(range.numbers) { entry in
                guard entry.id >= lowest, entry.id <= highest else { return true }
                let bit = entry.id - lowest, word = Int(bit >> 6), mask: UInt64 = 1 << (bit & 63)
                if bits[word] & mask != 0 {
                    bits[word] &= ~mask
                    unmet -= 1
                }
                return unmet > 0
            }
            for word in bits.indices where bits[word] != 0 {
                var remaining = bits[word]
                while remaining != 0 {
                    let id = lowest + UInt64(word) << 6 + UInt64(remaining.trailingZeroBitCount)
                    remaining &= remaining - 1
                    strays.append((kk: try head(id: HouseholdID(rawValue: id))?.nomorKK ?? .max, id: id))
                }
            }
            strays.sort { $0.kk != $1.kk ? $0.kk < $1.kk : $0.id < $1.id }
        }
        environment.kkStrays.keep(strays, size: max(1, strays.count), for: kecamatan.packed, generation: generation)
        return strays
    }
}
