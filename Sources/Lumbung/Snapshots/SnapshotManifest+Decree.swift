import Foundation

extension SnapshotManifest {
    /// A period's decree, in the manifest of a `YYYY-MM` snapshot: the requests of the period
    /// (approved in it, so applied in it) by type, state and desa, the households set
    /// `ditetapkan` in it (by applied requests and by decree imports), and the SKs imported for
    /// it. The totals are the sums of the desa entries, so a scoped reader's totals are its
    /// desa's (``scoped(to:)``).
    ///
    /// ```swift
    /// let decree = try store.snapshots.create(period: try SnapshotName("2026-11")).decree
    /// decree?.ditetapkan          // households set ditetapkan in 2026-11
    /// decree?.jenis["usul_ulang"] // re-proposals of the period
    /// ```
    public struct Decree: Decodable, Sendable, Hashable {
        public var period: String
        /// The period's cut-off date: a snapshot created after it is the period's decree.
        public var cutoff: String
        public var total: Int
        public var jenis: [String: Int]
        public var status: [String: Int]
        public var ditetapkan: Int
        /// Households an SK imported with `--complete` took out of the decree (→ `terverifikasi`).
        public var dicabut: Int
        public var desa: [DesaEntry]
        /// The SKs imported for the period, in import order.
        public var sk: [SK]

        public struct DesaEntry: Decodable, Sendable, Hashable {
            public var wilayah: String
            public var total: Int
            public var jenis: [String: Int]
            public var status: [String: Int]
            public var ditetapkan: Int
            public var dicabut: Int
        }

        public struct SK: Decodable, Sendable, Hashable {
            public var nomor: String
            public var tanggal: String
        }

        /// The decree of these desa entries: the totals are their sums.
        init(period: String, cutoff: String, desa: [DesaEntry], sk: [SK]) {
            self.period = period
            self.cutoff = cutoff
            self.desa = desa.sorted { $0.wilayah < $1.wilayah }
            self.sk = sk
            total = desa.reduce(0) { $0 + $1.total }
            ditetapkan = desa.reduce(0) { $0 + $1.ditetapkan }
            dicabut = desa.reduce(0) { $0 + $1.dicabut }
            jenis = desa.reduce(into: [:]) { sum, entry in for (key, count) in entry.jenis { sum[key, default: 0] += count } }
            status = desa.reduce(into: [:]) { sum, entry in for (key, count) in entry.status { sum[key, default: 0] += count } }
        }

        /// The decree as a reader of `wilayah` sees it: its desa only, and their sums.
        public func scoped(to wilayah: KodeWilayah) -> Decree {
            Decree(period: period, cutoff: cutoff, desa: desa.filter { entry in
                (try? KodeWilayah(entry.wilayah)).map(wilayah.contains) ?? false
            }, sk: sk)
        }
    }
}

extension ReadTransaction {
    /// The decree section of `period`'s manifest, from the requests (one pass, counts per desa)
    /// and the decree imports of the period.
    func decree(period: Period) throws -> SnapshotManifest.Decree {
        let tally = try requestTally(period: period, for: RequestActor(actor: "snapshot", role: .admin))
        let imports = try decreeImports(period: period)
        var entries: [KodeWilayah: SnapshotManifest.Decree.DesaEntry] = [:]
        func entry(_ desa: KodeWilayah) -> SnapshotManifest.Decree.DesaEntry {
            entries[desa] ?? .init(wilayah: desa.dotted, total: 0, jenis: [:], status: [:], ditetapkan: 0, dicabut: 0)
        }
        for (desa, states) in tally.byDesa {
            var item = entry(desa)
            item.status = Dictionary(uniqueKeysWithValues: states.map { ($0.key.name, $0.value) })
            item.jenis = Dictionary(uniqueKeysWithValues: (tally.byDesaType[desa] ?? [:]).map { ($0.key.name, $0.value) })
            item.total = states.values.reduce(0, +)
            item.ditetapkan = tally.ditetapkanByDesa[desa] ?? 0
            entries[desa] = item
        }
        for sk in imports {
            for (code, counts) in sk.desa {
                let desa = try KodeWilayah(code)
                var item = entry(desa)
                item.ditetapkan += counts.ditetapkan
                item.dicabut += counts.dicabut
                entries[desa] = item
            }
        }
        return SnapshotManifest.Decree(period: period.description, cutoff: period.cutoffDate(try cutoffDay()).description,
                                       desa: Array(entries.values), sk: imports.map { .init(nomor: $0.nomor, tanggal: $0.tanggal) })
    }
}
