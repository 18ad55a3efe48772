import Foundation
import Lumbung
import LumbungIO

/// Households as PostgreSQL `COPY … FROM STDIN` text rows for ``PublishSchema``'s tables.
///
/// Text format: columns separated by tab, rows by newline, `\N` for NULL, and backslash, tab,
/// newline and carriage return escaped with a backslash. Values are written as the flat export
/// writes them (status and coded member fields by name, dates `YYYY-MM-DD`, timestamps as
/// ``FlatCells/timestamp(_:)``); programs become a `text[]`, attributes a JSON object.
///
/// ```swift
/// var bytes: [UInt8] = []
/// CopyRows.household(household, kabupaten: "32.16", period: "2026-11", into: &bytes)
/// ```
public enum CopyRows {
    /// Appends the household's row of `lumbung_household`.
    public static func household(_ household: Household, kabupaten: String, period: String, into bytes: inout [UInt8]) {
        text(kabupaten, &bytes); tab(&bytes)
        text(period, &bytes); tab(&bytes)
        number(Int(household.id?.rawValue ?? 0), &bytes); tab(&bytes)
        text(household.nomorKK.text, &bytes); tab(&bytes)
        text(household.wilayah.dotted, &bytes); tab(&bytes)
        text(household.alamat, &bytes); tab(&bytes)
        optional(household.rt, &bytes); tab(&bytes)
        optional(household.rw, &bytes); tab(&bytes)
        text(household.status.name, &bytes); tab(&bytes)
        optionalText(household.status.reason?.name, &bytes); tab(&bytes)
        optional(household.desil, &bytes); tab(&bytes)
        bytes.append(UInt8(ascii: "{"))
        for (index, program) in household.programs.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            text(program.name, &bytes)
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(UInt8(ascii: "}")); tab(&bytes)
        optionalText(household.updatedAt.map(FlatCells.timestamp), &bytes); tab(&bytes)
        attributes(household.attributes, &bytes)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Appends one `lumbung_member` row per member, in member order; returns how many.
    @discardableResult
    public static func members(_ household: Household, kabupaten: String, period: String, into bytes: inout [UInt8]) -> Int {
        for (index, member) in household.members.enumerated() {
            text(kabupaten, &bytes); tab(&bytes)
            text(period, &bytes); tab(&bytes)
            number(Int(household.id?.rawValue ?? 0), &bytes); tab(&bytes)
            number(index, &bytes); tab(&bytes)
            optionalText(member.nik.text, &bytes); tab(&bytes)
            text(nikStatus(member.nikStatus), &bytes); tab(&bytes)
            text(member.name, &bytes); tab(&bytes)
            text(member.sex.letter, &bytes); tab(&bytes)
            optionalText(member.birthDate?.description, &bytes); tab(&bytes)
            text(member.relation.name, &bytes); tab(&bytes)
            text(member.presence.name, &bytes); tab(&bytes)
            optionalText(member.maritalStatus?.name, &bytes); tab(&bytes)
            optionalText(member.education?.name, &bytes); tab(&bytes)
            optionalText(member.occupation, &bytes); tab(&bytes)
            optionalText(member.disability?.name, &bytes); tab(&bytes)
            attributes(member.attributes, &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
        return household.members.count
    }

    /// `valid`, `missing`, `missing:REASON` for a BPS placeholder (as the JSON writes it), or the
    /// error code that makes the NIK invalid (`nik.invalidDate`).
    static func nikStatus(_ status: NIKStatus) -> String {
        switch status {
        case .valid: "valid"
        case .missing, .placeholder: status.description
        case .invalid(let code): code.rawValue
        }
    }

    // MARK: Cells

    @inline(__always) static func tab(_ bytes: inout [UInt8]) { bytes.append(9) }

    @inline(__always) static func number(_ value: Int, _ bytes: inout [UInt8]) {
        bytes.append(contentsOf: String(value).utf8)
    }

    @inline(__always) static func optional(_ value: Int?, _ bytes: inout [UInt8]) {
        if let value { number(value, &bytes) } else { null(&bytes) }
    }

    @inline(__always) static func optionalText(_ value: String?, _ bytes: inout [UInt8]) {
        if let value { text(value, &bytes) } else { null(&bytes) }
    }

    @inline(__always) static func null(_ bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "N"))
    }

    /// Text with COPY's escapes.
    static func text(_ value: String, _ bytes: inout [UInt8]) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes.append(92); bytes.append(92)
            case 9: bytes.append(92); bytes.append(UInt8(ascii: "t"))
            case 10: bytes.append(92); bytes.append(UInt8(ascii: "n"))
            case 13: bytes.append(92); bytes.append(UInt8(ascii: "r"))
            default: bytes.append(byte)
            }
        }
    }

    /// A JSON object of the attributes (codes and numbers as JSON numbers, text as strings),
    /// COPY-escaped.
    static func attributes(_ attributes: Attributes, _ bytes: inout [UInt8]) {
        var json = "{"
        for (index, code) in attributes.codes.sorted().enumerated() {
            if index > 0 { json += "," }
            json += jsonString(code) + ":"
            switch attributes[code] {
            case .code(let value)?: json += String(value)
            case .number(let value)?: json += value.description
            case .text(let value)?: json += jsonString(value)
            case nil: json += "null"
            }
        }
        json += "}"
        text(json, &bytes)
    }

    static func jsonString(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
