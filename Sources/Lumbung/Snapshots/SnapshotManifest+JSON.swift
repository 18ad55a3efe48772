import Foundation

/// `manifest.json` written with the project's ``JSONWriter``, straight to bytes.
///
/// The bytes are the ones Foundation's `JSONEncoder` wrote before (snake-case keys, sorted by
/// their UTF-8 bytes, pretty-printed, slashes unescaped, absent optionals left out), so the
/// manifests of old and new binaries compare equal: a 10M store's 58 MB of counts took the
/// encoder about 3.5 s on one thread after the copy (BENCHMARKS.md, issue 17).
extension SnapshotManifest {
    /// The manifest as JSON text and a newline (sorted keys, so equal manifests are equal bytes).
    ///
    /// ```swift
    /// try Durable.write(manifest.encoded(), to: manifestPath)
    /// ```
    public func encoded() -> Data {
        json(wholeStore: true)
    }

    /// The manifest's JSON; the store-wide fields (`journal_sequence`, `content_digest`, `files`,
    /// the replaced copy's digest: a digest, a size or a journal position of everything tells of
    /// changes outside any narrower scope) only with `wholeStore`.
    func json(wholeStore: Bool) -> Data {
        // About 2 KB a region; the writer grows if that is short.
        var writer = JSONWriter(layout: .encoderPretty, capacity: 4096 + counts.count * 2048)
        write(to: &writer, wholeStore: wholeStore)
        return writer.withBytes { bytes in
            var data = Data(capacity: bytes.count + 1)
            data.append(bytes)
            data.append(0x0A)
            return data
        }
    }

    // Each object's keys below are in the sorted order of their snake-case names.

    private func write(to writer: inout JSONWriter, wholeStore: Bool) {
        writer.beginObject()
        if wholeStore {
            writer.key("content_digest")
            writer.string(contentDigest)
        }
        writer.key("counts")
        writer.beginArray()
        for entry in counts {
            writer.element()
            entry.write(to: &writer)
        }
        writer.endArray()
        writer.key("created_at")
        writer.string(createdAt)
        if let decree {
            writer.key("decree")
            decree.write(to: &writer)
        }
        if wholeStore {
            writer.key("files")
            writer.beginArray()
            for file in files {
                writer.element()
                writer.beginObject()
                writer.key("bytes")
                writer.integer(Int64(file.bytes))
                writer.key("name")
                writer.string(file.name)
                writer.key("sha256")
                writer.string(file.sha256)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.key("format")
        writer.integer(Int64(format))
        writer.key("households")
        writer.integer(Int64(households))
        if wholeStore {
            writer.key("journal_sequence")
            writer.unsigned(journalSequence)
        }
        writer.key("members")
        writer.integer(Int64(members))
        writer.key("period")
        writer.string(period)
        if let replaced {
            writer.key("replaced")
            writer.beginObject()
            if wholeStore {
                writer.key("previous_content_digest")
                writer.string(replaced.previousContentDigest)
            }
            writer.key("previous_created_at")
            writer.string(replaced.previousCreatedAt)
            writer.key("reason")
            writer.string(replaced.reason)
            writer.endObject()
        }
        writer.key("schema_version")
        writer.integer(Int64(schemaVersion))
        writer.endObject()
    }
}

extension SnapshotManifest.RegionEntry {
    fileprivate func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("desil")
        writer.sortedObject(desil) { $0.write(to: &$1) }
        if let desilVersi {
            writer.key("desil_versi")
            writer.sortedObject(desilVersi) { $1.integer(Int64($0)) }
        }
        if let dukcapil {
            writer.key("dukcapil")
            writer.sortedObject(dukcapil) { $0.write(to: &$1) }
        }
        writer.key("level")
        writer.string(level)
        writer.key("nik_flagged")
        writer.sortedObject(nikFlagged) { $0.write(to: &$1) }
        writer.key("program")
        writer.sortedObject(program) { $0.write(to: &$1) }
        writer.key("status")
        writer.sortedObject(status) { $0.write(to: &$1) }
        writer.key("total")
        total.write(to: &writer)
        if let wilayah {
            writer.key("wilayah")
            writer.string(wilayah)
        }
        writer.endObject()
    }
}

extension SnapshotManifest.CountPair {
    fileprivate func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("households")
        writer.integer(Int64(households))
        writer.key("members")
        writer.integer(Int64(members))
        writer.endObject()
    }
}

extension SnapshotManifest.Decree {
    fileprivate func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("cutoff")
        writer.string(cutoff)
        writer.key("desa")
        writer.beginArray()
        for entry in desa {
            writer.element()
            writer.beginObject()
            writer.key("dicabut")
            writer.integer(Int64(entry.dicabut))
            writer.key("ditetapkan")
            writer.integer(Int64(entry.ditetapkan))
            writer.key("jenis")
            writer.sortedObject(entry.jenis) { $1.integer(Int64($0)) }
            writer.key("status")
            writer.sortedObject(entry.status) { $1.integer(Int64($0)) }
            writer.key("total")
            writer.integer(Int64(entry.total))
            writer.key("wilayah")
            writer.string(entry.wilayah)
            writer.endObject()
        }
        writer.endArray()
        writer.key("dicabut")
        writer.integer(Int64(dicabut))
        writer.key("ditetapkan")
        writer.integer(Int64(ditetapkan))
        writer.key("jenis")
        writer.sortedObject(jenis) { $1.integer(Int64($0)) }
        writer.key("period")
        writer.string(period)
        writer.key("sk")
        writer.beginArray()
        for sk in sk {
            writer.element()
            writer.beginObject()
            writer.key("nomor")
            writer.string(sk.nomor)
            writer.key("tanggal")
            writer.string(sk.tanggal)
            writer.endObject()
        }
        writer.endArray()
        writer.key("status")
        writer.sortedObject(status) { $1.integer(Int64($0)) }
        writer.key("total")
        writer.integer(Int64(total))
        writer.endObject()
    }
}

extension JSONWriter {
    /// A dictionary as an object with its keys in the order of their UTF-8 bytes (as
    /// `JSONEncoder`'s `.sortedKeys` orders them), each value written by `value`.
    fileprivate mutating func sortedObject<Value>(_ dictionary: [String: Value], _ value: (Value, inout JSONWriter) -> Void) {
        beginObject()
        for (name, entry) in dictionary.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            key(escaping: name)
            value(entry, &self)
        }
        endObject()
    }
}
