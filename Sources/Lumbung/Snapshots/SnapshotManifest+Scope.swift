import Foundation

extension SnapshotManifest {
    /// What a reader with `scope` may see of the manifest: the whole of it for the whole store;
    /// for a narrower scope, its totals and the regions inside it only, and none of the
    /// store-wide figures (``json(wholeStore:)`` leaves them out).
    ///
    /// ```swift
    /// let text = manifest.encoded(for: AccessScope(try KodeWilayah("32.16.01")))
    /// ```
    public func encoded(for scope: AccessScope) -> Data {
        guard let wilayah = scope.wilayah else { return encoded() }
        var scoped = self
        let total = counts(wilayah: wilayah)?.total
        scoped.households = total?.households ?? 0
        scoped.members = total?.members ?? 0
        scoped.counts = counts.filter { entry in
            guard let text = entry.wilayah, let code = try? KodeWilayah(text) else { return false }
            return wilayah.contains(code)
        }
        scoped.decree = decree?.scoped(to: wilayah)
        return scoped.json(wholeStore: scope.seesWholeStore)
    }
}
