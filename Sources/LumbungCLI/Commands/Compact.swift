import ArgumentParser
import Lumbung

struct Compact: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compact the store's file in place, returning free pages to the file system.",
        discussion: """
            LMDB files only grow: pages freed by deletes are reused but never returned. This \
            writes a compacted copy of the store (every record, index, counter and the journal; \
            no free pages), syncs it and renames it over data.mdb, so a crash at any point leaves \
            the old file or the new one, whole. The store must not be open in any other process \
            (exit 1, store.busy, naming the process). Prints the size before and after; \
            `lumbung stats` shows the free pages.

            Example:
              lumbung compact --store /var/lib/lumbung/3216
            """)

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
        let result = try Store.compact(path: storeOptions.path)
        print("compacted: \(result.bytesBefore) → \(result.bytesAfter) bytes (\(result.households) households)")
    }
}
