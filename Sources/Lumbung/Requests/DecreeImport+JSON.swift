import Foundation

/// A decree import's JSON, written by ``JSONWriter``: the one shape `decree import --json` prints
/// and the store keeps (meta `decree/YYYYMM`, an array of them).
///
/// Snake-case keys, sorted by their UTF-8 bytes, compact: the bytes Foundation's `JSONEncoder`
/// wrote with `.convertToSnakeCase`, `.sortedKeys` and `.withoutEscapingSlashes`. Records stored
/// before (camel-case keys) still read: the decoder's `.convertFromSnakeCase` leaves a key
/// without underscores as it is. The type is only `Decodable`: there is no second writer
/// (`DecreeImportJSONTests` keeps the old encoding as the model).
extension DecreeImport {
    /// This import as compact JSON.
    ///
    /// ```swift
    /// Terminal.write(record.json + [0x0A])
    /// ```
    public var json: [UInt8] {
        var writer = JSONWriter(pretty: false, capacity: 256 + desa.count * 64)
        write(to: &writer)
        return writer.bytes
    }

    /// The stored form of a period's imports: a JSON array of ``json``.
    static func encodeStored(_ imports: [DecreeImport]) -> [UInt8] {
        var writer = JSONWriter(pretty: false, capacity: 64 + imports.reduce(0) { $0 + 256 + $1.desa.count * 64 })
        writer.beginArray()
        for record in imports {
            writer.element()
            record.write(to: &writer)
        }
        writer.endArray()
        return writer.bytes
    }

    /// Reads ``encodeStored(_:)``'s bytes, or the camel-case ones of older stores.
    static func decodeStored(_ data: Data) throws -> [DecreeImport] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([DecreeImport].self, from: data)
    }

    // Keys in the sorted order of their snake-case names.
    private func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("actor")
        writer.string(actor)
        writer.key("complete")
        writer.bool(complete)
        writer.key("desa")
        writer.beginObject()
        for wilayah in desa.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let counts = desa[wilayah]!
            writer.key(escaping: wilayah)
            writer.beginObject()
            writer.key("dicabut")
            writer.integer(Int64(counts.dicabut))
            writer.key("ditetapkan")
            writer.integer(Int64(counts.ditetapkan))
            writer.endObject()
        }
        writer.endObject()
        writer.key("imported_at")
        writer.string(importedAt)
        writer.key("nomor")
        writer.string(nomor)
        writer.key("period")
        writer.string(period)
        writer.key("scope")
        writer.string(scope)
        writer.key("tanggal")
        writer.string(tanggal)
        writer.endObject()
    }
}
