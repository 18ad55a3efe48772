import ArgumentParser
import Foundation
import Lumbung
import LumbungSynthetic

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load a deterministic synthetic kabupaten into the store (or write it as JSON Lines).",
        discussion: """
            Generates realistic, valid households for one kabupaten/kota (members, NIKs, Nomor KK, \
            desil, programs) from a seed: the same kabupaten, seed and count always give the same \
            households. They are bulk-loaded in one transaction (all or nothing), creating the store \
            if needed.

            With --jsonl FILE the households are written as JSON Lines instead (one household per \
            line, "id" = line number, the ids a fresh store would assign) and the store is not \
            touched; FILE `-` is standard output.

            Progress and a summary go to standard error.

            Example:
              lumbung generate --store /tmp/bekasi --households 100000 --seed 7
              lumbung generate --store /tmp/bandung --kabupaten 32.04
              lumbung generate --jsonl bekasi.jsonl --households 50000
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The kabupaten/kota code, e.g. 32.16 (Kabupaten Bekasi).", valueName: "code"))
    var kabupaten: String = "32.16"

    @Option(help: ArgumentHelp(
        "How many households (default: population / 10 for the kabupaten).", valueName: "n"))
    var households: Int?

    @Option(help: ArgumentHelp("The generator seed.", valueName: "seed"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Write JSON Lines to this file (`-`: stdout) instead of loading the store.", valueName: "file"))
    var jsonl: String?

    func validate() throws {
        if let households, households < 0 || households > SyntheticKabupaten.uniqueHouseholdLimit {
            throw ValidationError("--households must be 0...\(SyntheticKabupaten.uniqueHouseholdLimit)")
        }
    }

    func run() throws {
        let code = try KodeWilayah(kabupaten)
        guard code.level == .kabupaten else {
            throw LumbungError(.wilayahLevel, field: "kabupaten", value: code.dotted, rule: "generate needs a kabupaten/kota code such as 32.16")
        }
        let count = households ?? SyntheticKabupaten.defaultHouseholdCount(for: code)
        let generator = SyntheticKabupaten(kabupaten: code, seed: seed)
        let name = code.name ?? code.dotted
        Terminal.note("generating \(count) households for \(code.dotted) \(name), seed \(seed)")

        var progress = Progress(total: count)
        var members = 0
        if let jsonl {
            try writeJSONLines(generator.households(count: count), to: jsonl, progress: &progress, members: &members)
        } else {
            let store = try storeOptions.open(create: true)
            try store.bulkLoad(actor: "generate") { loader in
                progress = Progress(total: count)  // a retried load starts again
                members = 0
                for household in generator.households(count: count) {
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
                + "(\(Int(rate.rounded())) households/s)" + (jsonl.map { " → \($0)" } ?? " → \(storeOptions.path)"))
    }

    private func writeJSONLines(_ households: SyntheticHouseholds, to path: String, progress: inout Progress, members: inout Int) throws {
        let handle: FileHandle
        if path == "-" {
            handle = .standardOutput
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let opened = FileHandle(forWritingAtPath: path)
            else {
                throw CLIError.invalidInput("cannot create \(path)")
            }
            handle = opened
        }
        defer { if path != "-" { try? handle.close() } }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 20 + 8192)
        for (index, generated) in households.enumerated() {
            var household = generated
            household.id = HouseholdID(UInt64(index + 1))
            HouseholdJSON.encode(household, into: &buffer)
            buffer.append(0x0A)
            members += household.members.count
            if buffer.count >= 1 << 20 {
                try handle.write(contentsOf: buffer)
                buffer.removeAll(keepingCapacity: true)
            }
            progress.advance()
        }
        try handle.write(contentsOf: buffer)
        progress.finishLine()
    }
}
