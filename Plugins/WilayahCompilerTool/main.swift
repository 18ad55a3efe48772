// WilayahCompiler: turns the Kemendagri region-code CSVs into a compact Swift source.
//
//     WilayahCompiler wilayah.csv penduduk.csv WilayahData.swift
//
// The output holds three string literals instead of array literals, because a 90,000-element
// array literal takes minutes to type-check while a 1 MB string literal takes milliseconds:
//
// - `codes`: every code in ascending order, each written as its level letter (`p`, `k`, `c`,
//   `d`) followed by the digits of that level only (`p32k16c01d2001`). A code's parents always
//   come before it, so the reader rebuilds full codes from the last prefix it saw.
// - `names`: the names in the same order, joined by "\n".
// - `population`: `code:pria,wanita,total;` for each provinsi and kabupaten/kota.
import Foundation

struct CompileError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One region: its code as (level 1...4, packed 10-digit number) and its name.
struct Entry {
    var level: Int
    var packed: UInt64
    var name: String
    var key: UInt64 { packed << 2 | UInt64(level - 1) }
}

/// Digits per level: PP, KK, CC, DDDD.
let widths = [2, 2, 2, 4]
/// What one unit of each level is worth in the packed 10-digit number.
let scales: [UInt64] = [100_000_000, 1_000_000, 10_000, 1]

/// Splits a CSV file into rows of fields (RFC 4180 quoting; no newlines inside fields).
/// Works on bytes: iterating 2 MB as Characters makes a debug build of this tool slow.
func readCSV(_ path: String) throws -> [[String]] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw CompileError("cannot read \(path)")
    }
    let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
    var rows: [[String]] = []
    for (number, rawLine) in data.split(separator: newline).enumerated() {
        let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var index = line.startIndex
        while index < line.endIndex {
            let byte = line[index]
            index += 1
            if quoted {
                if byte != quote {
                    field.append(byte)
                } else if index < line.endIndex && line[index] == quote {
                    field.append(quote)  // "" inside quotes is a literal quote
                    index += 1
                } else {
                    quoted = false
                }
            } else if byte == quote && field.isEmpty {
                quoted = true
            } else if byte == comma {
                fields.append(try utf8(field, at: "\(path):\(number + 1)"))
                field = []
            } else {
                field.append(byte)
            }
        }
        if quoted { throw CompileError("\(path):\(number + 1): unterminated quote") }
        fields.append(try utf8(field, at: "\(path):\(number + 1)"))
        rows.append(fields)
    }
    return rows
}

func utf8(_ bytes: [UInt8], at location: String) throws -> String {
    guard let text = String(validating: bytes, as: UTF8.self) else {
        throw CompileError("\(location): not UTF-8")
    }
    return text
}

/// Parses `32`, `32.16`, `32.16.01` or `32.16.01.2001` into (level, packed).
func parseCode(_ text: String, at location: String) throws -> (level: Int, packed: UInt64) {
    let parts = text.split(separator: ".", omittingEmptySubsequences: false)
    guard (1...4).contains(parts.count) else { throw CompileError("\(location): bad code '\(text)'") }
    var packed: UInt64 = 0
    for (index, part) in parts.enumerated() {
        guard part.count == widths[index], part.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = UInt64(part), value > 0
        else { throw CompileError("\(location): bad code '\(text)'") }
        packed += value * scales[index]
    }
    return (parts.count, packed)
}

func trimmed(_ text: String) -> String {
    guard text.first?.isWhitespace == true || text.last?.isWhitespace == true else { return text }
    return String(text.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
}

/// Escapes a name for a Swift string literal; names with control characters are rejected.
func escaped(_ name: String, at location: String) throws -> String {
    // Almost every name needs no escaping; skip the scalar-by-scalar copy for those.
    if !name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 == 0x22 || $0 == 0x5C }) {
        return name
    }
    var out = ""
    out.reserveCapacity(name.utf8.count)
    for scalar in name.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                throw CompileError("\(location): control character in name '\(name)'")
            }
            out.unicodeScalars.append(scalar)
        }
    }
    return out
}

