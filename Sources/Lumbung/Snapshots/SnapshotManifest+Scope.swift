import Foundation

extension SnapshotManifest {
    /// What a reader with `scope` may see of the manifest: the whole of it for the whole store;
    /// for a narrower scope, its totals and the regions inside it only, and none of the
    /// store-wide figures (``encode(to:)`` leaves them out for a scope).
    ///
    /// ```swift
    /// let text = try manifest.encoded(for: AccessScope(try KodeWilayah("32.16.01")))
    /// ```
    public func encoded(for scope: AccessScope) throws -> Data {
        guard let wilayah = scope.wilayah else { return try encoded() }
        var scoped = self
        let total = counts(wilayah: wilayah)?.total
        scoped.households = total?.households ?? 0
        scoped.members = total?.members ?? 0
        scoped.counts = counts.filter { entry in
            guard let text = entry.wilayah, let code = try? KodeWilayah(text) else { return false }
            return wilayah.contains(code)
        }
        scoped.decree = decree?.scoped(to: wilayah)
        // A fresh encoder: the shared one is not to be changed while others encode with it.
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = Self.encoder.keyEncodingStrategy
        encoder.outputFormatting = Self.encoder.outputFormatting
        encoder.userInfo[Self.scopeKey] = scope
        var data = try encoder.encode(scoped)
        data.append(0x0A)
        return data
    }
}
