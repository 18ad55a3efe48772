import Foundation

/// What opening a store at a path will create, noted before it is opened, so that a failed import
/// removes exactly that: the store files it created, then the directories it created, innermost
/// first. A file or directory that was there before is never removed.
struct CreatedStorePaths {
    /// Store files that did not exist (`data.mdb`, `lock.mdb`).
    let files: [String]
    /// Directories that did not exist, innermost first.
    let directories: [String]

    static let storeFiles = ["data.mdb", "lock.mdb"]

    init(storePath: String) {
        let directory = URL(fileURLWithPath: storePath).standardizedFileURL.path
        let manager = FileManager.default
        files = Self.storeFiles.map { (directory as NSString).appendingPathComponent($0) }.filter { !manager.fileExists(atPath: $0) }
        var missing: [String] = []
        var current = directory
        while current != "/" && !Self.exists(current) {
            missing.append(current)
            current = (current as NSString).deletingLastPathComponent
        }
        directories = missing
    }

    /// Whether the open creates the store (its `data.mdb`).
    var createsStore: Bool { files.contains { ($0 as NSString).lastPathComponent == "data.mdb" } }

    /// Removes what was created; a directory only while empty (rmdir), so nothing else goes.
    func remove() {
        for file in files { unlink(file) }
        for directory in directories { rmdir(directory) }
    }

    /// lstat, so a dangling symlink counts as there (and is left alone).
    private static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
