// `swift package generate-fixtures`: synthetic household files for tests and benchmarks.
import Foundation
import PackagePlugin

/// Runs `lumbung generate --out` once per kabupaten and format, writing files named
/// `KABUPATEN-COUNT-seedSEED.FORMAT` (e.g. `32.16-1000000-seed1.csv`; COUNT is `full` without
/// --households) into `Fixtures/` or --output DIR. A file that exists is kept (the generator is
/// deterministic, so it would be the same bytes) unless --force.
///
/// ```sh
/// swift package --allow-writing-to-package-directory generate-fixtures --households 10000 --format csv
/// swift package --allow-writing-to-package-directory --allow-writing-to-directory /tmp/b \
///     generate-fixtures --households 1000000 --format csv --format jsonl --output /tmp/b
/// ```
@main
struct GenerateFixtures: CommandPlugin {
    static let usage = """
        USAGE: swift package --allow-writing-to-package-directory [--allow-writing-to-directory DIR] \\
                 generate-fixtures [options]

        Writes deterministic synthetic households with `lumbung generate --out` (built first), one \\
        file per kabupaten and format, named KABUPATEN-COUNT-seedSEED.FORMAT (COUNT `full` without \\
        --households), and prints each file's path on standard output.

        OPTIONS:
          --kabupaten CODE   a kabupaten/kota code; repeat for several (default: 32.16)
          --households N     households per file (default: population / 10 of the kabupaten)
          --seed S           the generator seed (default: 1)
          --format F         csv, jsonl, csv.zst or jsonl.zst; repeat for several (default: csv)
          --output DIR       where to write (default: Fixtures/ in the package; a directory
                             outside the package needs --allow-writing-to-directory DIR)
          --force            regenerate files that exist (default: keep them, same bytes)
          --help             show this text

        The plugin asks to write to the package directory (Fixtures/): pass \\
        --allow-writing-to-package-directory to `swift package`.
        """

    static let formats = ["csv", "jsonl", "csv.zst", "jsonl.zst"]

    func performCommand(context: PluginContext, arguments: [String]) async throws {
        var extractor = ArgumentExtractor(arguments)
        if extractor.extractFlag(named: "help") > 0 {
            print(Self.usage)
            return
        }
        let kabupaten = extractor.extractOption(named: "kabupaten")
        let households = extractor.extractOption(named: "households").last
        let seed = extractor.extractOption(named: "seed").last ?? "1"
        let formats = extractor.extractOption(named: "format")
        let output = extractor.extractOption(named: "output").last
        let force = extractor.extractFlag(named: "force") > 0
        guard extractor.remainingArguments.isEmpty else {
            throw FixtureError("unknown arguments \(extractor.remainingArguments); see --help")
        }
        for format in formats where !Self.formats.contains(format) {
            throw FixtureError("--format \(format): use one of \(Self.formats.joined(separator: ", "))")
        }
        if let households, Int(households) == nil { throw FixtureError("--households \(households) is not a number") }
        if UInt64(seed) == nil { throw FixtureError("--seed \(seed) is not a number") }

        let directory = output.map { URL(fileURLWithPath: $0, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) }
            ?? context.package.directoryURL.appending(path: "Fixtures")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let lumbung = try context.tool(named: "LumbungCLI").url

        for code in kabupaten.isEmpty ? ["32.16"] : kabupaten {
            for format in formats.isEmpty ? ["csv"] : formats {
                let file = directory.appending(path: "\(code)-\(households ?? "full")-seed\(seed).\(format)")
                if !force && FileManager.default.fileExists(atPath: file.path()) {
                    Diagnostics.remark("kept \(file.path()) (exists; --force regenerates it)")
                    print(file.path())
                    continue
                }
                var arguments = ["generate", "--kabupaten", code, "--seed", seed, "--out", file.path()]
                if let households { arguments += ["--households", households] }
                let process = Process()
                process.executableURL = lumbung
                process.arguments = arguments
                try process.run()
                process.waitUntilExit()
                guard process.terminationReason == .exit, process.terminationStatus == 0 else {
                    throw FixtureError("lumbung \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus)")
                }
                print(file.path())
            }
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
