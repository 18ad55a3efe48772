import Foundation

/// Turns a write that failed for want of disk space into `store.full`, naming the path, the
/// space left and, where it is known, the space the write needs.
///
/// LMDB reports a full disk two ways: the `ENOSPC` of a failed write, and `EIO` for a short
/// write (a write the file system cut off because it filled up). An `EIO` is taken for a full
/// disk only when the file system is in fact (nearly) full.
enum StorageFull {
    /// Less free space than this, after a failed write, means the disk filled up.
    static let nearlyFull = 1 << 20

    /// The error `error` stands for once the disk holding `path` is looked at: `store.full` for a
    /// full disk, else `error` unchanged.
    static func refine(_ error: any Error, path: String, needed: Int? = nil) -> any Error {
        guard let lumbung = error as? LumbungError, lumbung.code == .storeFull || lumbung.code == .storeIO else { return error }
        let free = freeBytes(at: path)
        if lumbung.code == .storeIO {
            guard let free, free < max(needed ?? 0, nearlyFull) else { return error }
        }
        return self.error(path: path, free: free, needed: needed)
    }

    /// `store.full` for `path`.
    static func error(path: String, free: Int?, needed: Int?) -> LumbungError {
        var rule = "the disk is full"
        if let free { rule += ": the file system holding it has \(ByteCount.text(free)) free" }
        rule += needed.map { ", the write needs about \(ByteCount.text($0))" } ?? ", too little for this write"
        rule += ". Free some space (or move the store to a larger disk) and try again; what was stored before is unchanged"
        return LumbungError(.storeFull, value: path, rule: rule)
    }

    /// Bytes an unprivileged writer may still use on the file system holding `path` (or its
    /// nearest existing parent), by statvfs.
    static func freeBytes(at path: String) -> Int? {
        var current = path
        while true {
            var info = statvfs()
            if statvfs(current, &info) == 0 { return Int(info.f_bavail) * Int(info.f_frsize) }
            let parent = (current as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != current else { return nil }
            current = parent
        }
    }
}

/// Byte counts in words: `812 bytes`, `3.4 MiB`.
enum ByteCount {
    static func text(_ bytes: Int) -> String {
        guard bytes >= 1024 else { return "\(bytes) bytes" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f %@", value, units[unit])
    }
}
