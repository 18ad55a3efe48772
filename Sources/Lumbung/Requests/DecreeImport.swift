import CLMDB
import Foundation

/// A decree (SK) imported for a period: an admin operation beside the requests. The listed
/// households are set `ditetapkan`; with ``complete`` the SK is the scope's whole list, and the
/// scope's `ditetapkan` households it does not list leave the decree for `terverifikasi` (still
/// verified data, waiting for a decree; only a request sets `tidak_layak`, with its reason).
/// Stored per period (meta `decree/YYYYMM`) and counted in the period's snapshot manifest.
///
/// ```swift
/// let sk = try store.write(actor: "admin") { tx in
///     try tx.importDecree(DecreeImport.SK(nomor: "400.9/123/Dinsos", tanggal: date), period: period,
///                         scope: .everything, complete: false, listing: listing.next)
/// }
/// sk.desa["32.16.01.2001"]?.ditetapkan
/// ```
public struct DecreeImport: Decodable, Sendable, Hashable {
    public var period: String
    public var nomor: String
    public var tanggal: String
    /// The scope the SK covers (`*`: the whole store).
    public var scope: String
    public var complete: Bool
    public var actor: String
    public var importedAt: String
    /// Per desa: households set `ditetapkan`, and (``complete``) taken out.
    public var desa: [String: Counts]

    public struct Counts: Decodable, Sendable, Hashable {
        public var ditetapkan = 0
        public var dicabut = 0
    }

    /// The SK's number and date.
    public struct SK: Sendable, Hashable {
        public let nomor: String
        public let tanggal: CalendarDate
        public init(nomor: String, tanggal: CalendarDate) throws {
            guard !nomor.trimmedWhitespace.isEmpty, nomor.utf8.count <= MeetingReference.maxNumberBytes else {
                throw LumbungError(.decreeInvalid, field: "sk_number", value: String(nomor.prefix(80)),
                                   rule: "an SK number is 1 to \(MeetingReference.maxNumberBytes) bytes")
            }
            self.nomor = nomor
            self.tanggal = tanggal
        }
    }

    /// One household the SK lists, by id or KK number, with where it was read (for errors).
    public struct Listing: Sendable, Hashable {
        public enum Key: Sendable, Hashable {
            case id(HouseholdID)
            case kk(NomorKK)
        }
        public let key: Key
        /// `line 12` (CSV), `item 12` (JSON).
        public let place: String
        /// The column or key it came from.
        public let field: String
        public init(key: Key, place: String, field: String) {
            self.key = key
            self.place = place
            self.field = field
        }

        /// The two columns (or keys) a decree list names households by.
        public static let fields = ["rumah_tangga_id", "nomor_kk"]

        /// Reads one value of `field` (`rumah_tangga_id` or `nomor_kk`) found at `place`.
        ///
        /// - Throws: `decree.invalid` naming the place, field, (masked) value and rule.
        public init(_ text: String, field: String, place: String) throws {
            let value = text.trimmedWhitespace
            self.place = place
            self.field = field
            if field == "rumah_tangga_id" {
                guard let id = HouseholdID(value), id.isStorable else {
                    throw LumbungError(.decreeInvalid, field: "\(place): \(field)", value: String(value.prefix(40)), rule: HouseholdID.rule)
                }
                key = .id(id)
            } else {
                do { key = .kk(try NomorKK(value)) } catch let error as LumbungError {
                    throw LumbungError(.decreeInvalid, field: "\(place): \(field)", value: error.value, rule: error.rule)
                }
            }
        }

    }

    public var households: (ditetapkan: Int, dicabut: Int) {
        desa.values.reduce((0, 0)) { ($0.0 + $1.ditetapkan, $0.1 + $1.dicabut) }
    }

    /// The journal's words for it.
    var event: String {
        let (set, removed) = households
        return "decree import: SK \(nomor) (\(tanggal)) for \(period), scope \(scope)\(complete ? ", complete" : ""): "
            + "\(set) households set ditetapkan" + (complete ? ", \(removed) taken out (terverifikasi)" : "")
    }

    static let rule = "a decree lists households by rumah_tangga_id or nomor_kk in the import's scope; a tidak_layak household comes back through a usul_ulang request"
}

extension ReadTransaction {
    /// The decrees imported for `period`, in import order.
    public func decreeImports(period: Period) throws -> [DecreeImport] {
        try ensureValid()
        guard let stored = try txn.get(dbs.meta, MetaKey.decree(period)) else { return [] }
        do {
            return try DecreeImport.decodeStored(Data(stored.buffer))
        } catch {
            throw LumbungError(.recordCorrupt, field: "decree", value: period.description, rule: "the stored decree imports do not parse: \(error)")
        }
    }
}

