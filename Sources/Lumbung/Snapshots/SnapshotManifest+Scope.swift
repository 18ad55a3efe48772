import Foundation

extension SnapshotManifest {
    /// The manifest's keys that describe the whole store's file and journal: a digest, a size or
    /// a journal position of everything tells of changes outside any narrower scope.
    static let storeWideKeys = ["content_digest", "files", "journal_sequence"]
    static let storeWideReplacementKeys = ["previous_content_digest"]

    /// What a reader with `scope` may see of the manifest: the whole of it for the whole store;
    /// for a narrower scope, its totals and the regions inside it only, and none of the
    /// store-wide figures (``storeWideKeys``).
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
        guard var object = try JSONSerialization.jsonObject(with: scoped.encoded()) as? [String: Any] else {
            throw LumbungError(.snapshotCorrupt, field: "manifest.json", value: period, rule: "the manifest does not encode as an object")
        }
        for key in Self.storeWideKeys { object[key] = nil }
        if var replaced = object["replaced"] as? [String: Any] {
            for key in Self.storeWideReplacementKeys { replaced[key] = nil }
            object["replaced"] = replaced
        }
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }
}
