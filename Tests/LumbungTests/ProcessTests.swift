import Foundation
import Testing
@testable import Lumbung
import LumbungSynthetic

/// Runs a built executable of this package and returns (exit status, stdout).
func runProduct(_ name: String, _ arguments: [String]) throws -> Process {
    let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var url = directory.appendingPathComponent(name)
    if !FileManager.default.fileExists(atPath: url.path) {
        // The test bundle may sit one level deeper than the products.
        url = directory.deletingLastPathComponent().appendingPathComponent(name)
    }
    let process = Process()
    process.executableURL = url
    process.arguments = arguments
    process.standardOutput = Pipe()
    process.standardError = Pipe()
    try process.run()
    return process
}

func output(of process: Process) -> String {
    let data = (process.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

@Suite("Several processes on one store", .serialized)
struct ProcessTests {
    @Test func twoReadersWhileAThirdProcessWrites() throws {
        let directory = TemporaryDirectory()
        let path = directory.sub("store")
        do {
            let store = try Store(path: path)
            let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 3)
            try store.bulkLoad { loader in for household in generator.households(count: 300) { try loader.add(household) } }
        }
        let writer = try runProduct("LumbungProbe", ["write", path, "3", "11"])
        let readers = try (0..<2).map { _ in try runProduct("LumbungProbe", ["read", path, "3"]) }
        let written = output(of: writer)
        let reads = readers.map(output(of:))
        #expect(writer.terminationStatus == 0, "\(written)")
        for (process, text) in zip(readers, reads) {
            #expect(process.terminationStatus == 0, "\(text)")
            #expect(text.hasPrefix("read "))
        }
        let count = Int(written.split(separator: " ")[1].trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(count > 0)
        let store = try Store(path: path)
        #expect(try store.read { tx in try tx.householdCount() } == 300 + count)
        #expect(try store.check().isClean)
    }
}

@Suite("Map growth")
struct MapGrowthTests {
    @Test func aTinyMapGrowsTransparently() throws {
        let directory = TemporaryDirectory()
        var options = Store.Options()
        options.mapSize = 256 << 10
        let store = try Store(path: directory.sub("store"), options: options)
        let initial = store.environment.mapSize
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 5)
        try store.write { tx in for household in generator.households(count: 200) { try tx.put(household) } }
        try store.bulkLoad { loader in
            for index in 200..<3000 { try loader.add(generator.household(at: index)) }
        }
        #expect(store.environment.mapSize > initial)
        #expect(try store.read { tx in try tx.householdCount() } == 3000)
        try store.read { (tx) throws in
            let expected = generator.household(at: 2999)
            #expect(try tx.household(id: HouseholdID(3000))?.content == expected.content)
        }
        #expect(try store.check().isClean)
    }

    @Test func aMapAtItsLimitFailsCleanly() throws {
        let directory = TemporaryDirectory()
        var options = Store.Options()
        options.mapSize = 256 << 10
        options.maxMapSize = 1 << 20
        let store = try Store(path: directory.sub("store"), options: options)
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 6)
        try store.write { tx in for household in generator.households(count: 20) { try tx.put(household) } }
        #expect {
            try store.bulkLoad { loader in for index in 20..<5000 { try loader.add(generator.household(at: index)) } }
        } throws: { ($0 as? LumbungError)?.code == .storeMapFull }
        #expect(try store.read { tx in try tx.householdCount() } == 20)
        #expect(try store.check().isClean)
    }
}
