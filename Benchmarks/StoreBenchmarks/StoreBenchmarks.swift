// Store benchmarks on a generated kabupaten. Run with `tools/bench.sh` (it builds the floor and
// the 1M-household store first) or `swift package benchmark --target StoreBenchmarks`.
//
// Environment:
//   LUMBUNG_BENCH_DIR         work directory (default /tmp/lumbung-bench)
//   LUMBUNG_BENCH_HOUSEHOLDS  households to load (default 1,000,000)
// The NIK workload is the floor's list ($LUMBUNG_BENCH_DIR/floor.niks), so both answer the
// same questions; without it, NIKs are drawn from the generator.
import Benchmark
import Foundation
import Lumbung
import LumbungSynthetic

let environment = ProcessInfo.processInfo.environment
let workDirectory = environment["LUMBUNG_BENCH_DIR"] ?? "/tmp/lumbung-bench"
let householdCount = Int(environment["LUMBUNG_BENCH_HOUSEHOLDS"] ?? "") ?? 1_000_000
let generator = SyntheticKabupaten(kabupaten: try! KodeWilayah("32.16"), seed: 1)

/// The NIK workload: the floor's list when present, else NIKs of generated households.
let workload: [NIK] = {
    if let text = try? String(contentsOfFile: workDirectory + "/floor.niks", encoding: .utf8) {
        return text.split(separator: "\n").prefix(1_000_000).compactMap { try? NIK($0) }
    }
    var random = SystemRandomNumberGenerator()
    return (0..<200_000).compactMap { _ in generator.household(at: Int.random(in: 0..<householdCount, using: &random)).validNIKs.first }
}()

/// The loaded store, built by the bulk-load benchmark or by `tools/bench.sh`.
let loadedStorePath = workDirectory + "/store"

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .peakMemoryResident],
        timeUnits: .nanoseconds,
        warmupIterations: 1,
        maxDuration: .seconds(15),
        maxIterations: 20)

    // Random NIK -> decoded Household over the floor's whole workload (1M NIKs), from a freshly
    // opened store: exactly what the floor's C loop measures. Once in one read transaction (as
    // the floor does), once with a short read transaction per lookup (as a server request does).
    for perLookup in [false, true] {
        Benchmark(
            "NIK lookup, decoded household, \(perLookup ? "one read txn each" : "one read txn") (floor workload)",
            configuration: .init(warmupIterations: 0, scalingFactor: .mega, maxIterations: 3)
        ) { benchmark in
            let store = try Store(path: loadedStorePath, options: .readOnly)
            let count = benchmark.scaledIterations.count
            benchmark.startMeasurement()
            if perLookup {
                for index in 0..<count {
                    blackHole(try store.read { tx in try tx.household(nik: workload[index % workload.count]) })
                }
            } else {
                try store.read { tx in
                    for index in 0..<count { blackHole(try tx.household(nik: workload[index % workload.count])) }
                }
            }
            benchmark.stopMeasurement()
        }
    }

    // Counts for a kabupaten from the counters, and a filtered page.
    Benchmark("stats for the kabupaten (counters)", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let store = try Store(path: loadedStorePath, options: .readOnly)
        let kabupaten = try KodeWilayah("32.16")
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try store.read { tx in try tx.counts(wilayah: kabupaten) })
        }
    }

    Benchmark("find: PKH + desil 1-3 in a kecamatan, page of 50") { benchmark in
        let store = try Store(path: loadedStorePath, options: .readOnly)
        let query = HouseholdQuery(wilayah: try KodeWilayah("32.16.01"), program: .pkh, desil: 1...3)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            blackHole(try store.read { tx in try tx.find(query, limit: 50) })
        }
    }

    // A search sorted by a field only the record holds (KK number, update time): every match's
    // sort value is read from its record (or, for the KK number, found in the KK index). The
    // kecamatan 32.16.01 (32,612 households) and the whole kabupaten; the first page of 50.
    for (scope, key) in [("32.16.01", HouseholdSort.Key.nomorKK), ("32.16.01", .updatedAt), ("32.16", .nomorKK)] {
        Benchmark("search: \(scope) sorted by \(key.rawValue), page of 50") { benchmark in
            let store = try Store(path: loadedStorePath, options: .readOnly)
            let filter = HouseholdFilter.query(HouseholdQuery(wilayah: try KodeWilayah(scope)))
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try store.read { tx in try tx.households(matching: filter, sortedBy: [HouseholdSort(key)], offset: 0, limit: 50) })
            }
        }
    }

    // The JSON writer alone (persons answers, list pages and JSON Lines exports all use it), on
    // generated households: one household, about 1.5 KB, per iteration.
    Benchmark("JSON: encode a household", configuration: .init(scalingFactor: .kilo)) { benchmark in
        let households = Array(generator.households(count: 1000))
        var buffer: [UInt8] = []
        buffer.reserveCapacity(8192)
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            buffer.removeAll(keepingCapacity: true)
            HouseholdJSON.encode(households[index % households.count], into: &buffer)
            blackHole(buffer.count)
        }
    }

    // Bulk load of the generated households into a fresh store: one transaction, all or nothing.
    // The households are generated before the measurement starts.
    Benchmark(
        "bulk load \(householdCount) households",
        configuration: .init(metrics: [.wallClock, .peakMemoryResident], timeUnits: .milliseconds, warmupIterations: 0, maxIterations: 1)
    ) { benchmark in
        let households = Array(generator.households(count: householdCount))
        let path = workDirectory + "/bulk-\(getpid())"
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        benchmark.startMeasurement()
        let store = try Store(path: path)
        try store.bulkLoad(actor: "benchmark") { loader in
            for household in households { try loader.add(household) }
        }
        benchmark.stopMeasurement()
        let size = try store.fileInfo()
        FileHandle.standardError.write(Data("bulk load: data.mdb \(size.fileSize) bytes, \(size.usedPages) pages used\n".utf8))
    }
}
