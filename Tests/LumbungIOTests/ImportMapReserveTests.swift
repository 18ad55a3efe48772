import Foundation
import Testing
@testable import Lumbung
@testable import LumbungIO
import LumbungSynthetic

/// An import grows the map once, before its one transaction, from the input's size and the
/// store's, instead of filling it halfway and running again from the top.
@Suite("Import map reservation")
struct ImportMapReserveTests {
    static let households = 600

    /// A generated kabupaten exported to `name` (plain or compressed by its suffix).
    func exported(_ directory: TemporaryDirectory, _ name: String) throws -> String {
        let source = try Store(path: directory.sub("source-\(name)"))
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 7)
        try source.bulkLoad { loader in for household in generator.households(count: Self.households) { try loader.add(household) } }
        let path = directory.sub(name)
        _ = try Exporter.export(from: source, matching: HouseholdQuery(), as: FileFormat(path: name)!, to: path)
        return path
    }

    static func smallMap() -> Store.Options {
        var options = Store.Options()
        options.mapSize = 256 << 10
        return options
    }

    @Test("reserveSpace grows the map past the pages in use by what is asked, and never shrinks it")
    func reserveGrowsTheMap() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"), options: Self.smallMap())
        let before = try store.fileInfo()
        try store.reserveSpace(200 << 20)
        let after = try store.fileInfo()
        #expect(after.mapSize >= after.usedPages * after.pageSize + 200 << 20)
        #expect(after.mapSize > before.mapSize)
        try store.reserveSpace(1 << 20)
        #expect(try store.fileInfo().mapSize == after.mapSize, "a smaller reservation leaves the map")
    }

    @Test("reserveSpace inside a read or a write of the same store is refused, not deadlocked")
    func reserveInsideATransactionIsRefused() throws {
        let directory = TemporaryDirectory()
        let store = try Store(path: directory.sub("store"), options: Self.smallMap())
        func code(_ body: () throws -> Void) -> LumbungError.Code? {
            do { try body() } catch let error as LumbungError { return error.code } catch { return nil }
            return nil
        }
        #expect(code { try store.read { _ in try store.reserveSpace(1 << 30) } } == .storeReentrant)
        #expect(code { try store.write { _ in try store.reserveSpace(1 << 30) } } == .storeReentrant)
        #expect(try store.fileInfo().mapSize == 256 << 10)
    }

    @Test("an import into a small map grows it before loading, never running again, and loads every household", arguments: ["h.csv", "h.csv.zst"])
    func importGrowsTheMapOnce(name: String) throws {
        let directory = TemporaryDirectory()
        let path = try exported(directory, name)
        let store = try Store(path: directory.sub("target"), options: Self.smallMap())
        let summary = try Importer.run(file: path, into: store, options: ImportOptions())
        #expect(summary.wrote && summary.inserted == Self.households)
        #expect(try store.fileInfo().mapSize > 256 << 10)
        #expect(store.environment.mapFullReruns == 0, "the load did not fill the map and start over")
        #expect(try store.check().isClean)

        // The same households loaded with no reservation fill the small map and start over.
        let bare = try Store(path: directory.sub("bare"), options: Self.smallMap())
        let generator = SyntheticKabupaten(kabupaten: try KodeWilayah("32.16"), seed: 7)
        try bare.bulkLoad { loader in for household in generator.households(count: Self.households) { try loader.add(household) } }
        #expect(bare.environment.mapFullReruns > 0)
    }

    @Test("the reservation counts a compressed file four times and the store's own pages once")
    func reservationFollowsInputAndStore() throws {
        let directory = TemporaryDirectory()
        let plain = try exported(directory, "h.csv")
        let packed = try exported(directory, "h.csv.zst")
        let store = try Store(path: directory.sub("target"))
        let pages = try store.fileInfo()
        let used = pages.usedPages * pages.pageSize
        func reserved(_ path: String) throws -> Int {
            let format = try #require(FileFormat(path: path))
            return try Importer.spaceToReserve(for: ImportInput(path: path, format: format, options: ImportOptions()), in: store)
        }
        let plainSize = try #require(try FileManager.default.attributesOfItem(atPath: plain)[.size] as? Int)
        let packedSize = try #require(try FileManager.default.attributesOfItem(atPath: packed)[.size] as? Int)
        #expect(try reserved(plain) == plainSize + used)
        #expect(try reserved(packed) == 4 * packedSize + used)
    }
}
