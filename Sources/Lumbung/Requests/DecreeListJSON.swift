import Foundation

/// A decree list in JSON: an array of household ids (numbers), KK numbers (strings), or
/// objects `{"rumah_tangga_id": 42}` / `{"nomor_kk": "3216…"}`.
public enum DecreeListJSON {
    static let itemRule = "a household id, a KK number (a string), or {\"rumah_tangga_id\"|\"nomor_kk\": …}"

    /// Every item of the array, in order; each item's place is `item N` (from 1).
    ///
    /// ```swift
    /// let listings = try DecreeListJSON.listings(Data(#"[42, "3216010101010001"]"#.utf8))
    /// ```
    public static func listings(_ data: Data) throws -> [DecreeImport.Listing] {
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw LumbungError(.jsonMalformed, field: "decree", rule: "the decree list is not JSON: \(error.localizedDescription)")
        }
        guard let items = document as? [Any] else {
            throw LumbungError(.decreeInvalid, field: "decree", rule: "a JSON decree list is an array; each item is " + itemRule)
        }
        return try items.enumerated().map { index, item in try listing(item, place: "item \(index + 1)") }
    }

    static func listing(_ item: Any, place: String) throws -> DecreeImport.Listing {
        var field = "rumah_tangga_id"
        var value = item
        if let object = item as? [String: Any], object.count == 1, let key = object.keys.first, DecreeImport.Listing.fields.contains(key) {
            field = key
            value = object[key]!
        } else if item is String {
            field = "nomor_kk"
        }
        if let text = value as? String { return try DecreeImport.Listing(text, field: field, place: place) }
        if let number = value as? NSNumber, number.objCType.pointee != CChar(UInt8(ascii: "c")) {  // "c": a JSON true/false
            return try DecreeImport.Listing(number.stringValue, field: field, place: place)
        }
        throw LumbungError(.decreeInvalid, field: place, value: String(describing: item).prefix(40).description, rule: "an item is " + itemRule)
    }
}