func compile(wilayahPath: String, pendudukPath: String) throws -> String {
    // Regions.
    var rows = try readCSV(wilayahPath)
    guard rows.first == ["kode", "nama"] else {
        throw CompileError("\(wilayahPath): header must be kode,nama")
    }
    rows.removeFirst()
    var entries: [Entry] = []
    entries.reserveCapacity(rows.count)
    for (index, row) in rows.enumerated() {
        let location = "\(wilayahPath):\(index + 2)"
        guard row.count == 2 else { throw CompileError("\(location): expected 2 fields, got \(row.count)") }
        let (level, packed) = try parseCode(trimmed(row[0]), at: location)
        let name = trimmed(row[1])
        guard !name.isEmpty else { throw CompileError("\(location): empty name") }
        entries.append(Entry(level: level, packed: packed, name: try escaped(name, at: location)))
    }
    entries.sort { $0.key < $1.key }

    var known = Set<UInt64>()
    var counts = [0, 0, 0, 0]
    for entry in entries {
        guard known.insert(entry.key).inserted else {
            throw CompileError("\(wilayahPath): duplicate code \(entry.packed) at level \(entry.level)")
        }
        if entry.level > 1 {
            // The parent must exist, or the reader would rebuild the code under the wrong prefix.
            let scale = scales[entry.level - 2]
            let parent = entry.packed / scale * scale
            guard known.contains(parent << 2 | UInt64(entry.level - 2)) else {
                throw CompileError("\(wilayahPath): code \(entry.packed) has no parent")
            }
        }
        counts[entry.level - 1] += 1
    }

    var codes = ""
    codes.reserveCapacity(entries.count * 5)
    let letters = ["p", "k", "c", "d"]
    for entry in entries {
        let level = entry.level - 1
        let unit = scales[level]
        let digits = level == 0 ? entry.packed / unit : entry.packed / unit % (scales[level - 1] / unit)
        codes += letters[level]
        let text = String(digits)
        codes += String(repeating: "0", count: widths[level] - text.count) + text
    }
    let names = entries.map(\.name).joined(separator: "\\n")

    // Population of each provinsi and kabupaten/kota.
    var population = try readCSV(pendudukPath)
    guard population.first == ["kode", "nama", "pria", "wanita", "total"] else {
        throw CompileError("\(pendudukPath): header must be kode,nama,pria,wanita,total")
    }
    population.removeFirst()
    var populationText = ""
    var seen = Set<UInt64>()
    for (index, row) in population.enumerated() {
        let location = "\(pendudukPath):\(index + 2)"
        guard row.count == 5 else { throw CompileError("\(location): expected 5 fields, got \(row.count)") }
        let code = trimmed(row[0])
        if code == "0" { continue }  // Indonesia as a whole
        let (level, packed) = try parseCode(code, at: location)
        guard level <= 2, known.contains(packed << 2 | UInt64(level - 1)) else {
            throw CompileError("\(location): population for unknown or non-kabupaten code \(code)")
        }
        guard seen.insert(packed << 2 | UInt64(level - 1)).inserted else {
            throw CompileError("\(location): duplicate population row for \(code)")
        }
        guard let male = Int(trimmed(row[2])), let female = Int(trimmed(row[3])),
            let total = Int(trimmed(row[4])), male >= 0, female >= 0, total >= 0
        else { throw CompileError("\(location): population must be whole numbers") }
        let plainCode = code.replacingOccurrences(of: ".", with: "")
        populationText += "\(plainCode):\(male),\(female),\(total);"
    }

    return """
        // Generated by WilayahCompiler from Wilayah/Data/wilayah.csv and penduduk.csv. Do not edit.
        // Decoded once per process by WilayahTable.

        /// The Kemendagri region-code table, as compact string literals.
        enum WilayahData {
            /// Each code in ascending order: a level letter (p, k, c, d) and that level's digits.
            static let codes: StaticString = "\(codes)"

            /// The names, in the same order as `codes`, joined by "\\n".
            static let names: StaticString = "\(names)"

            /// `code:pria,wanita,total;` for each provinsi and kabupaten/kota (plain codes).
            static let population: StaticString = "\(populationText)"

            /// Number of codes at each level, to size the tables before decoding.
            static let counts: [Int] = [\(counts.map(String.init).joined(separator: ", "))]
        }

        """
}

let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    let usage = "usage: WilayahCompiler wilayah.csv penduduk.csv output.swift\n"
    FileHandle.standardError.write(Data(usage.utf8))
    exit(64)
}
do {
    let source = try compile(wilayahPath: arguments[1], pendudukPath: arguments[2])
    // Only rewrite when the content changed, so an unchanged table does not recompile Lumbung.
    let output = URL(fileURLWithPath: arguments[3])
    let data = Data(source.utf8)
    if FileManager.default.contents(atPath: output.path) != data {
        try data.write(to: output, options: .atomic)
    }
} catch {
    FileHandle.standardError.write(Data("error: WilayahCompiler: \(error)\n".utf8))
    exit(1)
}
