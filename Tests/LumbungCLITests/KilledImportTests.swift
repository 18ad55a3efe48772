import Foundation
import Testing
import Lumbung
import LumbungSynthetic

/// An import killed with SIGKILL part-way leaves the store exactly as it was, or fully imported.
@Suite("Killed import")
struct KilledImportTests {
    @Test func killNineMidImportLeavesTheStoreWhole() throws {
        let binary = try #require(CLITests.binary, "build the lumbung product first (swift build)")
        let directory = TemporaryDirectory("lumbung-kill")
        let file = directory.sub("h.jsonl"), store = directory.sub("store")
        let generate = Process()
        generate.executableURL = URL(fileURLWithPath: binary)
        generate.arguments = ["generate", "--households", "6000", "--jsonl", file]
        generate.standardError = FileHandle.nullDevice
        try generate.run()
        generate.waitUntilExit()
        #expect(generate.terminationStatus == 0)

        // Killed early, mid-way, or (debug build, 6,000 households) after it finished: then this
        // process, which keeps the store open, must read records compressed with the dictionary the
        // other process trained meanwhile.
        for delay in [0.3, 1.5, 4.5] {
            try? FileManager.default.removeItem(atPath: store)
            let before = try Store(path: store)
            // A household of another kabupaten: its NIKs and KK cannot clash with the file's.
            let other = SyntheticKabupaten(kabupaten: try KodeWilayah("32.04"), seed: 5).household(at: 0)
            try before.write { tx in _ = try tx.put(other) }
            try CLITests.runKilled(["import", file, "--store", store], after: delay)
            let count = try before.read { tx in try tx.householdCount() }
            #expect(count == 1 || count == 6001, "after SIGKILL at \(delay) s the store holds \(count) households")
            let report = try before.check()
            #expect(report.isClean, "\(report.issues.prefix(3))")
        }
    }
}
