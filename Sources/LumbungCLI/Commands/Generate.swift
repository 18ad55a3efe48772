import ArgumentParser
import Foundation
import Lumbung
import LumbungIO
import LumbungSynthetic

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load deterministic synthetic households (a kabupaten, a provinsi or the nation) into the store, or write them to a CSV or JSON Lines file.",
        discussion: """
            Generates realistic, valid households for one kabupaten/kota (members, NIKs, Nomor KK, \
            desil, programs, housing answers) from a seed: the same kabupaten, seed and count always \
            give the same households, and the same bytes in a file. --wilayah 32 spreads them over \
            every kabupaten/kota of a provinsi, --wilayah ID over the nation's, in proportion to \
            population (largest-remainder apportionment), kabupaten after kabupaten; NIK and Nomor \
            KK stay unique throughout (both begin with the kecamatan code). Without --out they are \
            bulk-loaded into the store in one transaction (all or nothing), creating the store if \
            needed.

            With --out FILE they are written to FILE instead and the store is not touched: flat CSV \
            (.csv: one member per row, the household columns repeated; the layout `export` writes \
            and `import` reads) or JSON Lines (.jsonl: one household per line), with .zst for zstd \
            compression (bekasi.csv.zst). "id" holds the ids a fresh store would assign (1, 2, …). \
            The file is written in constant memory and appears only when complete. FILE `-` is \
            standard output (say --format). --jsonl FILE is short for --out FILE --format jsonl.

            Progress and a summary go to standard error. Exit codes: 0 ok, 1 storage or I/O \
            error, 2 bad option, 3 not a region code generate takes.

            Example:
              lumbung generate --store /tmp/bekasi --households 100000 --seed 7
              lumbung generate --store /tmp/bandung --kabupaten 32.04
              lumbung generate --households 50000 --out bekasi.csv
              lumbung generate --kabupaten 32.73 --out kota-bandung.jsonl.zst
              lumbung generate --wilayah 32 --households 1000000 --out jawa-barat.csv.zst
              lumbung generate --wilayah ID --households 100000 --store /tmp/nasional
              lumbung generate --households 10 --format csv --out - | head
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("One kabupaten/kota code (default 32.16, Kabupaten Bekasi); --wilayah also takes a provinsi or the nation.", valueName: "code"))
    var kabupaten: String?

    @Option(help: ArgumentHelp(
        "A provinsi (32), a kabupaten/kota (32.16) or \(Self.nation) for the nation: the households are spread over its kabupaten by population.",
        valueName: "code"))
    var wilayah: String?

    @Option(help: ArgumentHelp(
        "How many households in all (default: population / 10 of the region; at most \(SyntheticKabupaten.uniqueHouseholdLimit) a kabupaten/kota, so \(Self.nationLimit) for the nation).",
        valueName: "n"))
    var households: Int?

    @Option(help: ArgumentHelp("The generator seed.", valueName: "seed"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp(
        "Write the households to this file instead of loading the store: .csv or .jsonl, optionally .zst; - for stdout.",
        valueName: "file"))
    var out: String?

    @Option(help: "csv or jsonl for --out (default: from the file name).")
    var format: FileFormatChoice?

    @Option(help: ArgumentHelp("Same as --out FILE --format jsonl.", valueName: "file"))
    var jsonl: String?

    /// The `--wilayah` value for the whole nation.
    static let nation = "ID"
    /// The most households the nation takes (shown in the help).
    static let nationLimit = (try? SyntheticRegion.householdLimit(for: nil)) ?? SyntheticKabupaten.uniqueHouseholdLimit

    func validate() throws {
        if kabupaten != nil && wilayah != nil { throw ValidationError("give --kabupaten or --wilayah, not both") }
        if let households, households < 0 { throw ValidationError("--households must not be negative") }
        if let households, case .success(let code) = Result(catching: { try region() }),
           let limit = try? SyntheticRegion.householdLimit(for: code),
           households > limit {
            throw ValidationError(
                "--households must be at most \(limit) for \(code?.dotted ?? "the nation"): each kabupaten/kota's share "
                    + "keeps NIKs unique up to \(SyntheticKabupaten.uniqueHouseholdLimit)")
        }
        if out != nil && jsonl != nil { throw ValidationError("give --out or --jsonl, not both") }
        if format != nil && out == nil { throw ValidationError("--format goes with --out") }
        if let out, format == nil, FileFormat(path: out) == nil {
            throw ValidationError("say --format csv or jsonl: '\(out)' ends in neither .csv nor .jsonl (optionally .zst)")
        }
    }

    /// The file to write and its format, if any.
    private var target: (path: String, format: FileFormat)? {
        if let jsonl { return (jsonl, .jsonl) }
        guard let out, let format = format?.format ?? FileFormat(path: out) else { return nil }
        return (out, format)
    }

    func run() throws {
        let code = try region()
        let count = try households ?? SyntheticRegion.defaultHouseholdCount(for: code)
        let generator = try SyntheticRegion(wilayah: code, households: count, seed: seed).households
        let name = code.map { "\($0.dotted) \($0.name ?? "")" } ?? "the nation"
        Terminal.note("generating \(count) households for \(name) (\(generator.region.shares.count) kabupaten/kota), seed \(seed)")

        var progress = Progress(total: count)
        var members = 0
        if let target {
            members = try write(generator, to: target.path, as: target.format, progress: &progress)
        } else {
            let store = try storeOptions.open(create: true)
            try store.bulkLoad(actor: "generate") { loader in
                progress = Progress(total: count)  // a retried load starts again
                members = 0
                for household in generator {
                    try loader.add(household)
                    members += household.members.count
                    progress.advance()
                }
                progress.finishLine()
                Terminal.note("committing…")
            }
        }
        let seconds = progress.elapsed
        let rate = seconds > 0 ? Double(count) / seconds : 0
        Terminal.note(
            "done: \(count) households, \(members) members in \(Progress.format(seconds: seconds)) "
                + "(\(Int(rate.rounded())) households/s) → \(target?.path ?? storeOptions.path)")
    }

    /// The region of `--wilayah` or `--kabupaten` (default 32.16); nil for the nation.
    private func region() throws -> KodeWilayah? {
        if let wilayah, wilayah.uppercased() == Self.nation { return nil }
        let code = try KodeWilayah(wilayah ?? kabupaten ?? "32.16")
        if wilayah == nil, code.level != .kabupaten {
            throw LumbungError(.wilayahLevel, field: "kabupaten", value: code.dotted, rule: "generate --kabupaten needs a kabupaten/kota code such as 32.16 (--wilayah takes a provinsi)")
        }
        _ = try SyntheticRegion.kabupaten(of: code)  // a kecamatan or desa fails here, before any work
        return code
    }

    /// Streams the households to a file with the ids a fresh store would give them; returns the
    /// member count. Batches are generated and encoded on every core, then written in order, so
    /// the bytes are the same as one thread would write, in constant memory.
    private func write(_ households: SyntheticRegionHouseholds, to path: String, as format: FileFormat, progress: inout Progress) throws -> Int {
        let writer = try HouseholdFileWriter(path: path, format: format, attributeCodes: SyntheticKabupaten.attributeCodes)
        let encoder = writer.encoder
        let parts = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let batch = 2_048
        do {
            var start = 0
            while start < households.count {
                let end = min(start + batch * parts, households.count)
                let encoded = Self.encodeInParallel(households, start..<end, parts: parts, encoder)
                for part in encoded {
                    let (bytes, count, members) = try part.get()
                    try writer.write(encoded: bytes, households: count, members: members)
                }
                progress.update(end)
                start = end
            }
            progress.finishLine()
            return try writer.close().members
        } catch {
            writer.abandon()
            throw error
        }
    }

    /// Generates and encodes `range` split into `parts` slices, one per thread, in order.
    private static func encodeInParallel(
        _ households: SyntheticRegionHouseholds, _ range: Range<Int>, parts: Int, _ encoder: HouseholdFileWriter.Encoder
    ) -> [Result<(bytes: [UInt8], households: Int, members: Int), Error>] {
        let results = Locked([Result<(bytes: [UInt8], households: Int, members: Int), Error>?](repeating: nil, count: parts))
        let size = (range.count + parts - 1) / parts
        Parallel.run(parts) { part in
            let slice = min(range.lowerBound + part * size, range.upperBound)..<min(range.lowerBound + (part + 1) * size, range.upperBound)
            let result = Result { () throws -> (bytes: [UInt8], households: Int, members: Int) in
                var bytes: [UInt8] = []
                bytes.reserveCapacity(slice.count * 1_024)
                var members = 0
                for index in slice {
                    var household = households[index]
                    household.id = HouseholdID(UInt64(index + 1))
                    try encoder.encode(household, into: &bytes)
                    members += household.members.count
                }
                return (bytes, slice.count, members)
            }
            results.withLock { $0[part] = result }
        }
        return results.withLock { $0.map { $0! } }
    }
}
