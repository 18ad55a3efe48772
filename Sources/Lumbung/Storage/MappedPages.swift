import CLMDB
import Foundation

/// Hands back the pages of the store's file that this process has mapped while reading it.
///
/// LMDB reads the store through a shared, read-only map, and each page read stays in the
/// process's resident size until the process ends. A bulk load writes each changed page to a new
/// place in the file, so every write of held entries reads, through the map, pages that the last
/// one wrote: at 10M households with 18 such writes, about 540 MiB of mapped pages (270 MiB with
/// 9), counted in the load's peak RSS beside its own memory. Once read, a page is copied (LMDB's
/// changed pages are the process's own), so the mapped one is of no more use; unmapping it loses
/// nothing: the data stays in the page cache and a later read maps it again. Only this process's
/// view changes, never the file.
extension Txn {
    /// Unmaps this process's pages of the transaction's data file (`MADV_DONTNEED` on a shared
    /// file mapping). LMDB reports the map's address only for a fixed map, so the address comes
    /// from `/proc/self/maps`; where that cannot be read, nothing is done.
    func releaseMappedPages() {
        guard let environment = mdb_txn_env(handle) else { return }
        var directory: UnsafePointer<CChar>?
        guard mdb_env_get_path(environment, &directory) == 0, let directory,
              let resolved = realpath(String(cString: directory) + "/data.mdb", nil)
        else { return }
        let file = String(cString: resolved)
        free(resolved)
        guard let maps = FileHandle(forReadingAtPath: "/proc/self/maps") else { return }
        defer { try? maps.close() }
        let lines = String(decoding: maps.readDataToEndOfFile(), as: UTF8.self)
        for line in lines.split(separator: "\n") where line.hasSuffix(" " + file) {
            let bounds = line.prefix { $0 != " " }.split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16), end > start,
                  let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            _ = madvise(address, Int(end - start), MADV_DONTNEED)
        }
    }
}
