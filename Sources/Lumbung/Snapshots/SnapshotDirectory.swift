import Foundation

/// Recognizes a snapshot's directory however a path leads to it (symlinks, `..`, trailing
/// slashes), so the storage layer never opens one as a live store.
enum SnapshotDirectory {
    /// Whether `directory` is a snapshot, or a directory in a store's snapshot area (a snapshot
    /// being written or replaced): it holds `manifest.json`, or its real parent is a store's
    /// `snapshots/`.
    static func contains(_ directory: String) -> Bool {
        let manifest = (directory as NSString).appendingPathComponent(Snapshots.manifestFile)
        if FileManager.default.fileExists(atPath: manifest) { return true }
        guard let real = realPath(directory) else { return false }
        let parent = (real as NSString).deletingLastPathComponent
        guard (parent as NSString).lastPathComponent == Snapshots.directoryName else { return false }
        let store = (parent as NSString).deletingLastPathComponent
        return FileManager.default.fileExists(atPath: (store as NSString).appendingPathComponent(Snapshots.dataFile))
    }

    /// The path with every symlink, `.` and `..` resolved (nil if it does not exist).
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The refusal to open a snapshot for writing.
    static func frozenError(_ path: String) -> LumbungError {
        LumbungError(
            .snapshotFrozen, field: "store", value: path,
            rule: "this directory is a snapshot, and snapshots are frozen: it never opens for writing. "
                + "Read it with --snapshot PERIOD on its store (`Snapshots.open`), or restore it with `lumbung snapshot restore`")
    }
}