extension WriteTransaction {
    /// Imports a decree (SK) for `period`, in this transaction: every listed household set
    /// `ditetapkan` through the write path (the journal's entries name the SK), and with
    /// `complete` the scope's other `ditetapkan` households set `terverifikasi`; then one
    /// journal event names the SK. Any refusal leaves the store as it was (the transaction aborts).
    ///
    /// Memory: the listed ids (4 bytes each), and the scope's households in batches of 10,000.
    ///
    /// - Throws: `decree.invalid` naming the line, field, value and rule for an unknown or
    ///   out-of-scope household, a `tidak_layak` one, or an SK already imported for the period.
    @discardableResult
    public func importDecree(_ sk: DecreeImport.SK, period: Period, scope: AccessScope, complete: Bool,
                             at now: Date = Date(), listing next: () throws -> DecreeImport.Listing?) throws -> DecreeImport {
        try ensureValid()
        var imports = try decreeImports(period: period)
        if imports.contains(where: { $0.nomor == sk.nomor }) {
            throw LumbungError(.decreeInvalid, field: "sk_number", value: sk.nomor, rule: "this SK is already imported for \(period)")
        }
        var record = DecreeImport(period: period.description, nomor: sk.nomor, tanggal: sk.tanggal.description,
                                  scope: scope.wilayah?.dotted ?? "*", complete: complete, actor: actor,
                                  importedAt: Timestamp(now).description, desa: [:])
        let saved = journalNote
        journalNote = "decree import SK \(sk.nomor)"
        defer { journalNote = saved }
        var listed = Set<UInt32>()
        while let item = try next() {
            func refuse(_ value: String, _ why: String) -> LumbungError {
                LumbungError(.decreeInvalid, field: "\(item.place): \(item.field)", value: value, rule: "\(why); \(DecreeImport.rule)")
            }
            let shown: String
            let id: HouseholdID?
            switch item.key {
            case .id(let given): shown = given.description; id = given
            case .kk(let kk): shown = kk.masked; id = try householdID(kk: kk)
            }
            guard let id, let old = try household(id: id), scope.permits(old.wilayah) else {
                throw refuse(shown, "no household with this \(item.field) in scope \(record.scope)")
            }
            if case .tidakLayak = old.status { throw refuse(shown, "household \(id) is \(old.status)") }
            if let request = try openProposal(holding: old) {
                throw refuse(shown, "household \(id) is the proposal of open request \(request.id) (baru, \(request.state)), which decides its status")
            }
            guard listed.insert(UInt32(truncatingIfNeeded: id.rawValue)).inserted, old.status != .ditetapkan else { continue }
            var new = old
            new.status = .ditetapkan
            _ = try write(try new.validated(policy: .keepFlagged), replacing: old, action: nil)
            record.desa[old.wilayah.dotted, default: .init()].ditetapkan += 1
        }
        if complete { try takeOutUnlisted(listed, scope: scope, into: &record) }
        imports.append(record)
        try txn.put(dbs.meta, MetaKey.decree(period), DecreeImport.encodeStored(imports))
        try recordEvent(record.event)
        return record
    }

    /// The scope's `ditetapkan` households the SK does not list → `terverifikasi`, read in
    /// batches by id so no cursor is open while writing.
    private func takeOutUnlisted(_ listed: Set<UInt32>, scope: AccessScope, into record: inout DecreeImport) throws {
        var start: UInt64 = 0
        while true {
            var batch: [Household] = []
            let cursor = try txn.cursor(dbs.records)
            var found = start == 0 ? try cursor.move(MDB_FIRST) : try cursor.seek(Keys.record(HouseholdID(rawValue: start)))
            while found, batch.count < 10_000 {
                let id = HouseholdID(rawValue: Keys.read(cursor.keyBytes, width: Keys.idWidth))
                start = id.rawValue + 1
                if !listed.contains(UInt32(truncatingIfNeeded: id.rawValue)) {
                    let household = try decode(cursor.valueBytes, id: id)
                    if household.status == .ditetapkan, scope.permits(household.wilayah) { batch.append(household) }
                }
                found = try cursor.move(MDB_NEXT)
            }
            cursor.close()
            for old in batch {
                var new = old
                new.status = .terverifikasi
                _ = try write(try new.validated(policy: .keepFlagged), replacing: old, action: nil)
                record.desa[old.wilayah.dotted, default: .init()].dicabut += 1
            }
            if !found { return }
        }
    }
}
